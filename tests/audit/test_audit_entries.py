"""Audit entries are written with the change they record, in the same transaction."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from continuum.audit.models import AuditEntry
from continuum.core import services
from continuum.core.models import Person
from tests.factories import PASSWORD, PersonFactory

PERSON = {
    "given_names": "Audit",
    "family_name": "Synthlog",
    "custody_status": "pre_trial",
    "national_identifier": "999777666",
}


def test_a_registration_writes_one_entry_with_identifying_values_redacted(world):
    person = services.person_register(actor=world["contact_point"], data=PERSON)
    entry = AuditEntry.objects.get(action="create", person_reference=person.reference)
    assert entry.username == "contact-point"
    assert entry.agency_code == "pi-a"
    assert entry.role == "contact_point"
    assert entry.changes["national_identifier"] == {"before": "[redacted]", "after": "[redacted]"}
    assert entry.changes["custody_status"] == {"before": None, "after": "pre_trial"}
    assert "999777666" not in str(entry.changes)


def test_a_change_records_before_and_after(world):
    person = services.person_register(actor=world["contact_point"], data=PERSON)
    services.person_update(
        actor=world["contact_point"],
        person=person,
        data={"custody_status": "sentenced", "sentence_start": None},
    )
    entry = AuditEntry.objects.get(action="change", person_reference=person.reference)
    assert entry.changes == {"custody_status": {"before": "pre_trial", "after": "sentenced"}}


def test_a_refused_change_leaves_no_entry(world):
    PersonFactory(national_identifier="999777666")
    with pytest.raises(services.InvalidInput):
        services.person_register(actor=world["contact_point"], data=PERSON)
    assert not AuditEntry.objects.filter(action="create").exists()
    assert Person.objects.count() == 1


def test_a_failed_audit_write_rolls_the_change_back(world, monkeypatch):
    def broken(**kwargs: object) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(AuditEntry.objects, "create", broken)
    with pytest.raises(RuntimeError):
        services.person_register(actor=world["contact_point"], data=PERSON)
    assert not Person.objects.exists()


def test_reading_a_person_page_is_recorded(act_as, world):
    person = PersonFactory(registered_by=world.institution)
    act_as(world["contact_point"]).get(reverse("core:person-detail", args=[person.reference]))
    entry = AuditEntry.objects.get(action="read")
    assert (entry.person_reference, entry.username) == (person.reference, "contact-point")
    assert entry.request_id


def test_a_search_records_which_persons_were_shown(act_as, world):
    shown = PersonFactory(family_name="Gezocht", registered_by=world.institution)
    PersonFactory(family_name="Gezocht")  # not visible to this contact point
    act_as(world["contact_point"]).get(reverse("core:person-search"), {"q": "gezocht"})
    entry = AuditEntry.objects.get(action="list")
    assert entry.changes["shown"] == [shown.reference]
    assert entry.changes["query"] == {"q": "[redacted]"}
    assert "gezocht" not in str(entry.changes).lower()


def test_sign_in_success_and_failure_are_recorded(client, world):
    client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    client.post(reverse("login"), {"username": "coordinator", "password": PASSWORD})
    actions = list(AuditEntry.objects.values_list("action", "username"))
    assert ("login_failed", "") in actions
    assert ("login", "coordinator") in actions
    failed = AuditEntry.objects.get(action="login_failed")
    assert failed.changes == {"username": "coordinator"}


def test_opening_the_edit_form_is_a_consultation(act_as, world):
    person = PersonFactory(registered_by=world.institution)
    act_as(world["contact_point"]).get(reverse("core:person-edit", args=[person.reference]))
    assert AuditEntry.objects.filter(action="read", person_reference=person.reference).count() == 1


def test_flush_never_runs_in_production(world, settings):
    services.person_register(actor=world["contact_point"], data=PERSON)
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never runs in production"):
        call_command("flush", interactive=False)
    assert AuditEntry.objects.exists()


def test_a_clash_with_a_hidden_persons_identifier_is_recorded(world):
    hidden = PersonFactory(national_identifier="999777666", registered_by=world.other_institution)
    with pytest.raises(services.InvalidInput):
        services.person_register(actor=world["police_liaison"], data=PERSON)
    entry = AuditEntry.objects.get(action="identifier_clash")
    assert (entry.username, entry.person_reference) == ("police-liaison", hidden.reference)


def test_a_clash_with_a_visible_person_is_an_ordinary_refusal(world):
    PersonFactory(national_identifier="999777666", registered_by=world.institution)
    with pytest.raises(services.InvalidInput):
        services.person_register(actor=world["contact_point"], data=PERSON)
    assert not AuditEntry.objects.filter(action="identifier_clash").exists()
