"""The Content-Security-Policy in a real browser: the pages, htmx's live search, the API docs
and the two-factor sign-in all work with it, and the browser reports no violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from continuum.core import services
from continuum.core.models import CustodyStatus, Phase
from tests.core.test_signin import code
from tests.e2e.conftest import check_accessibility, navigate, visit
from tests.e2e.test_person_journey import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Kept by the page itself, from the first script on: every violation the browser reports.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


class Violations:
    def __init__(self) -> None:
        self.console: list[str] = []
        self.events: list[str] = []

    def watch(self, page: Page) -> Page:
        page.add_init_script(LISTEN)
        page.on("console", self._console)
        return page

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def collect(self, page: Page) -> None:
        if not page.is_closed():
            self.events += page.evaluate("window.__cspViolations || []")

    @property
    def all(self) -> list[str]:
        return self.console + self.events


@pytest.fixture
def violations(page: Page) -> Iterator[Violations]:
    watched = Violations()
    watched.watch(page)
    yield watched
    watched.collect(page)
    assert not watched.all, "\n".join(watched.all)


def test_the_pages_and_the_live_search_work_under_the_policy(
    page: Page, world, violations: Violations
) -> None:
    coordinator = world["coordinator"]
    person = services.person_register(
        actor=coordinator,
        data={
            "given_names": "Lou",
            "family_name": "Schijnhout",
            "custody_status": CustodyStatus.SENTENCED,
            "sentence_start": date(2023, 3, 1),
            "expected_release": date(2027, 9, 1),
        },
    )
    case = services.case_open(
        actor=coordinator, person=person, lead_agency=world.coordination, phase=Phase.REFERRED
    )
    sign_in(page, coordinator)
    visit(page, "/persons/")
    page.get_by_label("Search by reference, name, alias or national identifier").fill("schijn")
    expect(page.locator("#person-results tbody tr")).to_have_count(1)
    check_accessibility(page)
    violations.collect(page)
    navigate(page, page.locator("#person-results").get_by_role("link").first.click)
    expect(page.get_by_role("heading", level=1)).to_have_text(person.reference)
    visit(page, f"/cases/{case.reference}/")
    violations.collect(page)
    # htmx keeps no copy of case pages in the browser's storage.
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None


def test_the_api_docs_run_their_own_script_with_the_nonce(
    page: Page, world, violations: Violations
) -> None:
    sign_in(page, world["coordinator"])
    # Swagger UI is not our page, so it is not held to our accessibility checks: a second tab.
    docs = violations.watch(page.context.new_page())
    response = docs.goto("/api/docs/")
    assert response is not None and response.ok
    expect(docs.get_by_text("Continuum API").first).to_be_visible()
    expect(docs.locator(".opblock").first).to_be_visible()
    violations.collect(docs)


def test_two_factor_enrolment_and_sign_in_in_the_browser(
    page: Page, world, settings, violations: Violations
) -> None:
    settings.CONTINUUM_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    membership = world["case_manager"]
    sign_in(page, membership)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code with the secret for your app")).to_be_visible()
    device = TOTPDevice.objects.get(user=membership.user)
    page.get_by_label("Verification code").fill("000000")
    navigate(page, page.get_by_role("button", name="Confirm and sign in").click)
    expect(page.get_by_label("Verification code")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Verification code").fill(code(device))
    navigate(page, page.get_by_role("button", name="Confirm and sign in").click)
    # A case manager has a work list (stakeholder notices): My work is the landing page.
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.get_by_role("status")).to_contain_text("Two-factor sign-in is set up.")
    violations.collect(page)

    navigate(page, page.get_by_role("button", name="Sign out").click)
    page.get_by_label("Username").fill(membership.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    navigate(page, page.get_by_role("button", name="Sign in").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your verification code")
    page.get_by_label("Verification code").fill(code(device, steps_ahead=1))
    navigate(page, page.get_by_role("button", name="Verify").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
