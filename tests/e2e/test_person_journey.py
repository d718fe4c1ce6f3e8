"""A user's way through Continuum in a real browser, with every page checked by axe-core."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from continuum.core import services
from continuum.core.models import (
    CustodyStatus,
    Membership,
    Person,
    Phase,
    Role,
    UnitType,
)
from tests.e2e.conftest import check_accessibility, navigate, visit
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def register(actor: Membership, given: str, family: str, **extra: object) -> Person:
    data = {
        "given_names": given,
        "family_name": family,
        "custody_status": CustodyStatus.SENTENCED,
        "sentence_start": date(2023, 3, 1),
        "expected_release": date(2027, 9, 1),
        **extra,
    }
    return services.person_register(actor=actor, data=data)


def sign_in(page: Page, membership: Membership) -> None:
    """Through the login page; a user with one membership goes straight on with it."""
    visit(page, "/login/")
    page.get_by_label("Username").fill(membership.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    navigate(page, page.get_by_role("button", name="Sign in").click)


def test_person_journey_from_login_to_the_timeline_in_dutch(page: Page, world) -> None:
    manager = world["case_manager"]
    MembershipFactory(user=manager.user, agency=world.other_municipality, role=Role.CASE_MANAGER)
    person = register(manager, "Noa", "Synthveld", aliases="Noa S.\nThe Reader")
    register(manager, "Kai", "Demohoven")  # visible too, but not what we search for
    services.placement_add(
        actor=manager,
        person=person,
        institution=world.other_institution,
        unit_type=UnitType.TERRORIST_WING,
        started_on=date(2023, 3, 1),
        ended_on=date(2023, 8, 31),
    )
    services.placement_add(
        actor=manager,
        person=person,
        institution=world.institution,
        unit_type=UnitType.REGULAR_WARD,
        started_on=date(2023, 9, 1),
    )
    case = services.case_open(
        actor=world["coordinator"],
        person=person,
        lead_agency=world.coordination,
        phase=Phase.IN_DETENTION,
        team=[world.municipality],
    )

    visit(page, "/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Username").fill(manager.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    navigate(page, page.get_by_role("button", name="Sign in").click)

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a membership")
    expect(page.get_by_role("radio")).to_have_count(2)
    page.get_by_label(f"Municipal case manager — {world.municipality.name}").check()
    navigate(page, page.get_by_role("button", name="Continue").click)

    # A case manager lands on My work; nothing waits, and the navigation says so too.
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.get_by_text("Nothing waits for you now.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="My work (0)")).to_have_attribute("aria-current", "page")
    navigate(page, nav.get_by_role("link", name="Persons").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Persons")
    page.get_by_label("Search by reference, name, alias or national identifier").fill("synthveld")
    results = page.locator("#person-results")
    expect(results.locator("caption")).to_have_text("1 person found")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text("Noa Synthveld")
    expect(results).not_to_contain_text("Demohoven")
    check_accessibility(page)

    navigate(page, results.get_by_role("link", name=person.reference).click)
    expect(page).to_have_url(f"{page.url.split('/persons/')[0]}/persons/{person.reference}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(person.reference)
    timeline = page.locator("#timeline > li")
    expect(timeline).to_have_count(6)
    kinds = timeline.locator("strong").all_inner_texts()
    assert sorted(kinds) == sorted(
        [
            "Case opened",
            "Person registered",
            "Sentence recorded",
            "Placement started",
            "Placement started",
            "Placement ended",
        ]
    )
    dates = [t.get_attribute("datetime") for t in timeline.locator("time").all()]
    assert dates == sorted(dates, reverse=True), "the timeline runs newest first"
    # The case was opened last; the placements are dated when they started and ended.
    expect(timeline.nth(0)).to_contain_text(f"Case opened · {case.reference}")
    expect(timeline.nth(0)).to_contain_text("MAR case opened in phase In detention")
    expect(timeline.filter(has_text="Person registered")).to_contain_text(
        f"Registered by {world.municipality.name}."
    )
    expect(timeline.filter(has_text=f"Placed in {world.institution.name}")).to_contain_text(
        "2023-09-01"
    )
    expect(timeline.filter(has_text="Placement ended")).to_contain_text("2023-08-31")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()

    page.get_by_label("Language").select_option("nl")
    navigate(page, page.get_by_role("button", name="Change language").click)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text(person.reference)
    expect(page.locator("#timeline > li")).to_have_count(6)


def test_case_list_filtered_by_phase_and_the_case_page(page: Page, world) -> None:
    coordinator = world["coordinator"]
    cases = {}
    for family, phase in [
        ("Testerbeek", Phase.REFERRED),
        ("Fictiesma", Phase.IN_DETENTION),
        ("Proefdijk", Phase.IN_DETENTION),
        ("Nepstra", Phase.RELEASE_PREPARATION),
    ]:
        person = register(coordinator, "Sam", family)
        cases[family] = services.case_open(
            actor=coordinator,
            person=person,
            lead_agency=world.coordination,
            phase=phase,
            team=[world.probation],
        )
    in_detention = {cases["Fictiesma"].reference, cases["Proefdijk"].reference}

    sign_in(page, coordinator)
    visit(page, "/cases/")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(4)

    page.get_by_label("Phase").select_option(Phase.IN_DETENTION.value)
    navigate(page, page.get_by_role("button", name="Filter").click)
    assert "phase=in_detention" in page.url
    expect(page.get_by_label("Phase")).to_have_value(Phase.IN_DETENTION.value)
    expect(rows).to_have_count(2)
    expect(page.locator("table caption")).to_have_text("2 cases")
    shown = set(rows.locator("td:first-child").all_inner_texts())
    assert shown == in_detention
    for phase_cell in rows.locator("td:nth-child(3)").all_inner_texts():
        assert phase_cell == "In detention"

    case = cases["Proefdijk"]
    navigate(page, page.get_by_role("link", name=case.reference).click)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"MAR case {case.reference}")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("In detention")
    expect(facts).to_contain_text(world.coordination.name)
    expect(facts).to_contain_text(world.probation.name)
    expect(facts.get_by_role("link", name=case.person.reference)).to_be_visible()


def test_release_before_sentence_start_shows_the_field_error(page: Page, world) -> None:
    sign_in(page, world["contact_point"])
    visit(page, "/persons/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a person")
    page.get_by_label("Given names").fill("Pim")
    page.get_by_label("Family name").fill("Proefform")
    page.get_by_label("Custody status").select_option(CustodyStatus.SENTENCED.value)
    page.get_by_label("Sentence start").fill("2024-05-01")
    page.get_by_label("Expected release").fill("2024-04-30")
    navigate(page, page.get_by_role("button", name="Save").click)

    message = "The release date cannot be before the sentence start (2024-05-01)."
    field = page.get_by_label("Expected release")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(message)
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator(".field.has-error")).to_contain_text(message)
    expect(page.get_by_label("Given names")).to_have_value("Pim")
    assert not any(p.family_name == "Proefform" for p in Person.objects.all())
