"""``continuum audit verify``: OK for an intact log; otherwise the first entry that breaks,
and why, with exit code 1."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection

from continuum.audit.verify import Problem, verify
from tests.audit.conftest import behind_the_back, entries, expected_seal, triggers_lifted


def test_an_intact_log_prints_its_count_and_ok(db, run_audit):
    entries(7)
    code, output = run_audit("verify")
    assert code == 0
    assert "Checked 7 entries" in output
    assert output.rstrip().endswith("OK")


def test_an_empty_log_is_ok(db, run_audit):
    assert run_audit("verify") == (0, run_audit("verify")[1])
    assert "Checked 0 entries" in run_audit("verify")[1]


def test_editing_one_entry_behind_the_applications_back_is_detected_and_named(db, run_audit):
    written = entries(6)
    target = written[3]
    behind_the_back(
        "UPDATE audit_auditentry SET content = REPLACE(content, %s, %s) WHERE id = %s",
        ['"action":"login_failed"', '"action":"logout"', target.pk],
    )
    code, output = run_audit("verify", "--batch-size", "2")
    assert code == 1
    assert f"BROKEN at entry sequence {target.sequence} (id {target.pk}): hash mismatch" in output
    assert "Checked 3 entries" in output


def test_a_forged_entry_with_a_plain_sha256_hash_is_detected(db, run_audit):
    """Someone without the key recomputes the hash the obvious way; it does not pass."""
    written = entries(4)
    target = written[1]
    forged = target.content.replace('"username":""', '"username":"nobody"')
    digest = hashlib.sha256((target.prev_hash + forged).encode()).hexdigest()
    behind_the_back(
        "UPDATE audit_auditentry SET content = %s, entry_hash = %s WHERE id = %s",
        [forged, digest, target.pk],
    )
    code, output = run_audit("verify")
    assert code == 1
    assert f"entry sequence {target.sequence} (id {target.pk}): hash mismatch" in output


def test_an_entry_sealed_with_another_key_is_detected(db):
    written = entries(3)
    target = written[2]
    wrong = expected_seal(target.prev_hash, target.content, key=b"x" * 32)
    behind_the_back("UPDATE audit_auditentry SET entry_hash = %s WHERE id = %s", [wrong, target.pk])
    report = verify()
    assert report.first_break is not None
    assert (report.first_break.problem, report.first_break.entry_id) == (
        Problem.HASH_MISMATCH,
        target.pk,
    )


def test_deleting_an_entry_in_the_middle_is_a_gap_at_the_next(db, run_audit):
    written = entries(5)
    behind_the_back("DELETE FROM audit_auditentry WHERE id = %s", [written[2].pk])
    code, output = run_audit("verify")
    assert code == 1
    after = written[3]
    assert f"entry sequence {after.sequence} (id {after.pk}): gap" in output
    assert "expected sequence 3" in output


def test_a_changed_previous_hash_is_a_broken_link(db):
    written = entries(3)
    behind_the_back(
        "UPDATE audit_auditentry SET prev_hash = %s WHERE id = %s", ["f" * 64, written[1].pk]
    )
    report = verify()
    assert report.first_break is not None
    assert (report.first_break.problem, report.first_break.sequence) == (Problem.BROKEN_LINK, 2)


def test_entries_moved_out_of_order_are_detected(db):
    """Swapping two entries' ids keeps every seal intact, but not the order."""
    first, second, _ = entries(3)
    with triggers_lifted(), connection.cursor() as cursor:
        for old, new in ((first.pk, 1_000_000), (second.pk, first.pk), (1_000_000, second.pk)):
            cursor.execute("UPDATE audit_auditentry SET id = %s WHERE id = %s", [new, old])
    report = verify()
    assert report.first_break is not None
    assert (report.first_break.problem, report.first_break.entry_id) == (Problem.GAP, first.pk)
    assert report.first_break.sequence == second.sequence


def test_a_missing_trigger_is_reported(db, run_audit):
    entries(1)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute('DROP TRIGGER "audit_entry_refuse_delete"')
        else:
            cursor.execute(
                'ALTER TABLE audit_auditentry DISABLE TRIGGER "audit_entry_refuse_delete"'
            )
    code, output = run_audit("verify")
    assert code == 1
    assert "unprotected: trigger audit_entry_refuse_delete is missing or disabled" in output


def test_a_column_no_longer_derived_from_the_content_is_reported(db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot turn a generated column into a plain one in place.")
    entries(1)
    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE audit_auditentry ALTER COLUMN "username" DROP EXPRESSION')
    problems = [str(f) for f in verify().findings]
    assert problems == ["unprotected: column username is no longer derived from the content"]


def _redefine_role_column() -> None:
    """Someone who may change the schema drops a derived column and adds it back, computed
    from something else than the content."""
    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE audit_auditentry DROP COLUMN "role"')
        kind = "STORED" if connection.vendor == "postgresql" else "VIRTUAL"
        cursor.execute(
            "ALTER TABLE audit_auditentry ADD COLUMN role text "
            f"GENERATED ALWAYS AS ('coordinator') {kind}"
        )


def test_a_redefined_derived_column_is_found_by_the_derived_check(db, world, run_audit):
    from continuum.audit import services

    entries(2)
    entry = services.record(action="read", actor=world["contact_point"])
    _redefine_role_column()
    assert verify().ok  # the schema check alone cannot tell
    report = verify(derived=True)
    assert [str(f) for f in report.findings] == [
        f"entry sequence 1 (id {entry.pk - 2}): derived column mismatch: "
        "column role does not say what the content says"
    ]
    code, output = run_audit("verify", "--derived")
    assert code == 1
    assert "derived column mismatch" in output


def test_the_derived_check_passes_on_an_intact_log(db, world):
    from continuum.audit import services

    services.record(action="read", actor=world["case_manager"], justification="🙂 ünï")
    entries(2)
    assert verify(derived=True).ok


@pytest.mark.parametrize("forged_id", [0, -5])
def test_a_copied_entry_inserted_below_the_first_id_is_detected(db, run_audit, forged_id):
    """An INSERT needs no trigger lifted: the newest entry's content under the next sequence
    number, at an id the walk once skipped (it read ``id > 0``), must not pass."""
    written = entries(4)
    newest = written[-1]
    forged = newest.content.replace(
        f'"sequence":{newest.sequence}', f'"sequence":{newest.sequence + 1}'
    )
    assert forged != newest.content
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (id, content, prev_hash, entry_hash) "
            "VALUES (%s, %s, %s, %s)",
            [forged_id, forged, newest.entry_hash, newest.entry_hash],
        )
    code, output = run_audit("verify")
    assert code == 1
    assert f"entry sequence {newest.sequence + 1} (id {forged_id}): gap" in output
    assert "Checked 0 entries" in output


def test_a_row_walked_over_but_outside_the_chain_is_reported():
    """The count after the walk: a row that appeared meanwhile below the walk's position (so
    the walk never read it) is a row outside the chain."""
    from continuum.audit.verify import Report, _Walk

    report = Report(entries=3, head_sequence=3)
    walk = _Walk.__new__(_Walk)
    walk.report, walk.ahead = report, []
    walk.finish(None, rows_walked_over=4)
    assert [f.problem for f in report.findings] == [Problem.GAP]
    assert "4 rows but the chain 3" in report.findings[0].detail
    report.findings.clear()
    walk.finish(None, rows_walked_over=3)
    assert report.ok


def test_a_trigger_re_created_so_that_it_never_fires_is_reported(db, run_audit):
    """Re-created under its own name with a condition that is never true, a trigger still
    exists and still names the message; only its whole definition shows it no longer guards."""
    entries(2)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute('DROP TRIGGER "audit_entry_refuse_update"')
            cursor.execute(
                'CREATE TRIGGER "audit_entry_refuse_update" BEFORE UPDATE ON "audit_auditentry" '
                "WHEN 0 BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE "
                "refused'); END"
            )
        else:
            cursor.execute(
                'CREATE OR REPLACE TRIGGER "audit_entry_refuse_update" BEFORE UPDATE ON '
                '"audit_auditentry" FOR EACH ROW WHEN (false) EXECUTE FUNCTION '
                '"audit_entry_refuse"()'
            )
        # The forger's point: now an entry can be changed.
        cursor.execute("UPDATE audit_auditentry SET prev_hash = prev_hash")
    code, output = run_audit("verify")
    assert code == 1
    assert "unprotected: trigger audit_entry_refuse_update is missing or disabled" in output


def test_a_trigger_that_fires_only_for_replication_is_reported(db, run_audit):
    if connection.vendor != "postgresql":
        pytest.skip("Only PostgreSQL has triggers that fire for replication sessions only.")
    entries(1)
    with connection.cursor() as cursor:
        cursor.execute(
            'ALTER TABLE audit_auditentry ENABLE REPLICA TRIGGER "audit_entry_refuse_delete"'
        )
    code, output = run_audit("verify")
    assert code == 1
    assert "unprotected: trigger audit_entry_refuse_delete is missing or disabled" in output
