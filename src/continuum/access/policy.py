"""The access policy: the one place that decides who may see and change case data.

Read this module to know who sees what. Every selector, view and API view asks it; nothing reads
persons or cases around it.

A user acts in one :class:`~continuum.core.models.Membership` (an agency and a role).

Who sees a case
    * The administrator manages accounts and configuration and reads no case content.
    * The evaluator sees anonymised figures only, never a person or case.
    * The data-protection officer oversees through the audit log and the emergency-access
      review queue, and reads no case content.
    * The coordination programme's coordinators coordinate every MAR case and see them all.
    * A membership sees a case its agency leads or is on the team of, or on which it is named.
      A mentor sees only the cases on which they are named.
    * A case disclosed to the membership's agency (see :mod:`continuum.access.disclosures`)
      is seen as a team member sees it.
    * Emergency ("break-glass") access: a membership that stated a written justification sees
      that one case, read-only, until the access expires (4 hours by default). The
      data-protection officer reviews every one.

What narrows it, whatever the above says
    * **Exclusion**: a user excluded from a case sees it as not existing, and does not see its
      person either. Nothing overrides an exclusion, not even emergency access.
    * **Restriction**: a case with a restriction list is visible only to the users named on it
      (and, in an emergency, through break-glass access, which is reviewed).

Who sees a person
    The person of any case the membership sees; and, outside the mentor role, a person the
    membership's agency registered or holds now (the custodial institution of the current
    placement, or its intelligence bureau); the coordinators see everyone. Exclusions and
    restrictions on any of the person's cases withhold the person too. A mentor sees the
    minimum: the reference and the name (:func:`may_read_identity`).

What of a visible person's records
    Records carry a sensitivity class. ``intelligence``: the intelligence bureau and
    coordination only. ``case``: the team. ``mentor``: also the mentor. Case-bound records
    show only for cases the membership sees. ``aggregate`` is not a record about a person but
    anonymised figures, read by evaluators, coordination and the data-protection officer
    (:func:`may_read_aggregates`).

Signals (app ``intake``)
    A signal of radicalisation is intelligence. It is seen by the agency that reported it, by
    the agency it was routed to (and, when that is a custodial institution, by that
    institution's intelligence bureau), and by the coordination programme's coordinators. It is
    never seen by a mentor, nor by the roles that read no case content (administrator,
    evaluator, data-protection officer); a municipal case manager sees only the signals their
    municipality reported. A contact point receives the signals routed to their institution
    only while their training is current (:func:`has_current_training`); otherwise they see
    only those their institution reported. With a central signals unit, the signals of its
    jurisdiction are routed to that unit, and its analysts receive them. An exclusion or
    restriction that withholds the person withholds their signals too
    (:func:`scope_signals`, :func:`get_signal`).
    Signals are recorded by custodial staff (contact points, the bureau: *internal*) and by
    police, probation, municipalities and prosecution (*external*) (:func:`can_record_signal`).
    The signal queue is for those who receive signals: contact points, the bureau and
    coordination (:func:`can_receive_signals`). The register of trained contact points of an
    institution is read by its contact points and bureau and by coordination; the bureau and
    coordination keep it (:func:`contact_point_institutions`, :func:`can_keep_contact_points`).

Investigation and triage (app ``intake``)
    An investigation, its findings and measures, and the triage decisions on it are
    intelligence: read by the analysts of the bureau that holds the investigation and by the
    coordinators, never by anyone else (:func:`scope_investigations`). The bureau's analysts
    open investigations from the signals routed to them, record findings and request measures
    (:func:`can_investigate`); a measure is authorised, and renewed, by another analyst of the
    same bureau, never by the user who requested it (:func:`can_authorise_measure`). A triage
    decision is proposed by the bureau or by coordination and takes effect with two sign-offs:
    one for the custodial side by an analyst of the bureau, one by a coordinator, who must be
    different users of different agencies (:func:`sign_off_side`). A "monitor" decision leaves
    a review for the bureau, seen by the bureau and coordination (:func:`scope_reviews`). A
    "notify" decision sends the agreed text, and only that, to each stakeholder agency, read
    there by its practitioners (:func:`scope_notifications`). Coordination also dismisses
    signals in its own queue. What the rest of the team sees of all this is the referral
    event on the MAR case, never the intelligence behind it.

Objects outside a membership's scope are answered as "not found", never "forbidden", so their
existence is not disclosed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from continuum.access import disclosures
from continuum.access.models import CaseExclusion, CaseRestriction, EmergencyAccess
from continuum.core.exceptions import NotFound
from continuum.core.models import (
    Agency,
    AgencyType,
    Case,
    Membership,
    Person,
    Role,
    Sensitivity,
    TimelineEvent,
)
from continuum.intake.models import (
    ContactPointTraining,
    Investigation,
    Measure,
    MonitoringReview,
    Notification,
    Routing,
    Signal,
    SignalStatus,
    SignOffSide,
    TriageDecision,
)

# The data-protection officer oversees through the audit log, not by reading case files.
NO_CASE_CONTENT = frozenset({Role.ADMINISTRATOR, Role.EVALUATOR, Role.DATA_PROTECTION_OFFICER})


def sees_everything(membership: Membership) -> bool:
    return (
        membership.is_active
        and membership.role == Role.COORDINATOR
        and membership.agency.type == AgencyType.COORDINATION_PROGRAMME
    )


def may_read_case_content(membership: Membership) -> bool:
    return membership.is_active and membership.role not in NO_CASE_CONTENT


def may_read_identity(membership: Membership) -> bool:
    """Whether identifying details beyond the name (date of birth, national identifier,
    aliases, sentence, placements) may be shown. A mentor gets the minimum they need."""
    return may_read_case_content(membership) and membership.role != Role.MENTOR


def _holding_agency_ids(membership: Membership) -> list[int]:
    """The agencies whose current placements this membership sees: its own, and for a bureau
    the institution it belongs to."""
    ids = [membership.agency_id]
    if membership.agency.type == AgencyType.INTELLIGENCE_BUREAU and membership.agency.parent_id:
        ids.append(membership.agency.parent_id)
    return ids


# An explicit "every row": an empty Q() vanishes when combined with | and would match nothing.
EVERY_ROW = Q(pk__isnull=False)
NO_ROW = Q(pk__isnull=True)


def _team_cases(membership: Membership) -> Q:
    if sees_everything(membership):
        return EVERY_ROW
    named = Q(team_members=membership)
    if membership.role == Role.MENTOR:
        return named
    agency = membership.agency_id
    return named | Q(lead_agency=agency) | Q(team_agencies=agency)


def _emergency_cases(membership: Membership) -> Q:
    return Q(pk__in=EmergencyAccess.objects.active(membership).values("case_id"))


def _excluded_cases(membership: Membership) -> Q:
    return Q(pk__in=CaseExclusion.objects.filter(user=membership.user_id).values("case_id"))


def _restricted_from(membership: Membership) -> Q:
    """Cases with a restriction list that does not name this user."""
    restricted = CaseRestriction.objects.values("case_id")
    named = CaseRestriction.objects.filter(user=membership.user_id).values("case_id")
    return Q(pk__in=restricted) & ~Q(pk__in=named)


def _visible_cases(membership: Membership) -> Q:
    """A condition on ``Case``: the cases this membership may see."""
    through_work = (_team_cases(membership) | disclosures.disclosed_cases(membership)) & ~(
        _restricted_from(membership)
    )
    return ~_excluded_cases(membership) & (through_work | _emergency_cases(membership))


def _withheld_persons(membership: Membership, *, for_writing: bool = False) -> Q:
    """A condition on ``Person``: persons hidden by an exclusion or a restriction on one of
    their cases. For reading, active break-glass access to that case lifts a restriction; for
    writing it does not (emergency access is read-only)."""
    restricted = _restricted_from(membership)
    if not for_writing:
        restricted &= ~_emergency_cases(membership)
    withheld = Case.objects.filter(_excluded_cases(membership) | restricted)
    return Q(pk__in=withheld.values("person_id"))


def scope_cases(membership: Membership, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The cases this membership may see."""
    cases = Case.objects.all() if cases is None else cases
    if not may_read_case_content(membership):
        return cases.none()
    # Filtering on ids keeps the team joins in a subquery, so no case is listed twice.
    return cases.filter(pk__in=Case.objects.filter(_visible_cases(membership)).values("pk"))


def scope_persons(
    membership: Membership, persons: QuerySet[Person] | None = None
) -> QuerySet[Person]:
    """The persons this membership may see."""
    persons = Person.objects.all() if persons is None else persons
    if not may_read_case_content(membership):
        return persons.none()
    of_visible_cases = Q(pk__in=scope_cases(membership).values("person_id"))
    if sees_everything(membership):
        own = EVERY_ROW
    elif membership.role == Role.MENTOR:
        own = of_visible_cases
    else:
        held_here = Q(
            pk__in=Person.objects.filter(
                placements__ended_on__isnull=True,
                placements__institution__in=_holding_agency_ids(membership),
            ).values("pk")
        )
        own = Q(registered_by=membership.agency_id) | held_here | of_visible_cases
    return persons.filter(own).exclude(_withheld_persons(membership))


def scope_timeline(
    membership: Membership, events: QuerySet[TimelineEvent]
) -> QuerySet[TimelineEvent]:
    """The events of a visible person's timeline this membership may read: those of a
    sensitivity class its role allows, and of cases it may see (or of no case). Intelligence
    held by an agency (a signal routed to it, a bureau's investigation) is read by that
    agency's side and by coordination, not by another institution's bureau."""
    events = events.filter(
        Q(case__isnull=True) | Q(case__in=scope_cases(membership).values("pk")),
        sensitivity__in=visible_sensitivities(membership),
    )
    if sees_everything(membership):
        return events
    # Intelligence nobody holds (it should not exist) is coordination's alone.
    held_here = Q(held_by__in=receiving_agency_ids(membership))
    return events.exclude(Q(sensitivity=Sensitivity.INTELLIGENCE) & ~held_here)


def visible_sensitivities(membership: Membership) -> set[str]:
    """Which sensitivity classes of a visible person's records this membership may read."""
    if not may_read_case_content(membership):
        return set()
    if membership.role == Role.MENTOR:
        return {Sensitivity.MENTOR}
    if sees_everything(membership) or membership.agency.type == AgencyType.INTELLIGENCE_BUREAU:
        return {Sensitivity.INTELLIGENCE, Sensitivity.CASE, Sensitivity.MENTOR}
    return {Sensitivity.CASE, Sensitivity.MENTOR}


AGGREGATE_READERS = frozenset({Role.EVALUATOR, Role.COORDINATOR, Role.DATA_PROTECTION_OFFICER})


def may_read_aggregates(membership: Membership) -> bool:
    """Anonymised figures (sensitivity ``aggregate``): the evaluator's only view of the data,
    and coordination's and the data-protection officer's for oversight."""
    return membership.is_active and membership.role in AGGREGATE_READERS


def can_view_audit(membership: Membership) -> bool:
    """The data-protection officer reads the audit log; nobody else does."""
    return membership.is_active and membership.role == Role.DATA_PROTECTION_OFFICER


def can_review_emergency_access(membership: Membership) -> bool:
    return can_view_audit(membership)


def can_break_glass(membership: Membership) -> bool:
    """Practitioners who may need a case urgently; not mentors, and not the roles that read
    no case content."""
    return may_read_case_content(membership) and membership.role != Role.MENTOR


def can_register_person(membership: Membership) -> bool:
    return may_read_case_content(membership) and membership.role != Role.MENTOR


def can_open_case(membership: Membership) -> bool:
    """Opening a MAR case is the coordination programme's decision."""
    return sees_everything(membership)


def _works_on_case(membership: Membership, case: Case) -> bool:
    """Whether the case is open to this membership for work: not excluded, not restricted
    away. Emergency access does not count; it is read-only."""
    blocked = _excluded_cases(membership) | _restricted_from(membership)
    return Case.objects.filter(pk=case.pk).exclude(blocked).exists()


def can_change_case(membership: Membership, case: Case) -> bool:
    """Coordination and the lead agency change a case (phase, team). Emergency access and
    disclosures are read-only."""
    if not may_read_case_content(membership) or membership.role == Role.MENTOR:
        return False
    in_charge = sees_everything(membership) or case.lead_agency_id == membership.agency_id
    return in_charge and _works_on_case(membership, case)


def can_manage_case_access(membership: Membership, case: Case) -> bool:
    """Who keeps a case's exclusion and restriction lists: those who change the case."""
    return can_change_case(membership, case)


def can_change_person(membership: Membership, person: Person) -> bool:
    """A person's record (identity, sentence, placements) is kept by the agency that
    registered it, by the custodial institution that holds the person now, and by
    coordination. The intelligence bureau reads it but does not keep it."""
    if not may_read_case_content(membership) or membership.role == Role.MENTOR:
        return False
    if (
        Person.objects.filter(pk=person.pk)
        .filter(_withheld_persons(membership, for_writing=True))
        .exists()
    ):
        return False
    if not scope_persons(membership, Person.objects.filter(pk=person.pk)).exists():
        return False
    return (
        sees_everything(membership)
        or person.registered_by_id == membership.agency_id
        or person.placements.filter(
            ended_on__isnull=True, institution=membership.agency_id
        ).exists()
    )


def get_person(membership: Membership, reference: str) -> Person:
    """The person with this reference if this membership may see it; else :class:`NotFound`."""
    person = scope_persons(membership).filter(reference=reference).first()
    if person is None:
        raise NotFound
    return person


def get_case(membership: Membership, reference: str) -> Case:
    """The case with this reference if this membership may see it; else :class:`NotFound`."""
    case = (
        scope_cases(membership)
        .select_related("person", "lead_agency")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise NotFound
    return case


# --- signals -------------------------------------------------------------------------------

SIGNAL_REPORTERS = frozenset(
    {
        Role.CONTACT_POINT,
        Role.BUREAU_ANALYST,
        Role.CASE_MANAGER,
        Role.PROBATION_OFFICER,
        Role.POLICE_LIAISON,
        Role.PROSECUTOR,
    }
)
SIGNAL_RECEIVERS = frozenset({Role.CONTACT_POINT, Role.BUREAU_ANALYST, Role.COORDINATOR})


def can_record_signal(membership: Membership) -> bool:
    """Custodial staff and the external partners record signals; coordination receives them."""
    return membership.is_active and membership.role in SIGNAL_REPORTERS


def can_receive_signals(membership: Membership) -> bool:
    """Who has a signal queue: an institution's contact points, its bureau, coordination."""
    if not membership.is_active or membership.role not in SIGNAL_RECEIVERS:
        return False
    return membership.role != Role.COORDINATOR or sees_everything(membership)


def scope_signals(
    membership: Membership, signals: QuerySet[Signal] | None = None
) -> QuerySet[Signal]:
    """The signals this membership may see (see "Signals" above)."""
    signals = Signal.objects.all() if signals is None else signals
    if not may_read_case_content(membership) or membership.role == Role.MENTOR:
        return signals.none()
    if sees_everything(membership):
        visible = EVERY_ROW
    elif membership.role == Role.CASE_MANAGER or (
        membership.role == Role.CONTACT_POINT and not has_current_training(membership)
    ):
        visible = Q(reporting_agency=membership.agency_id)
    else:
        visible = Q(reporting_agency=membership.agency_id) | Q(
            routed_to__in=_holding_agency_ids(membership)
        )
    withheld = Person.objects.filter(_withheld_persons(membership)).values("pk")
    return signals.filter(visible).exclude(person__in=withheld)


def can_write_about_person(membership: Membership, person: Person) -> bool:
    """Whether the membership may add a record (a signal, an attachment) about a person it
    sees. Emergency access is read-only: a person withheld by an exclusion or a restriction,
    seen only through emergency access, is not written about."""
    withheld = Person.objects.filter(_withheld_persons(membership, for_writing=True))
    return not withheld.filter(pk=person.pk).exists()


def can_attach_to_signal(membership: Membership, signal: Signal) -> bool:
    """Attachments are added to a signal by the agency that reported it, by members who
    record signals, and not about a person seen only through emergency access."""
    return (
        can_record_signal(membership)
        and signal.reporting_agency_id == membership.agency_id
        and can_write_about_person(membership, signal.person)
    )


def has_current_training(membership: Membership) -> bool:
    """Whether a contact point's training is current today: only then do the signals routed
    to their institution reach them."""
    today = timezone.localdate()
    return ContactPointTraining.objects.filter(
        membership=membership, trained_on__lte=today, expires_on__gt=today
    ).exists()


def get_signal(membership: Membership, reference: str) -> Signal:
    """The signal with this reference if this membership may see it; else :class:`NotFound`."""
    signal = (
        scope_signals(membership)
        .select_related("person", "reporting_agency", "routed_to", "reported_by__user")
        .filter(reference=reference)
        .first()
    )
    if signal is None:
        raise NotFound
    return signal


def contact_point_institutions(membership: Membership) -> QuerySet[Agency]:
    """The institutions whose register of trained contact points this membership reads: its
    own (a contact point's institution, a bureau's parent), or every one for coordination."""
    institutions = Agency.objects.filter(type=AgencyType.CUSTODIAL_INSTITUTION)
    if not can_receive_signals(membership):
        return institutions.none()
    if sees_everything(membership):
        return institutions
    return institutions.filter(pk__in=_holding_agency_ids(membership))


def can_keep_contact_points(membership: Membership, institution: Agency | None) -> bool:
    """The institution's bureau and coordination record trainings (of some institution,
    when ``institution`` is None)."""
    if membership.role not in {Role.BUREAU_ANALYST, Role.COORDINATOR}:
        return False
    institutions = contact_point_institutions(membership)
    if institution is not None:
        institutions = institutions.filter(pk=institution.pk)
    return institutions.exists()


# --- investigation and triage --------------------------------------------------------------


def is_bureau_analyst(membership: Membership) -> bool:
    return (
        membership.is_active
        and membership.role == Role.BUREAU_ANALYST
        and membership.agency.type == AgencyType.INTELLIGENCE_BUREAU
    )


def can_investigate(membership: Membership) -> bool:
    """The bureau's analysts open investigations, record findings and request measures."""
    return is_bureau_analyst(membership)


def can_read_investigations(membership: Membership) -> bool:
    """Who has investigation pages at all: the bureau's analysts and the coordinators."""
    return is_bureau_analyst(membership) or sees_everything(membership)


def scope_investigations(
    membership: Membership, investigations: QuerySet[Investigation] | None = None
) -> QuerySet[Investigation]:
    """The investigations this membership may read: its bureau's, or all for coordination."""
    investigations = Investigation.objects.all() if investigations is None else investigations
    if sees_everything(membership):
        visible = EVERY_ROW
    elif is_bureau_analyst(membership):
        visible = Q(bureau=membership.agency_id)
    else:
        return investigations.none()
    withheld = Person.objects.filter(_withheld_persons(membership)).values("pk")
    return investigations.filter(visible).exclude(person__in=withheld)


def get_investigation(membership: Membership, reference: str) -> Investigation:
    investigation = (
        scope_investigations(membership)
        .select_related("person", "bureau", "opened_by__user")
        .filter(reference=reference)
        .first()
    )
    if investigation is None:
        raise NotFound
    return investigation


def can_work_on_investigation(membership: Membership, investigation: Investigation) -> bool:
    """Findings and measures are the holding bureau's work, and only while it is open.
    A person withheld from the membership for writing is withheld here too."""
    if not is_bureau_analyst(membership) or investigation.bureau_id != membership.agency_id:
        return False
    withheld = Person.objects.filter(_withheld_persons(membership, for_writing=True))
    return not withheld.filter(pk=investigation.person_id).exists()


def can_authorise_measure(membership: Membership, measure: Measure) -> bool:
    """Another analyst of the same bureau, never the user who requested the measure."""
    return (
        can_work_on_investigation(membership, measure.investigation)
        and measure.requested_by.user_id != membership.user_id
    )


def _coordinates_investigation(membership: Membership, investigation: Investigation) -> bool:
    """A coordinator who sees the investigation and may write about its person (emergency
    access is read-only)."""
    return (
        sees_everything(membership)
        and scope_investigations(membership).filter(pk=investigation.pk).exists()
        and can_write_about_person(membership, investigation.person)
    )


def can_propose_triage(membership: Membership, investigation: Investigation) -> bool:
    if sees_everything(membership):
        return _coordinates_investigation(membership, investigation)
    return can_work_on_investigation(membership, investigation)


def sign_off_side(membership: Membership, decision: TriageDecision) -> str | None:
    """On whose behalf this membership signs a triage decision: the custodial side for an
    analyst of the bureau that holds the investigation, coordination for a coordinator, or
    ``None`` when they may not sign it at all."""
    investigation = decision.investigation
    if sees_everything(membership):
        if _coordinates_investigation(membership, investigation):
            return SignOffSide.COORDINATION
        return None
    if can_work_on_investigation(membership, investigation):
        return SignOffSide.CUSTODIAL
    return None


def scope_decisions(
    membership: Membership, decisions: QuerySet[TriageDecision] | None = None
) -> QuerySet[TriageDecision]:
    decisions = TriageDecision.objects.all() if decisions is None else decisions
    return decisions.filter(investigation__in=scope_investigations(membership).values("pk"))


def scope_measures(
    membership: Membership, measures: QuerySet[Measure] | None = None
) -> QuerySet[Measure]:
    measures = Measure.objects.all() if measures is None else measures
    return measures.filter(investigation__in=scope_investigations(membership).values("pk"))


def scope_reviews(
    membership: Membership, reviews: QuerySet[MonitoringReview] | None = None
) -> QuerySet[MonitoringReview]:
    """Reviews of "monitor" decisions: the bureau's own, and every one for coordination."""
    reviews = MonitoringReview.objects.all() if reviews is None else reviews
    return reviews.filter(decision__investigation__in=scope_investigations(membership).values("pk"))


def can_complete_review(membership: Membership, review: MonitoringReview) -> bool:
    investigation = review.decision.investigation
    if sees_everything(membership):
        return _coordinates_investigation(membership, investigation)
    return can_work_on_investigation(membership, investigation)


def can_receive_notifications(membership: Membership) -> bool:
    """Practitioners read the notifications sent to their agency; mentors and the roles that
    read no case content have none."""
    return may_read_case_content(membership) and membership.role != Role.MENTOR


def scope_notifications(
    membership: Membership, notifications: QuerySet[Notification] | None = None
) -> QuerySet[Notification]:
    """The notifications sent to this membership's agency, for its practitioners; mentors
    and the roles that read no case content get none."""
    notifications = Notification.objects.all() if notifications is None else notifications
    if not can_receive_notifications(membership):
        return notifications.none()
    withheld = Person.objects.filter(_withheld_persons(membership)).values("pk")
    return notifications.filter(recipient=membership.agency_id).exclude(person__in=withheld)


def can_acknowledge_notification(membership: Membership, notification: Notification) -> bool:
    return scope_notifications(
        membership, Notification.objects.filter(pk=notification.pk)
    ).exists() and can_write_about_person(membership, notification.person)


def can_dismiss_signal(membership: Membership, signal: Signal) -> bool:
    """Coordination dismisses a signal in its own queue (a person not held in custody);
    signals routed to a bureau are assessed through an investigation and triage."""
    return (
        sees_everything(membership)
        and signal.routing == Routing.COORDINATION
        and signal.status == SignalStatus.AWAITING_ASSESSMENT
        and can_write_about_person(membership, signal.person)
    )


def receiving_agency_ids(membership: Membership) -> list[int]:
    """The agencies whose routed signals this membership receives: its own, and for a
    bureau analyst also the institution the bureau belongs to (signals passed on to it)."""
    ids = [membership.agency_id]
    if membership.role == Role.BUREAU_ANALYST and membership.agency.parent_id:
        ids.append(membership.agency.parent_id)
    return ids


def received_signals(membership: Membership) -> Q:
    """A condition on ``Signal``: those routed to this membership's side, to assess.
    Coordination receives every signal; a contact point only while trained."""
    if sees_everything(membership):
        return EVERY_ROW
    if not can_receive_signals(membership) or (
        membership.role == Role.CONTACT_POINT and not has_current_training(membership)
    ):
        return NO_ROW
    return Q(routed_to__in=receiving_agency_ids(membership))


def receives_signal(membership: Membership, signal: Signal) -> bool:
    """Whether the signal was routed to this membership's side (see :func:`received_signals`)."""
    return Signal.objects.filter(pk=signal.pk).filter(received_signals(membership)).exists()


def may_see_assessment(membership: Membership, signal: Signal) -> bool:
    """A signal's status (under investigation, assessed, dismissed) tells how it was assessed:
    the receiving side and coordination read it; the reporter only that it was received."""
    return receives_signal(membership, signal)


def can_take_into_investigation(membership: Membership, signal: Signal) -> bool:
    """An analyst of the bureau the signal was routed (or passed on) to, who may write about
    its person (emergency access is read-only)."""
    return (
        can_investigate(membership)
        and signal.routed_to_id in receiving_agency_ids(membership)
        and can_write_about_person(membership, signal.person)
    )
