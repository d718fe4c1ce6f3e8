"""The access policy of the intake stage (app ``intake``): signals, contact points, the bureau's
investigation and its measures, triage decisions, monitoring reviews and stakeholder notices.

Everything here builds on the base rules of :mod:`continuum.access.policy`: a person withheld
from a membership by an exclusion or a restriction is withheld with every intake record about
them (:func:`~continuum.access.policy.scope_about_person`), and a person seen past a
restriction only through emergency access is not written about
(:func:`~continuum.access.policy.can_write_about_person`).

Signals
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
    police, probation, municipalities and prosecution (*external*) (:func:`can_record_signal`);
    attachments are added by the agency that reported the signal (:func:`can_attach_to_signal`).
    The signal queue is for those who receive signals: contact points, the bureau and
    coordination (:func:`can_receive_signals`, :func:`received_signals`); only the receiving
    side and coordination read how a signal was assessed (:func:`may_see_assessment`).
    Coordination follows the external signals passed on to the institution holding the person
    (:func:`can_see_passed_on_signals`) and dismisses the signals in its own queue, about a
    person not held in custody (:func:`can_dismiss_signals`, :func:`can_dismiss_signal`).

Contact points
    The register of trained contact points of an institution is read by its contact points and
    bureau and by coordination; the bureau and coordination keep it
    (:func:`contact_point_institutions`, :func:`can_keep_contact_points`).

Investigation and triage
    An investigation, its findings and measures, and the triage decisions on it are
    intelligence: read by the analysts of the bureau that holds the investigation and by the
    coordinators, never by anyone else (:func:`scope_investigations`, :func:`scope_measures`,
    :func:`scope_triage_decisions`). The bureau's analysts open investigations from the signals
    routed to them (:func:`can_take_into_investigation`), record findings and request measures
    (:func:`can_investigate`, :func:`can_work_on_investigation`); a measure is authorised, and
    renewed, by another analyst of the same bureau, never by the user who requested it
    (:func:`can_authorise_measure`). A triage decision is proposed by the bureau or by
    coordination (:func:`can_propose_triage`) and takes effect with two sign-offs: one for the
    custodial side by an analyst of the bureau, one by a coordinator, who must be different
    users of different agencies (:func:`sign_off_side`). A "monitor" decision leaves a
    monitoring review for the bureau, seen by the bureau and coordination
    (:func:`scope_monitoring_reviews`, :func:`can_complete_monitoring_review`). A "notify"
    decision sends the agreed text, and only that, to each stakeholder agency as a stakeholder
    notice, read there by its practitioners (:func:`scope_stakeholder_notices`,
    :func:`can_acknowledge_stakeholder_notice`). What the rest of the team sees of all this is
    the referral event on the MAR case, never the intelligence behind it.

Each ``get_*`` answers one visible object or :class:`~continuum.core.exceptions.NotFound`
(see :func:`continuum.access.policy.get_visible`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from continuum.access import policy as base
from continuum.core.models import Agency, AgencyType, Membership, Role
from continuum.intake.models import (
    ContactPointTraining,
    Investigation,
    Measure,
    MonitoringReview,
    Routing,
    Signal,
    SignalStatus,
    SignOffSide,
    StakeholderNotice,
    TriageDecision,
)

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
    return membership.role != Role.COORDINATOR or base.is_coordinator(membership)


def has_current_training(membership: Membership) -> bool:
    """Whether a contact point's training is current today: only then do the signals routed
    to their institution reach them."""
    today = timezone.localdate()
    return ContactPointTraining.objects.filter(
        membership=membership, trained_on__lte=today, expires_on__gt=today
    ).exists()


def scope_signals(
    membership: Membership, signals: QuerySet[Signal] | None = None
) -> QuerySet[Signal]:
    """The signals this membership may see (see "Signals" above)."""
    signals = Signal.objects.all() if signals is None else signals
    if not base.may_read_case_content(membership) or membership.role == Role.MENTOR:
        return signals.none()
    if base.is_coordinator(membership):
        visible = base.EVERY_ROW
    elif membership.role == Role.CASE_MANAGER or (
        membership.role == Role.CONTACT_POINT and not has_current_training(membership)
    ):
        visible = Q(reporting_agency=membership.agency_id)
    else:
        visible = Q(reporting_agency=membership.agency_id) | Q(
            routed_to__in=base.holding_agency_ids(membership)
        )
    return base.scope_about_person(membership, signals.filter(visible))


def get_signal(membership: Membership, reference: str) -> Signal:
    """The signal with this reference if this membership may see it; else :class:`NotFound`."""
    return base.get_visible(
        scope_signals,
        membership,
        reference=reference,
        related=("person", "reporting_agency", "routed_to", "reported_by__user"),
    )


def can_attach_to_signal(membership: Membership, signal: Signal) -> bool:
    """Attachments are added to a signal by the agency that reported it, by members who
    record signals, and not about a person seen only through emergency access."""
    return (
        can_record_signal(membership)
        and signal.reporting_agency_id == membership.agency_id
        and base.can_write_about_person(membership, signal.person)
    )


def received_signals(membership: Membership) -> Q:
    """A condition on ``Signal``: those routed to this membership's side, to assess.
    Coordination receives every signal; a contact point only while trained; a bureau analyst
    also those passed on to the bureau's institution
    (:func:`~continuum.access.policy.holding_agency_ids`)."""
    if base.is_coordinator(membership):
        return base.EVERY_ROW
    if not can_receive_signals(membership) or (
        membership.role == Role.CONTACT_POINT and not has_current_training(membership)
    ):
        return base.NO_ROW
    return Q(routed_to__in=base.holding_agency_ids(membership))


def receives_signal(membership: Membership, signal: Signal) -> bool:
    """Whether the signal was routed to this membership's side (see :func:`received_signals`)."""
    return Signal.objects.filter(pk=signal.pk).filter(received_signals(membership)).exists()


def may_see_assessment(membership: Membership, signal: Signal) -> bool:
    """A signal's status (under investigation, assessed, dismissed) tells how it was assessed:
    the receiving side and coordination read it; the reporter only that it was received."""
    return receives_signal(membership, signal)


def can_see_passed_on_signals(membership: Membership) -> bool:
    """Coordination follows the external signals passed on to the custodial institution that
    holds the person, while they await assessment there."""
    return base.is_coordinator(membership)


def can_dismiss_signals(membership: Membership) -> bool:
    """Who dismisses signals at all: coordination, in its own queue. To anyone else (the
    reporter, who sees the signal) the action does not exist. Which signal may be dismissed
    now: :func:`can_dismiss_signal`."""
    return base.is_coordinator(membership)


def can_dismiss_signal(membership: Membership, signal: Signal) -> bool:
    """Coordination dismisses a signal in its own queue (a person not held in custody) while
    it awaits assessment, unless the person is seen only through emergency access; signals
    routed to a bureau are assessed through an investigation and triage."""
    return (
        can_dismiss_signals(membership)
        and signal.routing == Routing.COORDINATION
        and signal.status == SignalStatus.AWAITING_ASSESSMENT
        and base.can_write_about_person(membership, signal.person)
    )


# --- contact points ------------------------------------------------------------------------


def contact_point_institutions(membership: Membership) -> QuerySet[Agency]:
    """The institutions whose register of trained contact points this membership reads: its
    own (a contact point's institution, a bureau's parent), or every one for coordination."""
    institutions = Agency.objects.filter(type=AgencyType.CUSTODIAL_INSTITUTION)
    if not can_receive_signals(membership):
        return institutions.none()
    if base.is_coordinator(membership):
        return institutions
    return institutions.filter(pk__in=base.holding_agency_ids(membership))


def can_keep_contact_points(membership: Membership, institution: Agency | None) -> bool:
    """The institution's bureau and coordination record trainings (of some institution,
    when ``institution`` is None)."""
    if membership.role not in {Role.BUREAU_ANALYST, Role.COORDINATOR}:
        return False
    institutions = contact_point_institutions(membership)
    if institution is not None:
        institutions = institutions.filter(pk=institution.pk)
    return institutions.exists()


# --- investigation -------------------------------------------------------------------------


def can_investigate(membership: Membership) -> bool:
    """The bureau's analysts open investigations, record findings and request measures."""
    return base.is_bureau_analyst(membership)


def can_read_investigations(membership: Membership) -> bool:
    """Who has investigation pages at all: the bureau's analysts and the coordinators."""
    return base.is_bureau_analyst(membership) or base.is_coordinator(membership)


def scope_investigations(
    membership: Membership, investigations: QuerySet[Investigation] | None = None
) -> QuerySet[Investigation]:
    """The investigations this membership may read: its bureau's, or all for coordination."""
    investigations = Investigation.objects.all() if investigations is None else investigations
    if base.is_coordinator(membership):
        visible = base.EVERY_ROW
    elif base.is_bureau_analyst(membership):
        visible = Q(bureau=membership.agency_id)
    else:
        return investigations.none()
    return base.scope_about_person(membership, investigations.filter(visible))


def get_investigation(membership: Membership, reference: str) -> Investigation:
    """The investigation with this reference if this membership may read it; else
    :class:`NotFound`."""
    return base.get_visible(
        scope_investigations,
        membership,
        reference=reference,
        related=("person", "bureau", "opened_by__user"),
    )


def can_take_into_investigation(membership: Membership, signal: Signal) -> bool:
    """An analyst of the bureau the signal was routed (or passed on) to, who may write about
    its person (emergency access is read-only)."""
    return (
        can_investigate(membership)
        and signal.routed_to_id in base.holding_agency_ids(membership)
        and base.can_write_about_person(membership, signal.person)
    )


def workable_investigations(membership: Membership) -> Q:
    """A condition on ``Investigation``: those this membership works on (findings, measures,
    proposing and signing off for the custodial side): its own bureau's, for its analysts,
    unless the person is withheld from it for writing (emergency access is read-only)."""
    if not base.is_bureau_analyst(membership):
        return base.NO_ROW
    own = Investigation.objects.filter(bureau=membership.agency_id)
    return Q(pk__in=base.scope_about_person(membership, own, for_writing=True).values("pk"))


def coordinated_investigations(membership: Membership) -> Q:
    """A condition on ``Investigation``: those a coordinator acts on (proposing, signing off
    for coordination, completing reviews): every one it sees whose person it may write about."""
    if not base.is_coordinator(membership):
        return base.NO_ROW
    seen = scope_investigations(membership)
    return Q(pk__in=base.scope_about_person(membership, seen, for_writing=True).values("pk"))


def triage_investigations(membership: Membership) -> Q:
    """A condition on ``Investigation``: those on which this membership proposes and signs off
    triage decisions and completes monitoring reviews, for either side."""
    return workable_investigations(membership) | coordinated_investigations(membership)


def _holds(condition: Q, investigation: Investigation) -> bool:
    return Investigation.objects.filter(pk=investigation.pk).filter(condition).exists()


def can_work_on_investigation(membership: Membership, investigation: Investigation) -> bool:
    """Findings and measures are the holding bureau's work (and only while it is open, which
    the services check); see :func:`workable_investigations`."""
    if not base.is_bureau_analyst(membership) or investigation.bureau_id != membership.agency_id:
        return False
    return _holds(workable_investigations(membership), investigation)


def _coordinates_investigation(membership: Membership, investigation: Investigation) -> bool:
    """See :func:`coordinated_investigations`."""
    return base.is_coordinator(membership) and _holds(
        coordinated_investigations(membership), investigation
    )


# --- measures ------------------------------------------------------------------------------


def scope_measures(
    membership: Membership, measures: QuerySet[Measure] | None = None
) -> QuerySet[Measure]:
    """The measures of the investigations this membership may read."""
    measures = Measure.objects.all() if measures is None else measures
    return measures.filter(investigation__in=scope_investigations(membership).values("pk"))


def get_measure(membership: Membership, reference: str) -> Measure:
    """The measure with this reference if this membership may read it; else
    :class:`NotFound`."""
    return base.get_visible(
        scope_measures,
        membership,
        reference=reference,
        related=("investigation__person", "investigation__bureau", "requested_by__user"),
    )


def authorisable_measures(membership: Membership) -> Q:
    """A condition on ``Measure``: those this membership may authorise (and renew): measures
    of an investigation it works on, requested by another user. Whether the measure's status
    allows it is the service's check."""
    return Q(
        investigation__in=Investigation.objects.filter(workable_investigations(membership))
    ) & ~Q(requested_by__user=membership.user_id)


def can_authorise_measure(membership: Membership, measure: Measure) -> bool:
    """Another analyst of the same bureau, never the user who requested the measure (see
    :func:`authorisable_measures`)."""
    if not base.is_bureau_analyst(membership):
        return False
    rows = Measure.objects.filter(pk=measure.pk)
    return rows.filter(authorisable_measures(membership)).exists()


# --- triage decisions ----------------------------------------------------------------------


def scope_triage_decisions(
    membership: Membership, decisions: QuerySet[TriageDecision] | None = None
) -> QuerySet[TriageDecision]:
    """The triage decisions on the investigations this membership may read."""
    decisions = TriageDecision.objects.all() if decisions is None else decisions
    return decisions.filter(investigation__in=scope_investigations(membership).values("pk"))


def get_triage_decision(membership: Membership, reference: str) -> TriageDecision:
    """The triage decision with this reference if this membership may read it; else
    :class:`NotFound`."""
    return base.get_visible(
        scope_triage_decisions,
        membership,
        reference=reference,
        related=("investigation__person", "investigation__bureau"),
    )


def can_propose_triage(membership: Membership, investigation: Investigation) -> bool:
    """The holding bureau's analysts, and coordination, propose a triage decision (not about
    a person seen only through emergency access)."""
    if base.is_coordinator(membership):
        return _coordinates_investigation(membership, investigation)
    return can_work_on_investigation(membership, investigation)


def sign_off_side(membership: Membership, decision: TriageDecision) -> str | None:
    """On whose behalf this membership signs a triage decision (see
    :func:`sign_off_side_on`)."""
    return sign_off_side_on(membership, decision.investigation)


def sign_off_side_on(membership: Membership, investigation: Investigation) -> str | None:
    """On whose behalf this membership signs the triage decisions of an investigation: the
    custodial side for an analyst of the bureau that holds it, coordination for a coordinator,
    or ``None`` when they may not sign them at all. The same for every decision of the
    investigation, so a page asks it once."""
    if base.is_coordinator(membership):
        if _coordinates_investigation(membership, investigation):
            return SignOffSide.COORDINATION
        return None
    if can_work_on_investigation(membership, investigation):
        return SignOffSide.CUSTODIAL
    return None


# --- monitoring reviews --------------------------------------------------------------------


def scope_monitoring_reviews(
    membership: Membership, reviews: QuerySet[MonitoringReview] | None = None
) -> QuerySet[MonitoringReview]:
    """Monitoring reviews of "monitor" decisions: the bureau's own, and every one for
    coordination."""
    reviews = MonitoringReview.objects.all() if reviews is None else reviews
    return reviews.filter(decision__investigation__in=scope_investigations(membership).values("pk"))


def get_monitoring_review(membership: Membership, reference: str) -> MonitoringReview:
    """The monitoring review with this reference if this membership may read it; else
    :class:`NotFound`."""
    return base.get_visible(
        scope_monitoring_reviews,
        membership,
        reference=reference,
        related=("decision__investigation__person", "agency"),
    )


def completable_monitoring_reviews(membership: Membership) -> Q:
    """A condition on ``MonitoringReview``: those this membership may record as done: of an
    investigation it acts on for triage (:func:`triage_investigations`)."""
    acted_on = Investigation.objects.filter(triage_investigations(membership))
    return Q(decision__investigation__in=acted_on)


def can_complete_monitoring_review(membership: Membership, review: MonitoringReview) -> bool:
    """The holding bureau's analysts, and coordination, record that a monitoring review was
    done (not about a person seen only through emergency access)."""
    rows = MonitoringReview.objects.filter(pk=review.pk)
    return rows.filter(completable_monitoring_reviews(membership)).exists()


# --- stakeholder notices -------------------------------------------------------------------


def can_receive_stakeholder_notices(membership: Membership) -> bool:
    """Practitioners read the stakeholder notices sent to their agency; mentors and the roles
    that read no case content have none."""
    return base.may_read_case_content(membership) and membership.role != Role.MENTOR


def scope_stakeholder_notices(
    membership: Membership, notices: QuerySet[StakeholderNotice] | None = None
) -> QuerySet[StakeholderNotice]:
    """The stakeholder notices sent to this membership's agency, for its practitioners;
    mentors and the roles that read no case content get none."""
    notices = StakeholderNotice.objects.all() if notices is None else notices
    if not can_receive_stakeholder_notices(membership):
        return notices.none()
    return base.scope_about_person(membership, notices.filter(recipient=membership.agency_id))


def get_stakeholder_notice(membership: Membership, reference: str) -> StakeholderNotice:
    """The stakeholder notice with this reference if this membership may read it; else
    :class:`NotFound`."""
    return base.get_visible(
        scope_stakeholder_notices,
        membership,
        reference=reference,
        related=("person", "decision", "acknowledged_by__user"),
    )


def can_acknowledge_stakeholder_notice(membership: Membership, notice: StakeholderNotice) -> bool:
    """A practitioner of the recipient agency acknowledges a stakeholder notice (not about a
    person seen only through emergency access)."""
    return scope_stakeholder_notices(
        membership, StakeholderNotice.objects.filter(pk=notice.pk)
    ).exists() and base.can_write_about_person(membership, notice.person)
