"""The hash chain: every entry sealed with the key over the previous hash and its own
canonical content, numbered without gaps, and verifiable after real use."""

from __future__ import annotations

import json
import re
import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from continuum.audit import canonical, services
from continuum.audit.chain import GENESIS
from continuum.audit.keys import key_id
from continuum.audit.models import Action, AuditEntry, AuditHead
from continuum.audit.verify import Problem, verify
from continuum.core import services as core_services
from continuum.core.models import Phase
from tests.audit.conftest import KEY, entries, expected_seal
from tests.factories import PersonFactory

PERSON = {
    "given_names": "Chain",
    "family_name": "Synthlink",
    "custody_status": "pre_trial",
    "national_identifier": "999111222",
}


def test_it_seals_each_entry_over_the_previous_hash_and_its_content(db):
    written = entries(4)
    previous = GENESIS
    for entry in AuditEntry.objects.order_by("id"):
        assert entry.prev_hash == previous
        assert entry.entry_hash == expected_seal(previous, entry.content)
        previous = entry.entry_hash
    assert previous == written[-1].entry_hash


def test_it_numbers_entries_from_one_without_gaps(db):
    entries(5)
    assert list(AuditEntry.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5]


def test_it_names_the_key_by_its_fingerprint_not_the_key_itself(db):
    entry = entries(1)[0]
    assert entry.key_id == key_id(KEY) == json.loads(entry.content)["key_id"]
    assert KEY.hex() not in entry.content


def test_the_content_is_canonical_json(db, world):
    entry = services.record(
        action=Action.CHANGE,
        actor=world["coordinator"],
        changes={"b": {"z": 1, "a": "Ünïcode ☃ 🙂"}, "a": [3, 1]},
        justification="Reason with\nnewline",
    )
    document = json.loads(entry.content)
    assert entry.content == json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    assert entry.content.isascii()
    assert set(document) == set(canonical.FIELDS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", document["at"])
    assert document["format"] == canonical.FORMAT


def test_every_column_is_derived_from_the_content(db, world):
    person = PersonFactory()
    entry = services.record(
        action=Action.READ,
        actor=world["case_manager"],
        obj=person,
        person=person,
        changes={"nested": {"list": [1, "twee", None]}, "emoji": "🙂"},
        justification="Müller, 🙂",
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    document = json.loads(stored.content)
    for name in set(canonical.FACTS) - {"at"}:
        assert getattr(stored, name) == document[name], name
    assert canonical.timestamp(stored.at) == document["at"]
    assert (stored.sequence, stored.key_id) == (document["sequence"], document["key_id"])
    assert stored.username == "case-manager"
    assert stored.person_reference == person.reference


def test_reading_a_person_page_writes_exactly_one_read_entry(act_as, world):
    person = PersonFactory(registered_by=world.institution)
    browser = act_as(world["contact_point"])
    before = AuditEntry.objects.count()
    response = browser.get(reverse("core:person-detail", args=[person.reference]))
    assert response.status_code == 200
    new = AuditEntry.objects.filter(sequence__gt=before)
    assert [(e.action, e.person_reference) for e in new] == [("read", person.reference)]


def test_a_realistic_mix_of_writes_and_reads_verifies(client, act_as, world):
    coordinator = world["coordinator"]
    person = core_services.person_register(actor=world["contact_point"], data=PERSON)
    core_services.person_update(
        actor=world["contact_point"],
        person=person,
        data={"custody_status": "sentenced", "sentence_start": None},
    )
    case = core_services.case_open(
        actor=coordinator, person=person, lead_agency=world.coordination, phase=Phase.IN_DETENTION
    )
    core_services.case_change_phase(actor=coordinator, case=case, phase=Phase.RELEASE_PREPARATION)
    core_services.token_issue(membership=coordinator)
    client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    browser = act_as(world["contact_point"])
    browser.get(reverse("core:person-detail", args=[person.reference]))
    browser.get(reverse("core:person-search"), {"q": "synthlink"})

    report = verify()
    assert report.ok, report.findings
    assert report.entries == AuditEntry.objects.count() >= 8
    assert {"create", "change", "token_issued", "login_failed", "read", "list"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_the_head_row_follows_the_newest_entry(db):
    newest = entries(3)[-1]
    head = AuditHead.objects.get()
    assert (head.sequence, head.entry_hash) == (3, newest.entry_hash)


def test_a_missing_head_row_is_rebuilt_from_the_newest_entry(db):
    entries(2)
    AuditHead.objects.all().delete()
    entry = entries(1)[0]
    assert entry.sequence == 3
    assert verify().ok


def test_a_nul_character_is_stored_as_a_replacement_character(db):
    entry = services.record(action=Action.LOGIN_FAILED, changes={"username": "probe\x00"})
    assert AuditEntry.objects.get(pk=entry.pk).changes == {"username": "probe\ufffd"}


def test_entries_sealed_with_a_retired_key_still_verify(db, settings):
    old = entries(2)
    settings.CONTINUUM_AUDIT_KEY = "b2" * 32
    settings.CONTINUUM_AUDIT_RETIRED_KEYS = ["a1" * 32]
    new = entries(2)
    assert old[0].key_id != new[0].key_id
    assert new[0].prev_hash == old[-1].entry_hash
    assert verify().ok


def test_without_the_retired_key_old_entries_cannot_be_verified(db, settings):
    old = entries(2)
    settings.CONTINUUM_AUDIT_KEY = "b2" * 32
    entries(1)
    report = verify()
    assert report.first_break is not None
    assert (report.first_break.problem, report.first_break.sequence) == (
        Problem.UNKNOWN_KEY,
        old[0].sequence,
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_never_chain_onto_the_same_hash():
    """Writers in parallel transactions queue on the head row. (On SQLite the test database
    lives in memory, shared by the threads, which SQLite serialises anyway.)"""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers are raced on PostgreSQL; SQLite serialises them.")
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer() -> None:
        try:
            start.wait()
            for _ in range(15):
                with transaction.atomic():
                    services.record(action=Action.LOGIN_FAILED)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(AuditEntry.objects.values_list("sequence", flat=True)) == list(range(1, 61))
    assert verify().ok
