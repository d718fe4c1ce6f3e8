"""The audit key: read from the environment or a file, generated outside production only,
and never stored in the database."""

from __future__ import annotations

import base64

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from continuum.audit import keys
from continuum.audit.models import AuditEntry
from tests.audit.conftest import KEY, entries

HEX = "0f" * 32


def test_a_key_is_read_as_hex_or_base64():
    assert keys.parse_key(HEX, "test") == bytes.fromhex(HEX)
    assert keys.parse_key(base64.b64encode(b"k" * 40).decode(), "test") == b"k" * 40


@pytest.mark.parametrize("text", ["0f" * 31, base64.b64encode(b"short").decode(), "not a key!"])
def test_a_short_or_unreadable_key_is_refused(text):
    with pytest.raises(ImproperlyConfigured):
        keys.parse_key(text, "CONTINUUM_AUDIT_KEY")


def test_outside_production_a_missing_key_file_is_generated_for_the_owner_only(tmp_path):
    path = tmp_path / "var" / "audit_key"
    ring = keys._load("", str(path), (), False)
    assert len(ring.current) == 32
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert keys._load("", str(path), (), False).current == ring.current


def test_in_production_a_missing_key_stops_the_application(settings, tmp_path):
    settings.PRODUCTION = True
    settings.CONTINUUM_AUDIT_KEY = ""
    settings.CONTINUUM_AUDIT_KEY_FILE = tmp_path / "absent"
    with pytest.raises(ImproperlyConfigured, match="required in production"):
        apps.get_app_config("audit").ready()
    assert not (tmp_path / "absent").exists()


def test_in_production_a_key_file_is_read(settings, tmp_path):
    (tmp_path / "audit_key").write_text(HEX + "\n")
    settings.PRODUCTION = True
    settings.CONTINUUM_AUDIT_KEY = ""
    settings.CONTINUUM_AUDIT_KEY_FILE = tmp_path / "audit_key"
    assert keys.keyring().current == bytes.fromhex(HEX)


def test_the_key_is_nowhere_in_the_database(db):
    entries(3)
    for entry in AuditEntry.objects.all():
        stored = entry.content + entry.prev_hash + entry.entry_hash + entry.key_id
        assert KEY.hex() not in stored
    assert keys.key_id(KEY) != keys.key_id(b"\x00" * 32)
