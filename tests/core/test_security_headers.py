"""Response headers: the Content-Security-Policy, no caching of case data, and Django's deploy
checks under production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

from continuum.core import services
from continuum.core.models import Phase
from tests.core.test_health_and_settings import THROWAWAY_FIELD_KEYS
from tests.factories import PersonFactory


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.fixture
def coordinator(act_as, world):
    return act_as(world["coordinator"])


@pytest.fixture
def case(world):
    person = PersonFactory(registered_by=world.institution)
    return services.case_open(
        actor=world["coordinator"],
        person=person,
        lead_agency=world.coordination,
        phase=Phase.REFERRED,
    )


def test_every_page_has_a_strict_content_security_policy(client, coordinator, db):
    for response in (client.get(reverse("login")), coordinator.get(reverse("core:case-list"))):
        policy = directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["img-src"] == ["'self'", "data:"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"


def test_the_api_docs_allow_their_own_inline_script_by_nonce_only(coordinator):
    response = coordinator.get(reverse("api-docs"))
    assert response.status_code == 200
    policy = directives(response)
    nonce = re.search(r'<script nonce="([^"]+)">', response.content.decode())[1]
    assert policy["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert policy["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    again = coordinator.get(reverse("api-docs"))
    assert f"nonce-{nonce}" not in again["Content-Security-Policy"], "a new nonce each time"


def test_no_template_has_an_inline_script(coordinator, case):
    """Pages carry no inline script, so a policy without 'unsafe-inline' loses nothing."""
    for name, args in [
        ("core:person-search", []),
        ("core:case-list", []),
        ("core:case-detail", [case.reference]),
        ("core:person-detail", [case.person.reference]),
    ]:
        html = coordinator.get(reverse(name, args=args)).content.decode()
        for script in re.findall(r"<script[^>]*>", html):
            assert "src=" in script, (name, script)
        assert not re.search(r"\sstyle=", html), name
        assert not re.search(r"\son[a-z]+=", html), name


# Each page with case data, and which reference it takes.
CASE_DATA_PAGES = {
    "core:person-search": None,
    "core:person-register": None,
    "core:person-detail": "person",
    "core:person-edit": "person",
    "core:placement-add": "person",
    "core:case-open": "person",
    "core:case-list": None,
    "core:case-detail": "case",
}


@pytest.mark.parametrize("name", CASE_DATA_PAGES)
def test_pages_with_case_data_are_never_stored(name, coordinator, case):
    target = {"person": [case.person.reference], "case": [case.reference], None: []}
    response = coordinator.get(reverse(name, args=target[CASE_DATA_PAGES[name]]))
    assert response.status_code == 200, name
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_sign_in_page_is_never_stored(client, db):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]


NOT_FROM_THE_TEST_RUN = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_the_deploy_checks_pass_under_production_settings(tmp_path):
    """``continuum check --deploy --fail-level WARNING`` as an operator would run it."""
    env = {
        # Not the e2e tests' DJANGO_ALLOW_ASYNC_UNSAFE: a server never has it.
        **{k: v for k, v in os.environ.items() if k not in NOT_FROM_THE_TEST_RUN},
        "CONTINUUM_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "continuum.example.test",
        "CONTINUUM_VAR_DIR": str(tmp_path),
        "CONTINUUM_FIELD_KEYS": THROWAWAY_FIELD_KEYS,
        "CONTINUUM_AUDIT_KEY": secrets.token_hex(32),
    }
    result = subprocess.run(
        [sys.executable, "-m", "continuum", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
