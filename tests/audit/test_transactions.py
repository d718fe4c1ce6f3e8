"""An entry is written in the same transaction as the change it records: both commit, or
neither does."""

from __future__ import annotations

import contextlib

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError

from continuum.audit import chain, services
from continuum.audit.models import Action, AuditEntry, AuditHead
from continuum.core import services as core_services
from continuum.core.models import Person
from tests.audit.conftest import entries
from tests.factories import PersonFactory

PERSON = {"given_names": "Tx", "family_name": "Synthcouple", "custody_status": "sentenced"}


def _head() -> tuple[int, str]:
    head = AuditHead.objects.get()
    return head.sequence, head.entry_hash


def test_a_refused_change_leaves_neither_entry_nor_a_moved_head(db, world):
    entries(1)
    before = _head()
    PersonFactory(national_identifier="123123123", registered_by=world.institution)
    with pytest.raises(core_services.InvalidInput):
        core_services.person_register(
            actor=world["contact_point"], data={**PERSON, "national_identifier": "123123123"}
        )
    assert AuditEntry.objects.count() == 1
    assert _head() == before


def test_a_failed_seal_rolls_the_change_back(db, world, monkeypatch):
    entries(1)
    before = _head()

    def broken(*args: object) -> str:
        raise RuntimeError("the audit key is unreadable")

    monkeypatch.setattr(chain, "seal", broken)
    with pytest.raises(RuntimeError):
        core_services.person_register(actor=world["contact_point"], data=PERSON)
    assert not Person.objects.exists()
    assert _head() == before


def test_a_caught_audit_failure_still_rolls_the_change_back(db, monkeypatch):
    """The audit write joins the caller's transaction without a savepoint: a caller that
    swallows the error cannot commit the change without its entry."""
    monkeypatch.setattr(chain, "seal", lambda *args: 1 / 0)
    with pytest.raises(TransactionManagementError), transaction.atomic():
        PersonFactory(family_name="Synthswallowed")
        with contextlib.suppress(ZeroDivisionError):
            services.record(action=Action.CREATE)
        Person.objects.count()  # the transaction can only roll back now
    assert not Person.objects.exists()
