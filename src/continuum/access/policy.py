"""The access policy: the one place that decides who may see and change case data.

Read this module to know who sees what. Every selector, view and API view asks it; nothing reads
persons or cases around it.

A user acts in one :class:`~continuum.core.models.Membership` (an agency and a role). The rules
in this foundation release:

* The administrator manages accounts and configuration and reads no case content.
* The evaluator sees anonymised figures only, never a person or case.
* The data-protection officer oversees through the audit log and reads no case content.
* The coordination programme coordinates every MAR case and sees every person and case.
* Any other membership sees a person when its agency registered the person, holds the person
  now (the custodial institution of the current placement, or that institution's intelligence
  bureau), or is on the team of one of the person's cases (as an agency, or as a named member).
  It sees a case when its agency leads it or is on its team, or the membership is named on it.
* A mentor sees only the cases on which they are named, and their persons.

Objects outside a membership's scope are answered as "not found", never "forbidden", so their
existence is not disclosed. Sensitivity classes, disclosures and emergency access extend these
rules in the access issue.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

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

# The data-protection officer oversees through the audit log, not by reading case files.
NO_CASE_CONTENT = frozenset({Role.ADMINISTRATOR, Role.EVALUATOR, Role.DATA_PROTECTION_OFFICER})


def sees_everything(membership: Membership) -> bool:
    return (
        membership.role == Role.COORDINATOR
        and membership.agency.type == AgencyType.COORDINATION_PROGRAMME
    )


def may_read_case_content(membership: Membership) -> bool:
    return membership.is_active and membership.role not in NO_CASE_CONTENT


def _holding_agency_ids(membership: Membership) -> list[int]:
    """The agencies whose current placements this membership sees: its own, and for a bureau
    the institution it belongs to."""
    ids = [membership.agency_id]
    if membership.agency.type == AgencyType.INTELLIGENCE_BUREAU and membership.agency.parent_id:
        ids.append(membership.agency.parent_id)
    return ids


def scope_cases(membership: Membership, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The cases this membership may see."""
    cases = Case.objects.all() if cases is None else cases
    if not may_read_case_content(membership):
        return cases.none()
    if sees_everything(membership):
        return cases
    named = Q(team_members=membership)
    if membership.role == Role.MENTOR:
        return cases.filter(named).distinct()
    agency = membership.agency_id
    return cases.filter(named | Q(lead_agency=agency) | Q(team_agencies=agency)).distinct()


def scope_persons(
    membership: Membership, persons: QuerySet[Person] | None = None
) -> QuerySet[Person]:
    """The persons this membership may see."""
    persons = Person.objects.all() if persons is None else persons
    if not may_read_case_content(membership):
        return persons.none()
    if sees_everything(membership):
        return persons
    visible_cases = scope_cases(membership).values("person_id")
    if membership.role == Role.MENTOR:
        return persons.filter(pk__in=visible_cases)
    held_here = Q(
        placements__ended_on__isnull=True,
        placements__institution__in=_holding_agency_ids(membership),
    )
    ids = persons.filter(
        Q(registered_by=membership.agency_id) | held_here | Q(pk__in=visible_cases)
    ).values("pk")
    return persons.filter(pk__in=ids)


def can_view_audit(membership: Membership) -> bool:
    """The data-protection officer reads the audit log; nobody else does."""
    return membership.is_active and membership.role == Role.DATA_PROTECTION_OFFICER


def can_register_person(membership: Membership) -> bool:
    return may_read_case_content(membership) and membership.role != Role.MENTOR


def can_open_case(membership: Membership) -> bool:
    """Opening a MAR case is the coordination programme's decision."""
    return sees_everything(membership)


def can_change_case(membership: Membership, case: Case) -> bool:
    if sees_everything(membership):
        return True
    return (
        may_read_case_content(membership)
        and membership.role != Role.MENTOR
        and case.lead_agency_id == membership.agency_id
    )


def can_change_person(membership: Membership, person: Person) -> bool:
    """A person's record (identity, sentence, placements) is kept by the agency that
    registered it, by the custodial institution that holds the person now, and by
    coordination. The intelligence bureau reads it but does not keep it."""
    if sees_everything(membership):
        return True
    if not may_read_case_content(membership) or membership.role == Role.MENTOR:
        return False
    return (
        person.registered_by_id == membership.agency_id
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
    case = (
        scope_cases(membership)
        .select_related("person", "lead_agency")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise NotFound
    return case


def scope_timeline(
    membership: Membership, events: QuerySet[TimelineEvent]
) -> QuerySet[TimelineEvent]:
    """The events of a visible person's timeline this membership may read: those of a
    sensitivity class its role allows, and of cases it may see (or of no case)."""
    return events.filter(
        Q(case__isnull=True) | Q(case__in=scope_cases(membership).values("pk")),
        sensitivity__in=visible_sensitivities(membership),
    )


def visible_sensitivities(membership: Membership) -> set[str]:
    """Which sensitivity classes of a visible person's records this membership may read."""
    if not may_read_case_content(membership):
        return set()
    if membership.role == Role.MENTOR:
        return {Sensitivity.MENTOR}
    if sees_everything(membership) or membership.agency.type == AgencyType.INTELLIGENCE_BUREAU:
        return {Sensitivity.INTELLIGENCE, Sensitivity.CASE, Sensitivity.MENTOR}
    return {Sensitivity.CASE, Sensitivity.MENTOR}
