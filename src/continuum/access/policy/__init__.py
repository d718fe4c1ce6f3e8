"""The access policy: the one place that decides who may see and change case data.

Read this package to know who sees what. Every selector, view, API view and service asks it;
nothing reads persons, cases or the records about them around it. This module is the base: the
rules every part of the process shares. Each stage of the process adds its own rules in a
module of its own in this package (one module per stage, listed at the end); a stage's module
builds on this one, and this one knows no stage.

A user acts in one :class:`~continuum.core.models.Membership` (an agency and a role).

Who sees a case
    * The administrator manages accounts and configuration and reads no case content.
    * The evaluator sees anonymised figures only, never a person or case.
    * The data-protection officer oversees through the audit log and the emergency-access
      review queue, and reads no case content.
    * The coordination programme's coordinators (:func:`is_coordinator`) coordinate every
      MAR case and see them all.
    * A membership sees a case its agency leads or is on the team of, or on which it is named.
      A mentor sees only the cases on which they are named.
    * A case disclosed to the membership's agency (see :mod:`continuum.access.disclosures`)
      is seen as a team member sees it.
    * Emergency ("break-glass") access: a practitioner other than a mentor
      (:func:`can_break_glass`) who stated a written justification sees that one case,
      read-only, until the access expires (4 hours by default). The data-protection officer
      reviews every one.
    (:func:`scope_cases`, :func:`get_case`.)

What narrows it, whatever the above says
    * **Exclusion**: a user excluded from a case sees it as not existing, and does not see its
      person either. Nothing overrides an exclusion, not even emergency access; nor does
      being a coordinator.
    * **Restriction**: a case with a restriction list is visible only to the users named on it
      (and, in an emergency, through break-glass access, which is reviewed).
    * A person withheld by either is withheld with every record about them, in every stage
      (:func:`withheld_persons`, :func:`scope_about_person`).

Who sees a person
    The person of any case the membership sees; and, outside the mentor role, a person the
    membership's agency registered or holds now (the custodial institution of the current
    placement, or its intelligence bureau: :func:`holding_agency_ids`); the coordinators see
    everyone. Exclusions and restrictions on any of the person's cases withhold the person
    too. A mentor sees the minimum: the reference and the name (:func:`may_read_identity`).
    (:func:`scope_persons`, :func:`get_person`.)

What of a visible person's records
    Records carry a sensitivity class. ``intelligence``: the intelligence bureau and
    coordination only, and of intelligence an agency holds, only that agency's side and
    coordination. ``case``: the team. ``mentor``: also the mentor. Case-bound records show
    only for cases the membership sees (:func:`visible_sensitivities`,
    :func:`scope_timeline`). ``aggregate`` is not a record about a person but anonymised
    figures, read by evaluators, coordination and the data-protection officer
    (:func:`may_read_aggregates`).

Who changes what
    Emergency access is read-only: a person withheld by an exclusion or a restriction and
    seen only through emergency access is not written about (:func:`can_write_about_person`),
    and no case is changed through emergency access or a disclosure. A person's record is
    kept by the agency that registered it, the institution that holds the person now, and
    coordination (:func:`can_change_person`); any practitioner but a mentor registers a
    person (:func:`can_register_person`). Coordination opens MAR cases
    (:func:`can_open_case`); coordination and the lead agency change a case and keep its
    exclusion and restriction lists (:func:`can_change_case`, :func:`can_manage_case_access`).

Oversight
    The data-protection officer reads the audit log and reviews emergency accesses
    (:func:`can_view_audit`, :func:`can_review_emergency_access`,
    :func:`scope_emergency_accesses_to_review`).

Asking the policy for one object
    :func:`get_visible` answers the one visible object, :func:`lock_visible` locks it for a
    write, after checking that it is visible. Objects outside a membership's scope are
    answered as "not found" (:class:`~continuum.core.exceptions.NotFound`), never
    "forbidden", so their existence is not disclosed.

The stages (one module each)
    * Signals, investigation and triage: :mod:`continuum.access.policy.intake`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.transaction import TransactionManagementError

from continuum.access import disclosures
from continuum.access.models import CaseExclusion, CaseRestriction, EmergencyAccess
from continuum.core.exceptions import NotFound
from continuum.core.models import (
    AgencyType,
    Case,
    Membership,
    Person,
    Role,
    Sensitivity,
    TimelineEvent,
)

_M = TypeVar("_M", bound=models.Model)

# The data-protection officer oversees through the audit log, not by reading case files.
NO_CASE_CONTENT = frozenset({Role.ADMINISTRATOR, Role.EVALUATOR, Role.DATA_PROTECTION_OFFICER})
AGGREGATE_READERS = frozenset({Role.EVALUATOR, Role.COORDINATOR, Role.DATA_PROTECTION_OFFICER})

# An explicit "every row": an empty Q() vanishes when combined with | and would match nothing.
EVERY_ROW = Q(pk__isnull=False)
NO_ROW = Q(pk__isnull=True)


# --- who the membership is ------------------------------------------------------------------


def is_coordinator(membership: Membership) -> bool:
    """An active coordinator of the coordination programme. They coordinate every MAR case and
    see every case and person; exclusions and restrictions still apply to them."""
    return (
        membership.is_active
        and membership.role == Role.COORDINATOR
        and membership.agency.type == AgencyType.COORDINATION_PROGRAMME
    )


def is_bureau_analyst(membership: Membership) -> bool:
    """An active analyst of an intelligence bureau."""
    return (
        membership.is_active
        and membership.role == Role.BUREAU_ANALYST
        and membership.agency.type == AgencyType.INTELLIGENCE_BUREAU
    )


def may_read_case_content(membership: Membership) -> bool:
    """An active membership outside the roles that read no case content (administrator,
    evaluator, data-protection officer)."""
    return membership.is_active and membership.role not in NO_CASE_CONTENT


def may_read_identity(membership: Membership) -> bool:
    """Whether identifying details beyond the name (date of birth, national identifier,
    aliases, sentence, placements) may be shown. A mentor gets the minimum they need."""
    return may_read_case_content(membership) and membership.role != Role.MENTOR


def holding_agency_ids(membership: Membership) -> list[int]:
    """The agencies on whose side this membership works: its own, and for a member of an
    intelligence bureau also the custodial institution the bureau belongs to. A person held
    by one of them (a current placement) is seen, and intelligence one of them holds is read;
    a stage's rules use it for what is routed to that side."""
    ids = [membership.agency_id]
    if membership.agency.type == AgencyType.INTELLIGENCE_BUREAU and membership.agency.parent_id:
        ids.append(membership.agency.parent_id)
    return ids


# --- conditions on cases and persons --------------------------------------------------------


def _team_cases(membership: Membership) -> Q:
    if is_coordinator(membership):
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


def withheld_persons(membership: Membership, *, for_writing: bool = False) -> Q:
    """A condition on ``Person``: the persons hidden from this membership by an exclusion or a
    restriction on one of their cases. For reading, active emergency access to that case lifts
    a restriction (never an exclusion); for writing it does not, as emergency access is
    read-only."""
    restricted = _restricted_from(membership)
    if not for_writing:
        restricted &= ~_emergency_cases(membership)
    withheld = Case.objects.filter(_excluded_cases(membership) | restricted)
    return Q(pk__in=withheld.values("person_id"))


def scope_about_person(
    membership: Membership,
    queryset: QuerySet[_M],
    field: str = "person",
    *,
    for_writing: bool = False,
) -> QuerySet[_M]:
    """``queryset`` without the rows about a person withheld from this membership (see
    :func:`withheld_persons`); ``field`` names the row's person. Every scope of records about
    a person applies it, so an exclusion or restriction withholds them all. With
    ``for_writing`` emergency access lifts no restriction, so the rows about a person seen
    past a restriction only through it go too."""
    withheld = Person.objects.filter(withheld_persons(membership, for_writing=for_writing))
    return queryset.exclude(**{f"{field}__in": withheld.values("pk")})


# --- cases, persons and their records ------------------------------------------------------


def scope_cases(membership: Membership, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The cases this membership may see (see "Who sees a case" and "What narrows it")."""
    cases = Case.objects.all() if cases is None else cases
    if not may_read_case_content(membership):
        return cases.none()
    # Filtering on ids keeps the team joins in a subquery, so no case is listed twice.
    return cases.filter(pk__in=Case.objects.filter(_visible_cases(membership)).values("pk"))


def scope_persons(
    membership: Membership, persons: QuerySet[Person] | None = None
) -> QuerySet[Person]:
    """The persons this membership may see (see "Who sees a person")."""
    persons = Person.objects.all() if persons is None else persons
    if not may_read_case_content(membership):
        return persons.none()
    of_visible_cases = Q(pk__in=scope_cases(membership).values("person_id"))
    if is_coordinator(membership):
        own = EVERY_ROW
    elif membership.role == Role.MENTOR:
        own = of_visible_cases
    else:
        held_here = Q(
            pk__in=Person.objects.filter(
                placements__ended_on__isnull=True,
                placements__institution__in=holding_agency_ids(membership),
            ).values("pk")
        )
        own = Q(registered_by=membership.agency_id) | held_here | of_visible_cases
    return persons.filter(own).exclude(withheld_persons(membership))


def visible_sensitivities(membership: Membership) -> set[str]:
    """Which sensitivity classes of a visible person's records this membership may read."""
    if not may_read_case_content(membership):
        return set()
    if membership.role == Role.MENTOR:
        return {Sensitivity.MENTOR}
    if is_coordinator(membership) or membership.agency.type == AgencyType.INTELLIGENCE_BUREAU:
        return {Sensitivity.INTELLIGENCE, Sensitivity.CASE, Sensitivity.MENTOR}
    return {Sensitivity.CASE, Sensitivity.MENTOR}


def scope_timeline(
    membership: Membership, events: QuerySet[TimelineEvent]
) -> QuerySet[TimelineEvent]:
    """The events of a visible person's timeline this membership may read: those of a
    sensitivity class its role allows, and of cases it may see (or of no case). Intelligence
    held by an agency (a signal routed to it, a bureau's investigation) is read by that
    agency's side (:func:`holding_agency_ids`) and by coordination, not by another
    institution's bureau; intelligence nobody holds is coordination's alone."""
    events = scope_about_person(membership, events).filter(
        Q(case__isnull=True) | Q(case__in=scope_cases(membership).values("pk")),
        sensitivity__in=visible_sensitivities(membership),
    )
    if is_coordinator(membership):
        return events
    held_here = Q(held_by__in=holding_agency_ids(membership))
    return events.exclude(Q(sensitivity=Sensitivity.INTELLIGENCE) & ~held_here)


def can_write_about_person(membership: Membership, person: Person) -> bool:
    """Whether the membership may add a record (a signal, an attachment, a finding...) about a
    person it sees. Emergency access is read-only: a person withheld by an exclusion or a
    restriction, seen only through emergency access, is not written about."""
    withheld = Person.objects.filter(withheld_persons(membership, for_writing=True))
    return not withheld.filter(pk=person.pk).exists()


def can_register_person(membership: Membership) -> bool:
    """Practitioners register persons; not mentors, and not the roles that read no case
    content."""
    return may_read_case_content(membership) and membership.role != Role.MENTOR


def can_change_person(membership: Membership, person: Person) -> bool:
    """A person's record (identity, sentence, placements) is kept by the agency that
    registered it, by the custodial institution that holds the person now, and by
    coordination. The intelligence bureau reads it but does not keep it. Nobody changes a
    person seen only through emergency access."""
    if not may_read_case_content(membership) or membership.role == Role.MENTOR:
        return False
    if not can_write_about_person(membership, person):
        return False
    if not scope_persons(membership, Person.objects.filter(pk=person.pk)).exists():
        return False
    return (
        is_coordinator(membership)
        or person.registered_by_id == membership.agency_id
        or person.placements.filter(
            ended_on__isnull=True, institution=membership.agency_id
        ).exists()
    )


def can_open_case(membership: Membership) -> bool:
    """Opening a MAR case is the coordination programme's decision."""
    return is_coordinator(membership)


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
    in_charge = is_coordinator(membership) or case.lead_agency_id == membership.agency_id
    return in_charge and _works_on_case(membership, case)


def can_manage_case_access(membership: Membership, case: Case) -> bool:
    """Who keeps a case's exclusion and restriction lists: those who change the case."""
    return can_change_case(membership, case)


def get_person(membership: Membership, reference: str) -> Person:
    """The person with this reference if this membership may see it; else :class:`NotFound`."""
    return get_visible(scope_persons, membership, reference=reference)


def get_case(membership: Membership, reference: str) -> Case:
    """The case with this reference if this membership may see it; else :class:`NotFound`."""
    return get_visible(
        scope_cases, membership, reference=reference, related=("person", "lead_agency")
    )


# --- oversight ------------------------------------------------------------------------------


def may_read_aggregates(membership: Membership) -> bool:
    """Anonymised figures (sensitivity ``aggregate``): the evaluator's only view of the data,
    and coordination's and the data-protection officer's for oversight."""
    return membership.is_active and membership.role in AGGREGATE_READERS


def can_view_audit(membership: Membership) -> bool:
    """The data-protection officer reads the audit log; nobody else does."""
    return membership.is_active and membership.role == Role.DATA_PROTECTION_OFFICER


def can_review_emergency_access(membership: Membership) -> bool:
    """The data-protection officer reviews every emergency access; nobody else does."""
    return can_view_audit(membership)


def scope_emergency_accesses_to_review(
    membership: Membership, accesses: QuerySet[EmergencyAccess] | None = None
) -> QuerySet[EmergencyAccess]:
    """The emergency accesses this membership reviews: every one for the data-protection
    officer (who reads the access and its justification, not the case), none for anyone
    else."""
    accesses = EmergencyAccess.objects.all() if accesses is None else accesses
    return accesses if can_review_emergency_access(membership) else accesses.none()


def can_break_glass(membership: Membership) -> bool:
    """Practitioners who may need a case urgently; not mentors, and not the roles that read
    no case content."""
    return may_read_case_content(membership) and membership.role != Role.MENTOR


# --- asking for one object ------------------------------------------------------------------


def get_visible(
    scope: Callable[[Membership, QuerySet[_M] | None], QuerySet[_M]],
    membership: Membership,
    *,
    related: Sequence[str] = (),
    **lookup: Any,
) -> _M:
    """The one object matching ``lookup`` among those ``scope`` (a ``scope_*`` function of the
    policy) lets this membership see, with the ``related`` objects loaded; else
    :class:`NotFound`, the same answer for an object that does not exist and for one that is
    not the membership's to see."""
    try:
        return scope(membership, None).select_related(*related).get(**lookup)
    except ObjectDoesNotExist as missing:
        raise NotFound from missing


def lock_visible(
    scope: Callable[[Membership, QuerySet[_M] | None], QuerySet[_M]],
    membership: Membership,
    obj: _M,
    *,
    related: Sequence[str] = (),
) -> _M:
    """``obj`` fresh from the database and locked until the transaction ends, when ``scope``
    lets this membership see it; else :class:`NotFound`, before anything is locked (nobody
    waits on, or holds up others with, a row they may not see).

    Every write opens with this, in one order: the scope check, then the lock. It must run
    inside the service's transaction. The ``related`` objects are loaded in the same query,
    and on PostgreSQL their rows are locked with it: name only relations that cannot be null,
    as PostgreSQL cannot lock the nullable side of an outer join (load those afterwards)."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("lock_visible() runs inside the write's transaction.")
    rows = type(obj)._default_manager.filter(pk=obj.pk)
    if not scope(membership, rows).exists():
        raise NotFound
    try:
        return rows.select_for_update().select_related(*related).get()
    except ObjectDoesNotExist as gone:  # deleted since the check
        raise NotFound from gone
