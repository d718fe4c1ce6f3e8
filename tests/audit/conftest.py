"""Audit tests: a known key, a checkpoint file of their own, and a way to change the log
behind the application's back (as an intruder with database access would)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from continuum.audit import services, triggers
from continuum.audit.models import Action, AuditEntry

KEY_HEX = "a1" * 32
KEY = bytes.fromhex(KEY_HEX)


@pytest.fixture(autouse=True)
def audit_settings(settings, tmp_path):
    settings.CONTINUUM_AUDIT_KEY = KEY_HEX
    settings.CONTINUUM_AUDIT_RETIRED_KEYS = []
    settings.CONTINUUM_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    settings.CONTINUUM_AUDIT_CHECKPOINT_EVERY = 1000
    return settings


def expected_seal(prev_hash: str, content: str, key: bytes = KEY) -> str:
    return hmac.new(key, (prev_hash + content).encode(), hashlib.sha256).hexdigest()


def entries(count: int, **facts: Any) -> list[AuditEntry]:
    """``count`` sign-in entries of nobody in particular."""
    return [services.record(action=Action.LOGIN_FAILED, **facts) for _ in range(count)]


@contextmanager
def triggers_lifted() -> Iterator[None]:
    """What someone with access to the database can do: take the triggers off (raw SQL), and
    put them back after."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'DROP TRIGGER "{triggers.REFUSE_UPDATE}"')
            cursor.execute(f'DROP TRIGGER "{triggers.REFUSE_DELETE}"')
        else:
            cursor.execute(f'ALTER TABLE "{triggers.TABLE}" DISABLE TRIGGER USER')
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            triggers.install(connection)
        else:
            cursor.execute(f'ALTER TABLE "{triggers.TABLE}" ENABLE TRIGGER USER')


def behind_the_back(sql: str, params: list[Any] | None = None) -> None:
    """Run ``sql`` on the audit table with its triggers lifted."""
    with triggers_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def run_audit() -> Callable[..., tuple[int, str]]:
    """``continuum audit …``: its exit code (0 or the CommandError's) and its output."""

    def _run(*args: str) -> tuple[int, str]:
        out = StringIO()
        try:
            call_command("audit", *args, stdout=out)
        except CommandError as error:
            return error.returncode, out.getvalue() + str(error)
        return 0, out.getvalue()

    return _run
