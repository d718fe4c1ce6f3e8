"""The audit log pages: only the data-protection officer sees them (everyone else: 404), the
filters and pages work, looking is recorded, and the export of one person's entries is
complete, verifiable and recorded itself."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from continuum.audit import services
from continuum.audit import urls as audit_urls
from continuum.audit.models import Action, AuditEntry
from continuum.core.models import Role
from tests.audit.conftest import entries, expected_seal
from tests.factories import PersonFactory

DPO = "data_protection_officer"
REASON = "Subject access request SAR-2026-017"

# Who may use each page, written out by hand: a change to the policy fails here until this
# table changes with it.
ALLOWED: dict[str, frozenset[str]] = {
    "GET audit:entry-list": frozenset({DPO}),
    "GET audit:person-export": frozenset({DPO}),
    "POST audit:person-export": frozenset({DPO}),
}


def test_the_table_covers_every_page_of_the_app():
    pages = {f"audit:{pattern.name}" for pattern in audit_urls.urlpatterns}
    assert {route.split()[1] for route in ALLOWED} == pages


@pytest.mark.parametrize("role", Role.values)
def test_the_log_page(act_as, world, role):
    response = act_as(world[role]).get(reverse("audit:entry-list"))
    allowed = role in ALLOWED["GET audit:entry-list"]
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", Role.values)
def test_the_export_form(act_as, world, role):
    response = act_as(world[role]).get(reverse("audit:person-export"))
    assert response.status_code == (200 if role in ALLOWED["GET audit:person-export"] else 404)


@pytest.mark.parametrize("role", Role.values)
def test_exporting(act_as, world, role):
    person = PersonFactory()
    response = act_as(world[role]).post(
        reverse("audit:person-export"),
        {"person": person.reference, "file_format": "json", "justification": REASON},
    )
    exported = AuditEntry.objects.filter(action=Action.EXPORT).exists()
    if role in ALLOWED["POST audit:person-export"]:
        assert response.status_code == 200
        assert exported
    else:
        assert response.status_code == 404
        assert not exported


@pytest.mark.parametrize("name", ["audit:entry-list", "audit:person-export"])
def test_without_signing_in_the_pages_redirect_to_the_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_log_lists_entries_newest_first_and_records_the_look(act_as, world):
    first, second = entries(2)
    response = act_as(world[DPO]).get(reverse("audit:entry-list"))
    rows = [e.sequence for e in response.context["page"]]
    assert rows == [second.sequence, first.sequence]
    look = AuditEntry.objects.order_by("-sequence").first()
    assert look is not None
    assert (look.action, look.username) == ("list", "data-protection-officer")
    assert look.changes["shown"] == [str(second.sequence), str(first.sequence)]


def _listed(browser, **query: str) -> list[int]:
    response = browser.get(reverse("audit:entry-list"), query)
    assert response.status_code == 200
    return [entry.pk for entry in response.context["page"]]


def test_the_filters(act_as, world):
    person, other = PersonFactory(), PersonFactory()
    read = services.record_read(actor=world["case_manager"], obj=person, person=person)
    change = services.record(
        action=Action.CHANGE, actor=world["contact_point"], obj=other, person=other
    )
    browser = act_as(world[DPO])
    assert _listed(browser, person=person.reference.lower()) == [read.pk]
    assert _listed(browser, username="contact-point") == [change.pk]
    assert _listed(browser, agency="gem-a") == [read.pk]
    assert _listed(browser, action="change") == [change.pk]
    today = timezone.localdate()
    in_period = _listed(browser, period_from=str(today), period_to=str(today))
    assert {read.pk, change.pk} <= set(in_period)
    assert _listed(browser, period_to=str(today - timedelta(days=1))) == []
    assert _listed(browser, period_from=str(today + timedelta(days=1))) == []


def test_the_log_is_paginated(act_as, world):
    entries(60)
    browser = act_as(world[DPO])
    first = browser.get(reverse("audit:entry-list"), {"action": "login_failed"})
    second = browser.get(reverse("audit:entry-list"), {"action": "login_failed", "page": 2})
    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 10
    assert "action=login_failed&amp;page=2" in first.text


def test_the_page_has_labelled_filters_and_a_captioned_table(act_as, world):
    entries(1)
    html = act_as(world[DPO]).get(reverse("audit:entry-list")).text
    for name in ("person", "username", "agency", "action", "period_from", "period_to"):
        assert f'<label for="id_{name}">' in html
    assert "<caption" in html
    assert 'scope="col"' in html


def _export(browser, reference: str, file_format: str):
    return browser.post(
        reverse("audit:person-export"),
        {"person": reference, "file_format": file_format, "justification": REASON},
    )


def test_the_json_export_holds_every_entry_about_the_person_and_verifies(act_as, world):
    person, other = PersonFactory(), PersonFactory()
    about = [
        services.record_read(actor=world["case_manager"], obj=person, person=person),
        services.record(action=Action.CHANGE, actor=world["coordinator"], person=person),
        services.record_list(
            actor=world["coordinator"],
            object_type="core.person",
            shown=[other.reference, person.reference],
            query={},
        ),
    ]
    services.record_read(actor=world["case_manager"], obj=other, person=other)
    services.record_list(
        actor=world["coordinator"], object_type="core.person", shown=[other.reference], query={}
    )
    response = _export(act_as(world[DPO]), person.reference, "json")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="audit-{person.reference}'
    )
    document = json.loads(response.content)
    assert [e["sequence"] for e in document["entries"]] == [e.sequence for e in about]
    for row in document["entries"]:
        assert row["entry_hash"] == expected_seal(row["prev_hash"], row["content"])


def test_the_csv_export(act_as, world):
    person = PersonFactory()
    services.record(
        action=Action.CHANGE, actor=world["coordinator"], person=person, justification="=cmd()"
    )
    response = _export(act_as(world[DPO]), person.reference, "csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["person_reference"] == person.reference
    assert rows[0]["justification"] == "'=cmd()"  # not run as a formula by a spreadsheet
    assert rows[0]["entry_hash"] == expected_seal(rows[0]["prev_hash"], rows[0]["content"])


def test_the_export_is_recorded_with_its_reason(act_as, world):
    person = PersonFactory()
    services.record_read(actor=world["case_manager"], obj=person, person=person)
    _export(act_as(world[DPO]), person.reference, "csv")
    export = AuditEntry.objects.get(action=Action.EXPORT)
    assert export.person_reference == person.reference
    assert export.username == "data-protection-officer"
    assert export.justification == REASON
    assert export.changes["entries"] == 1
    assert export.changes["format"] == "csv"


def test_an_export_without_a_reason_is_refused_and_not_recorded(act_as, world):
    response = act_as(world[DPO]).post(
        reverse("audit:person-export"),
        {"person": "P-ABC234", "file_format": "csv", "justification": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["justification"]
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_a_malformed_date_is_shown_as_an_error_not_a_failure(act_as, world):
    entries(1)
    response = act_as(world[DPO]).get(reverse("audit:entry-list"), {"period_from": "31-31-2026"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["period_from"]


@pytest.mark.parametrize(
    ("name", "value"), [("period_to", "9999-12-31"), ("period_from", "0001-01-01")]
)
def test_dates_at_the_ends_of_the_calendar_are_an_error_not_a_failure(act_as, world, name, value):
    entries(1)
    response = act_as(world[DPO]).get(reverse("audit:entry-list"), {name: value})
    assert response.status_code == 200
    assert response.context["filter"].form.errors[name] == ["Enter a date between 1900 and 2999."]
