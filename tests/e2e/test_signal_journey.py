"""Recording a signal in a real browser: the safeguard refuses an unconfirmed signal, the
signal reaches the bureau's queue, and every page passes axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from continuum.intake.models import Signal
from tests.e2e.conftest import navigate, visit
from tests.e2e.test_person_journey import sign_in
from tests.factories import PersonFactory, PlacementFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BIAS = (
    "A signal must rest on observed behaviour: religious practice or identity alone is not a sign."
)


def test_a_contact_point_records_a_signal_that_reaches_the_bureau(page: Page, world) -> None:
    person = PersonFactory(registered_by=world.institution)
    PlacementFactory(person=person, institution=world.institution, ended_on=None)
    sign_in(page, world["contact_point"])
    navigate(page, page.get_by_role("link", name="Record a signal").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a signal")
    expect(page.locator("#bias-safeguard")).to_contain_text(
        "Religious practice or identity alone is not a sign of radicalisation."
    )

    page.get_by_label("Reference of a registered person").fill(person.reference)
    page.get_by_label("Category").select_option("beliefs")
    page.get_by_label("Observed behaviour").fill("Praised an attack loudly during work.")
    page.get_by_label("Context").select_option("work")
    observed = timezone.localtime() - timedelta(hours=2)
    page.get_by_label("Observed at").fill(observed.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Reliability of the source").select_option("B")
    page.get_by_label("Credibility of the information").select_option("2")
    navigate(page, page.get_by_role("button", name="Record the signal").click)

    confirmation = page.get_by_label("I confirm that this signal rests on behaviour")
    expect(confirmation).to_have_accessible_description(BIAS)
    assert not Signal.objects.exists()

    confirmation.check()
    navigate(page, page.get_by_role("button", name="Record the signal").click)
    signal = Signal.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Signal {signal.reference}")
    expect(page.locator("main")).to_contain_text(world.bureau.name)

    page.context.clear_cookies()
    sign_in(page, world["bureau_analyst"])
    visit(page, "/intake/signals/")
    expect(page.get_by_role("link", name=signal.reference)).to_be_visible()
    visit(page, "/intake/contact-points/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trained contact points")
