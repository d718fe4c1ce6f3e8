"""Reads of the core domain, always scoped by the access policy."""

from __future__ import annotations

from collections import Counter

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from continuum.access import policy
from continuum.core import navigation
from continuum.core.exceptions import NotFound
from continuum.core.fields import (
    Sealed,
    encrypted_fields,
    models_with_encrypted_fields,
)
from continuum.core.models import (
    Agency,
    Case,
    Membership,
    Person,
    Placement,
    TimelineEvent,
    User,
)
from continuum.core.navigation import Task

SEARCH_LIMIT = 50


def person_search(*, actor: Membership, query: str) -> list[Person]:
    """Persons visible to ``actor`` matching a reference, an exact national identifier, or any
    word of ``query`` in their names or aliases, sorted by name. An empty query lists the most
    recently registered.

    Names are encrypted, so words are found through keyed search tokens: a query word matches
    a whole word, or the start of a word when it has at least three letters ("synth" finds
    "Synthveld", "veld" does not). Case and accents do not matter. The database cannot sort
    by an encrypted name, so the matches are sorted here, after the limit.
    """
    persons = policy.scope_persons(actor)
    query = query.strip()
    if not query:
        return list(persons.order_by("-created_at")[:SEARCH_LIMIT])
    identifier = Person._meta.get_field("national_identifier_index")
    words = Person._meta.get_field("search_tokens")
    condition = Q(reference__iexact=query) | identifier.matching(query) | words.matching(query)
    found = list(persons.filter(condition).order_by("reference")[:SEARCH_LIMIT])
    return sorted(found, key=_name_order)


def _name_order(person: Person) -> tuple[str, str, str]:
    return (person.family_name.casefold(), person.given_names.casefold(), person.reference)


def search_query_for_audit(query: str) -> dict[str, str]:
    """Search words are names and identifiers: the audit log records that a search was made
    and which persons it showed, not what was typed."""
    return {"q": "[redacted]" if query.strip() else ""}


def person_get(*, actor: Membership, reference: str) -> Person:
    """The visible person, with the agency that registered them and their placements (with
    their institutions) loaded in two queries, whatever the number of placements."""
    person = policy.get_person(actor, reference)
    prefetch_related_objects(
        [person],
        "registered_by",
        Prefetch("placements", queryset=Placement.objects.select_related("institution")),
    )
    return person


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


def my_work(*, actor: Membership) -> list[Task]:
    """Every task the installed stages have for the actor, overdue first; "not found" for a
    role that never has tasks."""
    if not navigation.has_tasks(actor):
        raise NotFound
    return navigation.tasks_for(actor)


def agency_list() -> QuerySet[Agency]:
    """Agencies are not case data: every signed-in membership may see the directory."""
    return Agency.objects.filter(is_active=True).select_related("parent").order_by("name")


def custodial_institutions() -> QuerySet[Agency]:
    from continuum.core.models import AgencyType

    return agency_list().filter(type=AgencyType.CUSTODIAL_INSTITUTION)


def memberships_of(user: User) -> QuerySet[Membership]:
    return user.memberships.filter(is_active=True, agency__is_active=True).select_related("agency")


def encrypted_value_counts() -> Counter[str]:
    """How many stored values each key id encrypts, over every encrypted field (no value is
    decrypted). A key id that is not in the keyring shows up here too."""
    counts: Counter[str] = Counter()
    for model in models_with_encrypted_fields():
        names = [field.attname for field in encrypted_fields(model)]
        for row in model._default_manager.values_list(*names).iterator():
            counts.update(value.key_id for value in row if isinstance(value, Sealed))
    return counts
