"""The authorisation matrix: every page and every API endpoint, for every role, allowed or
refused, and both asserted.

The scene has two persons.

* The team case: a person registered by and held at PI Alpha, with an open MAR case that the
  coordination programme leads. PI Alpha, municipality A and probation are on its team and the
  mentor is named on it.
* The stranger: a person registered by and held at PI Beta, with a case that the coordination
  programme leads and PI Beta and municipality B are on. Only the coordinator may see it. Every
  other role that asks for it is guessing another case's reference.

Each person's timeline holds the opening of their case (a record of case sensitivity).

The tables below list, for each route, the roles that are allowed. Every other role must be
refused. The tables are written out by hand, not computed from ``continuum.access.policy``, so
a change to the policy fails here until the table changes with it. What "allowed" and
"refused" mean depends on the kind of route:

* a page with case data: 200, or for a POST a 302 with the change stored / 404, nothing stored;
* a list (person search, case list, their API twins): 200 listing the reference / 200 without it;
* an API endpoint: 200 or 201, with any change stored / 404, never 403, nothing stored;
* the admin site: 200 / a redirect to the admin login.

Without a session, every page redirects to the login page. Without a token, every API endpoint
answers 401.

Two decisions the policy module leaves open are taken here:

* The data-protection officer supervises the processing. Like the administrator and the
  evaluator, it reads no case content through these pages and endpoints; working for the
  coordination programme does not make it a member of every case's team.
* A role that sees no persons or cases still gets the person search and the case list: 200 with
  nothing listed. Both disclose nothing, and the police may still register a person there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from continuum.core import services
from continuum.core.models import Case, Membership, Person, Phase, Placement, Role, TimelineEvent
from tests.conftest import World, bearer
from tests.factories import CaseFactory, PersonFactory, PlacementFactory

# --- the roles -----------------------------------------------------------------------------

CONTACT_POINT = "contact_point"  # PI Alpha
BUREAU_ANALYST = "bureau_analyst"  # PI Alpha's intelligence bureau
COORDINATOR = "coordinator"  # the coordination programme
CASE_MANAGER = "case_manager"  # municipality A
PROBATION_OFFICER = "probation_officer"  # probation
POLICE_LIAISON = "police_liaison"  # police
PROSECUTOR = "prosecutor"  # prosecution
MENTOR = "mentor"  # an NGO, named on the team case
DPO = "data_protection_officer"  # the coordination programme
EVALUATOR = "evaluator"  # the coordination programme
ADMINISTRATOR = "administrator"  # the coordination programme, staff on the admin site

ROLES = (
    CONTACT_POINT,
    BUREAU_ANALYST,
    COORDINATOR,
    CASE_MANAGER,
    PROBATION_OFFICER,
    POLICE_LIAISON,
    PROSECUTOR,
    MENTOR,
    DPO,
    EVALUATOR,
    ADMINISTRATOR,
)

# --- who is allowed, by hand ---------------------------------------------------------------

EVERYONE = frozenset(ROLES)
ONLY_COORDINATOR = frozenset({COORDINATOR})
# The members of the team case's team agencies (besides the coordination programme, which leads).
TEAM = frozenset({CONTACT_POINT, CASE_MANAGER, PROBATION_OFFICER})
# The team case: the coordinator, its team, and the mentor named on it.
SEES_TEAM_CASE = frozenset({COORDINATOR, *TEAM, MENTOR})
# Its person: those, and the intelligence bureau of the institution holding the person.
SEES_TEAM_PERSON = frozenset({*SEES_TEAM_CASE, BUREAU_ANALYST})
# The person's record is kept by the agency that registered them (PI Alpha) and coordination.
KEEPS_TEAM_PERSON = frozenset({CONTACT_POINT, COORDINATOR})
# Whose role has a work list: every role some task source applies to. The agencies that a
# triage "notify" decision can reach receive stakeholder notices; the bureau and coordination
# sign off triage decisions, authorise measures and complete monitoring reviews; the
# data-protection officer reviews emergency access.
HAS_WORK = frozenset(
    {
        CONTACT_POINT,
        BUREAU_ANALYST,
        COORDINATOR,
        CASE_MANAGER,
        PROBATION_OFFICER,
        POLICE_LIAISON,
        PROSECUTOR,
        DPO,
    }
)
# Anyone who reads case content, except a mentor, may register a person.
REGISTERS = frozenset({*ROLES} - {MENTOR, DPO, EVALUATOR, ADMINISTRATOR})

TEAM_CASE: dict[str, frozenset[str]] = {
    # pages
    "page core:person-search": SEES_TEAM_PERSON,
    "page core:person-register": REGISTERS,
    "page core:person-detail": SEES_TEAM_PERSON,
    "page core:person-edit": KEEPS_TEAM_PERSON,
    "page core:placement-add": KEEPS_TEAM_PERSON,
    "page core:case-open": ONLY_COORDINATOR,
    "page core:case-list": SEES_TEAM_CASE,
    "page core:case-detail": SEES_TEAM_CASE,
    "page core:case-phase": ONLY_COORDINATOR,  # the lead agency changes the case
    "page core:case-team": ONLY_COORDINATOR,
    "page admin:index": frozenset({ADMINISTRATOR}),
    "page api-docs": EVERYONE,
    "page api-schema": EVERYONE,
    "page core:my-work": HAS_WORK,
    # API
    "GET /api/v1/persons": SEES_TEAM_PERSON,
    "POST /api/v1/persons": REGISTERS,
    "GET /api/v1/persons/<ref>": SEES_TEAM_PERSON,
    "PATCH /api/v1/persons/<ref>": KEEPS_TEAM_PERSON,
    "GET /api/v1/persons/<ref>/timeline": SEES_TEAM_PERSON,
    "POST /api/v1/persons/<ref>/placements": KEEPS_TEAM_PERSON,
    "GET /api/v1/cases": SEES_TEAM_CASE,
    "POST /api/v1/cases": ONLY_COORDINATOR,
    "GET /api/v1/cases/<ref>": SEES_TEAM_CASE,
    "POST /api/v1/cases/<ref>/phase": ONLY_COORDINATOR,
    "GET /api/v1/agencies": EVERYONE,
    "GET /api/v1/me/memberships": EVERYONE,
    "GET /api/v1/tasks": HAS_WORK,
}

STRANGER: dict[str, frozenset[str]] = {
    # pages
    "page core:person-search": ONLY_COORDINATOR,
    "page core:person-detail": ONLY_COORDINATOR,
    "page core:person-edit": ONLY_COORDINATOR,
    "page core:placement-add": ONLY_COORDINATOR,
    "page core:case-open": ONLY_COORDINATOR,
    "page core:case-list": ONLY_COORDINATOR,
    "page core:case-detail": ONLY_COORDINATOR,
    "page core:case-phase": ONLY_COORDINATOR,
    "page core:case-team": ONLY_COORDINATOR,
    # API
    "GET /api/v1/persons": ONLY_COORDINATOR,
    "GET /api/v1/persons/<ref>": ONLY_COORDINATOR,
    "PATCH /api/v1/persons/<ref>": ONLY_COORDINATOR,
    "GET /api/v1/persons/<ref>/timeline": ONLY_COORDINATOR,
    "POST /api/v1/persons/<ref>/placements": ONLY_COORDINATOR,
    "GET /api/v1/cases": ONLY_COORDINATOR,
    "POST /api/v1/cases": ONLY_COORDINATOR,
    "GET /api/v1/cases/<ref>": ONLY_COORDINATOR,
    "POST /api/v1/cases/<ref>/phase": ONLY_COORDINATOR,
}

# What the person's page and timeline show of the team case, to those who may see the person:
# the case (its reference, its events) only to those who may see the case, and its events, of
# case sensitivity, not to the mentor, who reads mentor records only.
TEAM_CASE_ON_THE_PERSON: dict[str, frozenset[str]] = {
    "page core:person-detail": SEES_TEAM_CASE,
    "GET /api/v1/persons/<ref>/timeline": frozenset({COORDINATOR, *TEAM}),
}

# --- where the application does not (yet) do what the tables say ----------------------------
# A cell (test, route or kind, role) listed here is marked xfail(strict=True): it fails while
# the bug is there and turns into an unexpected pass, failing the run, once it is fixed. Keep
# it empty: a found bug is fixed, not listed, unless its fix belongs to a later issue.

KNOWN_BUGS: dict[tuple[str, str, str], str] = {}


def known_bug(test: str, route: str, role: str) -> list[pytest.MarkDecorator]:
    reason = KNOWN_BUGS.get((test, route, role))
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def test_the_tables_cover_every_role() -> None:
    assert set(ROLES) == set(Role.values)


# --- the scene -----------------------------------------------------------------------------


@dataclass
class Target:
    person: Person
    case: Case


@dataclass
class Scene:
    world: World
    team_case: Target
    stranger: Target


@pytest.fixture
def scene(world: World) -> Scene:
    staff = world[ADMINISTRATOR].user
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])

    person = PersonFactory(registered_by=world.institution)
    PlacementFactory(person=person, institution=world.institution, ended_on=None)
    case = CaseFactory(
        person=person,
        lead_agency=world.coordination,
        team=[world.institution, world.municipality, world.probation],
    )
    case.team_members.add(world[MENTOR])
    _case_opened(case, world[COORDINATOR])

    stranger = PersonFactory(registered_by=world.other_institution)
    PlacementFactory(person=stranger, institution=world.other_institution, ended_on=None)
    stranger_case = CaseFactory(
        person=stranger,
        lead_agency=world.coordination,
        team=[world.other_institution, world.other_municipality],
    )
    _case_opened(stranger_case, world[COORDINATOR])
    return Scene(world, Target(person, case), Target(stranger, stranger_case))


def _case_opened(case: Case, coordinator: Membership) -> None:
    services.timeline_add(
        person=case.person,
        case=case,
        kind=TimelineEvent.Kind.CASE_OPENED,
        actor=coordinator,
        details={"reason": "opened", "lead_agency": case.lead_agency.name, "phase": case.phase},
    )


@dataclass
class Caller:
    """One membership: its pages through a signed-in browser, the API with its bearer token."""

    membership: Membership
    browser: Client
    api_client: Client

    def get(self, path: str) -> HttpResponse:
        return self.browser.get(path)

    def post(self, path: str, data: dict[str, Any]) -> HttpResponse:
        return self.browser.post(path, data)

    def api(self, method: str, path: str, data: dict[str, Any] | None = None) -> HttpResponse:
        headers = bearer(self.membership)
        if method == "get":
            return self.api_client.get(path, **headers)
        send: Callable[..., HttpResponse] = getattr(self.api_client, method)
        return send(path, data or {}, content_type="application/json", **headers)


@pytest.fixture
def caller_for(scene: Scene, act_as: Callable[[Membership], Client]) -> Callable[[str], Caller]:
    def _caller(role: str) -> Caller:
        membership = scene.world[role]
        return Caller(membership, browser=act_as(membership), api_client=Client())

    return _caller


# --- what one cell does --------------------------------------------------------------------

PERSON_PAGES = {"core:person-detail", "core:person-edit", "core:placement-add", "core:case-open"}
CASE_PAGES = {"core:case-detail", "core:case-phase", "core:case-team"}


def page_url(route: str, target: Target) -> str:
    name = route.removeprefix("page ")
    if name in PERSON_PAGES:
        return reverse(name, args=[target.person.reference])
    if name in CASE_PAGES:
        return reverse(name, args=[target.case.reference])
    return reverse(name)


def api_path(route: str, target: Target) -> str:
    path = route.split(" ", 1)[1]
    reference = target.case.reference if "/cases/" in path else target.person.reference
    return path.replace("<ref>", reference)


def shown(response: HttpResponse, allowed: int, refused: int = 404) -> bool:
    """Whether the response is the allowed one, after checking it is one of the two."""
    assert response.status_code in (allowed, refused), response.content[:500]
    return response.status_code == allowed


Probe = Callable[[Caller, Scene, Target, str], bool]


def visit(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    return shown(caller.get(page_url(route, target)), 200)


def person_listed(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    response = caller.get(page_url(route, target))
    assert response.status_code == 200
    return target.person.reference in response.text


def case_listed(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    response = caller.get(page_url(route, target))
    assert response.status_code == 200
    return target.case.reference in response.text


def change_phase_in_page(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    response = caller.post(page_url(route, target), {"phase": Phase.RELEASE_PREPARATION})
    changed = shown(response, 302)
    if changed:
        assert response["Location"] == reverse("core:case-detail", args=[target.case.reference])
    target.case.refresh_from_db()
    assert (target.case.phase == Phase.RELEASE_PREPARATION) == changed
    return changed


def change_team_in_page(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    ngo = scene.world.ngo
    data = {
        "agencies": [*target.case.team_agencies.values_list("pk", flat=True), ngo.pk],
        "members": list(target.case.team_members.values_list("pk", flat=True)),
    }
    response = caller.post(page_url(route, target), data)
    changed = shown(response, 302)
    assert target.case.team_agencies.filter(pk=ngo.pk).exists() == changed
    return changed


def admin_index(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    response = caller.get(reverse("admin:index"))
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("admin:login"))
    return shown(response, 200, refused=302)


def case_on_person_page(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    response = caller.get(page_url(route, target))
    return shown(response, 200) and target.case.reference in response.text


def case_on_timeline(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    response = caller.api("get", api_path(route, target))
    return shown(response, 200) and target.case.reference in {e["case"] for e in response.json()}


def api_read(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    return shown(caller.api("get", api_path(route, target)), 200)


def api_persons_listed(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    response = caller.api("get", "/api/v1/persons")
    assert response.status_code == 200
    return target.person.reference in {row["reference"] for row in response.json()}


def api_cases_listed(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    response = caller.api("get", "/api/v1/cases")
    assert response.status_code == 200
    return target.case.reference in {row["reference"] for row in response.json()["results"]}


def api_register_person(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    data = {"given_names": "Testa", "family_name": "Synthnew", "custody_status": "sentenced"}
    registered = shown(caller.api("post", "/api/v1/persons", data), 201)
    # Names are encrypted: compare them as read through the model, not in SQL.
    assert any(p.family_name == "Synthnew" for p in Person.objects.all()) == registered
    return registered


def api_change_person(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    response = caller.api("patch", api_path(route, target), {"aliases": "Synthalias"})
    changed = shown(response, 200)
    target.person.refresh_from_db()
    assert (target.person.aliases == "Synthalias") == changed
    return changed


def api_add_placement(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    data = {
        "institution": scene.world.other_institution.code,
        "unit_type": "regular_ward",
        "started_on": "2023-01-01",
        "ended_on": "2023-06-30",
    }
    added = shown(caller.api("post", api_path(route, target), data), 201)
    past = Placement.objects.filter(person=target.person, started_on="2023-01-01")
    assert past.exists() == added
    return added


def api_open_case(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    # A person has one open case at a time: close the current one, then ask for a new one.
    Case.objects.filter(pk=target.case.pk).update(phase=Phase.CLOSED, closed_at=timezone.now())
    data = {
        "person": target.person.reference,
        "lead_agency": scene.world.coordination.code,
        "team": [scene.world.municipality.code],
    }
    opened = shown(caller.api("post", "/api/v1/cases", data), 201)
    assert target.person.cases.exclude(phase=Phase.CLOSED).exists() == opened
    return opened


def api_change_phase(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    data = {"phase": Phase.RELEASE_PREPARATION}
    changed = shown(caller.api("post", api_path(route, target), data), 200)
    target.case.refresh_from_db()
    assert (target.case.phase == Phase.RELEASE_PREPARATION) == changed
    return changed


def api_agencies(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    response = caller.api("get", "/api/v1/agencies")
    listed = shown(response, 200)
    if listed:
        assert scene.world.institution.code in {a["code"] for a in response.json()["results"]}
    return listed


def api_my_memberships(caller: Caller, scene: Scene, target: Target, route: str) -> bool:
    response = caller.api("get", "/api/v1/me/memberships")
    listed = shown(response, 200)
    if listed:
        assert [m["id"] for m in response.json()] == [caller.membership.pk]
    return listed


PROBES: dict[str, Probe] = {
    "page core:person-search": person_listed,
    "page core:person-register": visit,
    "page core:person-detail": visit,
    "page core:person-edit": visit,
    "page core:placement-add": visit,
    "page core:case-open": visit,
    "page core:case-list": case_listed,
    "page core:case-detail": visit,
    "page core:case-phase": change_phase_in_page,
    "page core:case-team": change_team_in_page,
    "page admin:index": admin_index,
    "page api-docs": visit,
    "page api-schema": visit,
    "page core:my-work": visit,
    "GET /api/v1/persons": api_persons_listed,
    "POST /api/v1/persons": api_register_person,
    "GET /api/v1/persons/<ref>": api_read,
    "PATCH /api/v1/persons/<ref>": api_change_person,
    "GET /api/v1/persons/<ref>/timeline": api_read,
    "POST /api/v1/persons/<ref>/placements": api_add_placement,
    "GET /api/v1/cases": api_cases_listed,
    "POST /api/v1/cases": api_open_case,
    "GET /api/v1/cases/<ref>": api_read,
    "POST /api/v1/cases/<ref>/phase": api_change_phase,
    "GET /api/v1/agencies": api_agencies,
    "GET /api/v1/me/memberships": api_my_memberships,
    "GET /api/v1/tasks": api_read,
}


def cells(table_name: str, table: dict[str, frozenset[str]]) -> list[Any]:
    return [
        pytest.param(
            route,
            role,
            role in allowed_roles,
            id=f"{role} is {'allowed' if role in allowed_roles else 'refused'}: {route}",
            marks=known_bug(table_name, route, role),
        )
        for route, allowed_roles in table.items()
        for role in ROLES
    ]


# --- the matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "role", "allowed"), cells("team case", TEAM_CASE))
def test_the_team_case(route: str, role: str, allowed: bool, scene: Scene, caller_for) -> None:
    assert PROBES[route](caller_for(role), scene, scene.team_case, route) is allowed


@pytest.mark.parametrize(("route", "role", "allowed"), cells("stranger", STRANGER))
def test_the_stranger(route: str, role: str, allowed: bool, scene: Scene, caller_for) -> None:
    assert PROBES[route](caller_for(role), scene, scene.stranger, route) is allowed


CASE_ON_THE_PERSON_PROBES: dict[str, Probe] = {
    "page core:person-detail": case_on_person_page,
    "GET /api/v1/persons/<ref>/timeline": case_on_timeline,
}


@pytest.mark.parametrize(
    ("route", "role", "allowed"), cells("case on the person", TEAM_CASE_ON_THE_PERSON)
)
def test_the_team_case_on_its_persons_page_and_timeline(
    route: str, role: str, allowed: bool, scene: Scene, caller_for
) -> None:
    probe = CASE_ON_THE_PERSON_PROBES[route]
    assert probe(caller_for(role), scene, scene.team_case, route) is allowed


GUESSED = ("person-detail", "case-detail", "api person", "api timeline", "api case")


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        pytest.param(
            role,
            kind,
            id=f"{role} guessing the stranger's reference: {kind} as if it did not exist",
            marks=known_bug("guess", kind, role),
        )
        for role in ROLES
        if role != COORDINATOR
        for kind in GUESSED
    ],
)
def test_a_guessed_reference_is_answered_as_not_found(
    role: str, kind: str, scene: Scene, caller_for
) -> None:
    caller = caller_for(role)
    real = scene.stranger
    made_up = Target(
        Person(reference="P-ZZZZZZ"),
        Case(reference="MAR-ZZZZZZ"),  # exists nowhere
    )

    def ask(target: Target) -> HttpResponse:
        if kind == "person-detail":
            return caller.get(page_url("page core:person-detail", target))
        if kind == "case-detail":
            return caller.get(page_url("page core:case-detail", target))
        route = {
            "api person": "GET /api/v1/persons/<ref>",
            "api timeline": "GET /api/v1/persons/<ref>/timeline",
            "api case": "GET /api/v1/cases/<ref>",
        }[kind]
        return caller.api("get", api_path(route, target))

    guessed, missing = ask(real), ask(made_up)
    assert guessed.status_code == missing.status_code == 404
    assert guessed["Content-Type"] == missing["Content-Type"]
    if kind.startswith("api"):
        assert guessed.json() == missing.json() == {"message": "Not found.", "fields": {}}
    else:  # the same page, but for the reference asked for
        body = guessed.content.replace(real.person.reference.encode(), b"P-ZZZZZZ")
        body = body.replace(real.case.reference.encode(), b"MAR-ZZZZZZ")
        assert body == missing.content


# --- without a session or a token ----------------------------------------------------------

PAGES_WITHOUT_SESSION = [
    ("get", "page core:home"),
    ("get", "page core:choose-membership"),
    ("get", "page core:my-work"),
    ("get", "page core:person-search"),
    ("get", "page core:person-register"),
    ("get", "page core:person-detail"),
    ("get", "page core:person-edit"),
    ("get", "page core:placement-add"),
    ("get", "page core:case-open"),
    ("get", "page core:case-list"),
    ("get", "page core:case-detail"),
    ("post", "page core:case-phase"),
    ("post", "page core:case-team"),
    ("get", "page admin:index"),
]


@pytest.mark.parametrize(
    ("method", "route"),
    [
        pytest.param(m, r, id=f"anonymous {m.upper()} {r} goes to login")
        for m, r in PAGES_WITHOUT_SESSION
    ],
)
def test_an_anonymous_browser_is_sent_to_the_login_page(
    method: str, route: str, scene: Scene, client: Client
) -> None:
    path = page_url(route, scene.team_case)
    response = getattr(client, method)(path)
    # The admin site has a login page of its own.
    login = reverse("admin:login") if route == "page admin:index" else reverse("login")
    assert response.status_code == 302
    assert response["Location"] == f"{login}?next={path}"


API_WITHOUT_TOKEN = [
    *[route for route in TEAM_CASE if not route.startswith("page ")],
    "GET /api/schema/",
    "GET /api/docs/",
]


@pytest.mark.parametrize(
    "route",
    [
        pytest.param(r, id=f"no token: {r} is 401", marks=known_bug("no token", r, "anonymous"))
        for r in API_WITHOUT_TOKEN
    ],
)
def test_the_api_without_a_token_answers_401(route: str, scene: Scene, client: Client) -> None:
    method, path = route.split(" ", 1)[0], api_path(route, scene.team_case)
    send = getattr(client, method.lower())
    response = send(path) if method == "GET" else send(path, {}, content_type="application/json")
    assert response.status_code == 401
    assert scene.team_case.person.reference.encode() not in response.content


def test_home_and_membership_choice_show_no_case_content(scene: Scene, caller_for) -> None:
    """Every signed-in membership reaches them; they list no person or case."""
    for role in ROLES:
        caller = caller_for(role)
        for name in ("core:home", "core:choose-membership"):
            response = caller.get(reverse(name))
            assert response.status_code in (200, 302), (role, name)
            if response.status_code == 302:
                landing = "core:my-work" if role in HAS_WORK else "core:person-search"
                assert response["Location"] == reverse(landing), (role, name)
            for target in (scene.team_case, scene.stranger):
                assert target.person.reference not in response.text, (role, name)
                assert target.case.reference not in response.text, (role, name)
