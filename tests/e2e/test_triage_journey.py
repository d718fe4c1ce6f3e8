"""From a signal to a MAR case in a real browser: a contact point records a signal, the bureau
takes it into an investigation and proposes a referral, both sides sign it off, and the case
with its referral shows up. Every page passes axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from continuum.core.models import Case
from continuum.intake.models import InclusionCriterion, Investigation, Signal, TriageDecision
from tests.e2e.conftest import navigate, visit
from tests.e2e.test_person_journey import sign_in
from tests.factories import PersonFactory, PlacementFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def switch_to(page: Page, membership) -> None:
    page.context.clear_cookies()
    sign_in(page, membership)


def test_a_signal_becomes_a_mar_case_after_two_sign_offs(page: Page, world) -> None:
    for position, (code, label) in enumerate(
        [("ideology", "Ideological motive"), ("violence", "Readiness to use violence")]
    ):
        InclusionCriterion.objects.create(
            jurisdiction=world.bureau.jurisdiction, code=code, label=label, position=position
        )
    person = PersonFactory(registered_by=world.institution)
    PlacementFactory(person=person, institution=world.institution, ended_on=None)

    # A contact point records what they saw.
    sign_in(page, world["contact_point"])
    navigate(page, page.get_by_role("link", name="Record a signal").click)
    page.get_by_label("Reference of a registered person").fill(person.reference)
    page.get_by_label("Category").select_option("network")
    page.get_by_label("Observed behaviour").fill("Handed out recruitment leaflets in the yard.")
    page.get_by_label("Context").select_option("recreation")
    observed = timezone.localtime() - timedelta(hours=3)
    page.get_by_label("Observed at").fill(observed.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Reliability of the source").select_option("B")
    page.get_by_label("Credibility of the information").select_option("2")
    page.get_by_label("I confirm that this signal rests on behaviour").check()
    navigate(page, page.get_by_role("button", name="Record the signal").click)
    signal = Signal.objects.get()

    # The bureau takes it into an investigation, proposes a referral and signs for its side.
    switch_to(page, world["bureau_analyst"])
    visit(page, "/intake/signals/")
    navigate(page, page.get_by_role("link", name=signal.reference).click)
    navigate(page, page.get_by_role("button", name="Take into investigation").click)
    investigation = Investigation.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Investigation {investigation.reference}"
    )
    expect(page.get_by_role("link", name=signal.reference)).to_be_visible()

    page.get_by_label("Refer to MAR").check()
    page.get_by_label("Rationale").fill("Recruiting on the wing, confirmed by two sources.")
    page.get_by_label("Ideological motive").check()
    page.get_by_label("Readiness to use violence").check()
    navigate(page, page.get_by_role("button", name="Propose the triage decision").click)
    decision = TriageDecision.objects.get()
    expect(page.locator("main")).to_contain_text("Awaiting sign-off")
    navigate(page, page.get_by_role("button", name=f"Sign off {decision.reference}").click)
    expect(page.get_by_role("status")).to_contain_text("awaits the other side's sign-off")
    assert not Case.objects.exists()

    # Coordination signs off from its queue; the decision takes effect.
    switch_to(page, world["coordinator"])
    visit(page, "/intake/triage-decisions/")
    expect(page.get_by_role("row", name=decision.reference)).to_contain_text("Refer to MAR")
    navigate(page, page.get_by_role("button", name=f"Sign off {decision.reference}").click)
    expect(page.get_by_role("status")).to_contain_text("it is now in effect")
    case = Case.objects.get(person=person)
    decision.refresh_from_db()
    assert decision.case == case

    # The case exists, and the person's timeline shows the referral.
    navigate(page, page.get_by_role("link", name=case.reference).click)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"MAR case {case.reference}")
    navigate(page, page.get_by_role("link", name=person.reference).click)
    expect(page.locator("#timeline")).to_contain_text("Referred to MAR")
