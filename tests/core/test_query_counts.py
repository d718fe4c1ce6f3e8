"""The core's pages and API lists cost a number of queries that does not grow with their rows:
each is asked with one row and again with ten."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.urls import reverse

from continuum.access import services as access_services
from continuum.core import services
from continuum.core.models import AgencyType, Membership, Phase, Role
from tests.conftest import bearer
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    MembershipFactory,
    PersonFactory,
    PlacementFactory,
)
from tests.querycount import assert_flat


@pytest.fixture
def coordinator_client(act_as, world):
    return act_as(world["coordinator"])


def cases_of(world, n: int) -> None:
    for _ in range(n):
        person = PersonFactory(registered_by=world.institution)
        PlacementFactory(person=person, institution=world.institution)
        CaseFactory(
            person=person,
            lead_agency=world.coordination,
            team=[world.institution, world.municipality],
        )


def test_the_case_list(coordinator_client, world):
    assert_flat(coordinator_client, reverse("core:case-list"), lambda n: cases_of(world, n))


def test_the_api_case_list(client, world):
    assert_flat(
        client, "/api/v1/cases", lambda n: cases_of(world, n), **bearer(world["coordinator"])
    )


def test_the_person_search(coordinator_client, world):
    def persons(n: int) -> None:
        for _ in range(n):
            PersonFactory(registered_by=world.institution, given_names="Querya")

    assert_flat(coordinator_client, reverse("core:person-search") + "?q=Querya", persons)


def test_the_api_person_search(client, world):
    def persons(n: int) -> None:
        for _ in range(n):
            person = PersonFactory(registered_by=world.institution, given_names="Querya")
            PlacementFactory(person=person, institution=world.institution)

    headers = bearer(world["coordinator"])
    assert_flat(client, "/api/v1/persons?q=Querya", persons, **headers)


@pytest.fixture
def person(world):
    person = PersonFactory(registered_by=world.institution)
    CaseFactory(person=person, lead_agency=world.coordination, team=[world.institution])
    return person


def events_and_placements(world, person, coordinator: Membership) -> Callable[[int], None]:
    start = [date(2000, 1, 1)]

    def add(n: int) -> None:
        for _ in range(n):
            begin = start[0]
            PlacementFactory(
                person=person,
                institution=world.institution,
                started_on=begin,
                ended_on=begin + timedelta(days=10),
            )
            start[0] = begin + timedelta(days=20)
            services.timeline_add(
                person=person,
                case=person.cases.get(),
                kind="phase_changed",
                actor=coordinator,
                details={"before": Phase.REFERRED, "after": Phase.IN_DETENTION},
            )

    return add


def test_the_person_page(coordinator_client, world, person):
    url = reverse("core:person-detail", args=[person.reference])
    assert_flat(coordinator_client, url, events_and_placements(world, person, world["coordinator"]))


def test_the_api_person_and_its_timeline(client, world, person):
    add = events_and_placements(world, person, world["coordinator"])
    headers = bearer(world["coordinator"])
    assert_flat(client, f"/api/v1/persons/{person.reference}", add, **headers)
    assert_flat(client, f"/api/v1/persons/{person.reference}/timeline", add, **headers)


def test_the_case_page(coordinator_client, world, person):
    case = person.cases.get()

    def team(n: int) -> None:
        for _ in range(n):
            agency = AgencyFactory(type=AgencyType.MUNICIPALITY)
            case.team_agencies.add(agency)
            case.team_members.add(MembershipFactory(agency=agency, role=Role.CASE_MANAGER))

    assert_flat(coordinator_client, reverse("core:case-detail", args=[case.reference]), team)


def test_the_api_case(client, world, person):
    case = person.cases.get()

    def team(n: int) -> None:
        for _ in range(n):
            case.team_agencies.add(AgencyFactory(type=AgencyType.MUNICIPALITY))

    assert_flat(client, f"/api/v1/cases/{case.reference}", team, **bearer(world["coordinator"]))


def test_the_api_agencies_and_memberships(client, world):
    coordinator = world["coordinator"]

    def agencies_and_memberships(n: int) -> None:
        for _ in range(n):
            agency = AgencyFactory(type=AgencyType.MUNICIPALITY)
            MembershipFactory(user=coordinator.user, agency=agency, role=Role.CASE_MANAGER)

    headers = bearer(coordinator)
    assert_flat(client, "/api/v1/agencies", agencies_and_memberships, **headers)
    assert_flat(client, "/api/v1/me/memberships", agencies_and_memberships, **headers)


def test_my_work_of_the_data_protection_officer(act_as, world):
    def emergency_accesses(n: int) -> None:
        for _ in range(n):
            case = CaseFactory(person=PersonFactory(registered_by=world.police))
            access_services.emergency_access_start(
                actor=MembershipFactory(agency=world.police, role=Role.POLICE_LIAISON),
                case_reference=case.reference,
                justification="Synthetic: an urgent question from the night shift.",
            )

    dpo = act_as(world["data_protection_officer"])
    assert_flat(dpo, reverse("core:my-work"), emergency_accesses)
