"""The health endpoint and the settings modes."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper


def test_healthz_answers_200_with_json_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, db, monkeypatch):
    # The database is the outside boundary here: make connecting to it fail.
    def refuse(self: BaseDatabaseWrapper) -> None:
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_pages_need_a_signed_in_user(client, db):
    response = client.get("/persons/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/persons/")


# Production refuses to start without a field keyring; these runs get a throw-away one
# unless a test sets CONTINUUM_FIELD_KEYS itself.
THROWAWAY_FIELD_KEYS = json.dumps(
    {
        "current": "k-test",
        "keys": {"k-test": base64.b64encode(b"k" * 32).decode()},
        "index_key": base64.b64encode(b"i" * 32).decode(),
    }
)


def _settings_in(env: dict[str, str], expression: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean["CONTINUUM_FIELD_KEYS"] = THROWAWAY_FIELD_KEYS
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", f"import continuum.settings as s; print({expression})"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _settings_in(
        {
            "CONTINUUM_ENV": "production",
            "ALLOWED_HOSTS": "example.test",
            "CONTINUUM_VAR_DIR": str(tmp_path),
        },
        "s.DEBUG",
    )
    assert result.returncode != 0
    assert "SECRET_KEY or SECRET_KEY_FILE is required in production." in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = _settings_in(
        {"CONTINUUM_ENV": "production", "SECRET_KEY": "x" * 60, "CONTINUUM_VAR_DIR": str(tmp_path)},
        "s.DEBUG",
    )
    assert "ALLOWED_HOSTS is required in production." in result.stderr


def test_production_is_not_in_debug_and_reads_a_secret_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 60 + "\n")
    result = _settings_in(
        {
            "CONTINUUM_ENV": "production",
            "SECRET_KEY_FILE": str(secret),
            "ALLOWED_HOSTS": "example.test",
            "CONTINUUM_VAR_DIR": str(tmp_path),
        },
        "s.DEBUG, s.SECRET_KEY == 's' * 60, s.SESSION_COOKIE_SECURE",
    )
    assert result.stdout.strip() == "False True True", result.stderr


def test_development_generates_a_secret_key_into_var(tmp_path):
    result = _settings_in({"CONTINUUM_VAR_DIR": str(tmp_path)}, "s.DEBUG")
    assert result.stdout.strip() == "True", result.stderr
    key = tmp_path / "secret_key"
    assert len(key.read_text()) >= 50
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_the_default_database_is_sqlite_in_var_with_wal(tmp_path):
    result = _settings_in(
        {"CONTINUUM_VAR_DIR": str(tmp_path), "DATABASE_URL": ""},
        "s.DATABASES['default']['NAME'], s.DATABASES['default']['OPTIONS']['init_command']",
    )
    assert str(tmp_path / "continuum.sqlite3") in result.stdout, result.stderr
    assert "journal_mode=WAL" in result.stdout


@pytest.mark.django_db
def test_the_embedded_database_runs_in_wal_mode(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "continuum",
            "shell",
            "-c",
            "from django.db import connection; c = connection.cursor(); "
            "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        ],
        env={**os.environ, "CONTINUUM_VAR_DIR": str(tmp_path), "DATABASE_URL": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip().splitlines()[-1] == "wal", result.stderr


def test_an_unknown_mode_is_refused(tmp_path):
    result = _settings_in({"CONTINUUM_ENV": "staging", "CONTINUUM_VAR_DIR": str(tmp_path)}, "1")
    assert "CONTINUUM_ENV must be 'development' or 'production'." in result.stderr


def test_the_longest_duration_of_a_measure_type_can_be_configured(tmp_path):
    result = _settings_in(
        {
            "CONTINUUM_VAR_DIR": str(tmp_path),
            "CONTINUUM_MEASURE_MAX_DAYS": "telephone_monitoring=14",
        },
        "s.CONTINUUM_MEASURE_MAX_DAYS['telephone_monitoring'], "
        "s.CONTINUUM_MEASURE_MAX_DAYS['visitor_review']",
    )
    assert result.stdout.strip() == "14 90", result.stderr


@pytest.mark.parametrize("value", ["phone_tapping=10", "cell_inspection=0"])
def test_an_unknown_measure_type_or_a_duration_below_one_day_is_refused(tmp_path, value):
    result = _settings_in(
        {"CONTINUUM_VAR_DIR": str(tmp_path), "CONTINUUM_MEASURE_MAX_DAYS": value}, "1"
    )
    assert result.returncode != 0
    assert "CONTINUUM_MEASURE_MAX_DAYS takes type=days pairs" in result.stderr
