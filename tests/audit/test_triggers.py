"""The database refuses to change or remove audit entries, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from continuum.audit import triggers
from continuum.audit.models import AuditEntry, AuditHead
from tests.audit.conftest import entries


def _execute(sql: str, params: list[object] | None = None) -> None:
    # A savepoint, so that PostgreSQL can go on after the refusal.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_the_migrated_database_has_every_trigger(db):
    assert triggers.missing(connection) == []


@pytest.mark.parametrize("column", ["content", "prev_hash", "entry_hash"])
def test_a_raw_update_is_refused(db, column):
    entry = entries(1)[0]
    with pytest.raises(IntegrityError, match="append-only"):
        sql = f'UPDATE "audit_auditentry" SET "{column}" = "{column}" WHERE id = %s'  # noqa: S608
        _execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).content == entry.content


def test_a_raw_delete_is_refused(db):
    entry = entries(2)[0]
    with pytest.raises(IntegrityError, match="append-only"):
        _execute('DELETE FROM "audit_auditentry" WHERE id = %s', [entry.pk])
    with pytest.raises(IntegrityError, match="append-only"):
        _execute('DELETE FROM "audit_auditentry"')
    assert AuditEntry.objects.count() == 2


def test_the_orm_can_neither_update_nor_delete(db):
    entry = entries(1)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash="0" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.content = entry.content.replace("login_failed", "login")
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "login_failed"


def test_truncate_is_refused_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE is refused.")
    entries(1)
    with pytest.raises(IntegrityError, match="append-only"):
        _execute('TRUNCATE "audit_auditentry"')
    assert AuditEntry.objects.count() == 1


def test_a_derived_column_cannot_be_set_apart_from_the_content(db):
    entry = entries(1)[0]
    with pytest.raises(DatabaseError):
        _execute(
            'UPDATE "audit_auditentry" SET "username" = %s WHERE id = %s', ["someone", entry.pk]
        )
    with pytest.raises(DatabaseError):
        _execute(
            'INSERT INTO "audit_auditentry" (content, prev_hash, entry_hash, username) '
            "VALUES (%s, %s, %s, %s)",
            [entry.content, "0" * 64, "0" * 64, "someone"],
        )
    assert AuditEntry.objects.get(pk=entry.pk).username == ""


def test_the_head_row_stays_updatable(db):
    entries(1)
    assert AuditHead.objects.update(sequence=1) == 1


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_puts_the_triggers_back():
    """The test suite flushes the database after each transactional test; that goes through
    the audit app's flush, which lifts the triggers for that moment only."""
    entries(2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    assert triggers.missing(connection) == []
    with pytest.raises(IntegrityError):
        entries(1)
        _execute('DELETE FROM "audit_auditentry"')
