"""Reads of the core domain, always scoped by the access policy."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from continuum.access import policy
from continuum.core.models import Agency, Case, Membership, Person, TimelineEvent, User

SEARCH_LIMIT = 50


def person_search(*, actor: Membership, query: str) -> QuerySet[Person]:
    """Persons visible to ``actor`` matching a reference, name, alias or exact national
    identifier. An empty query lists the most recently registered."""
    persons = policy.scope_persons(actor)
    query = query.strip()
    if query:
        condition = Q(reference__iexact=query) | Q(national_identifier=query)
        for word in query.split():
            condition |= (
                Q(given_names__icontains=word)
                | Q(family_name__icontains=word)
                | Q(aliases__icontains=word)
            )
        persons = persons.filter(condition)
        return persons.order_by("family_name", "given_names")[:SEARCH_LIMIT]
    return persons.order_by("-created_at")[:SEARCH_LIMIT]


def person_get(*, actor: Membership, reference: str) -> Person:
    return policy.get_person(actor, reference)


def person_timeline(*, actor: Membership, person: Person) -> QuerySet[TimelineEvent]:
    return (
        policy.scope_timeline(actor, person.timeline.all())
        .select_related("case", "actor__agency", "actor__user")
        .order_by("-occurred_at", "-id")
    )


def person_cases(*, actor: Membership, person: Person) -> QuerySet[Case]:
    return policy.scope_cases(actor, person.cases.all()).select_related("lead_agency")


def case_list(*, actor: Membership) -> QuerySet[Case]:
    return (
        policy.scope_cases(actor)
        .select_related("person", "lead_agency")
        .prefetch_related("team_agencies")
        .order_by("-opened_at")
    )


def case_get(*, actor: Membership, reference: str) -> Case:
    return policy.get_case(actor, reference)


def agency_list() -> QuerySet[Agency]:
    """Agencies are not case data: every signed-in membership may see the directory."""
    return Agency.objects.filter(is_active=True).select_related("parent").order_by("name")


def custodial_institutions() -> QuerySet[Agency]:
    from continuum.core.models import AgencyType

    return agency_list().filter(type=AgencyType.CUSTODIAL_INSTITUTION)


def memberships_of(user: User) -> QuerySet[Membership]:
    return user.memberships.filter(is_active=True, agency__is_active=True).select_related("agency")
