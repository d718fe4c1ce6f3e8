"""API tokens: bound to one membership, shown once, stored as a hash, expiring, revocable."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from continuum.audit.models import AuditEntry
from continuum.core import services
from continuum.core.models import ApiToken, Role
from tests.factories import MembershipFactory


def create_token(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("tokens", "create", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_it_prints_the_token_once_and_stores_only_its_hash(world):
    secret, note = create_token("police-liaison")
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.key_hash, token.prefix, token.label}
    assert "not shown again" in note
    assert token.membership == world["police_liaison"]
    assert AuditEntry.objects.filter(action="token_issued", object_id=str(token.pk)).exists()


def test_a_bearer_token_acts_in_its_membership(client, world):
    secret, _ = create_token("police-liaison")
    response = client.get("/api/v1/me/memberships", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()[0]["role"] == "police_liaison"


def test_a_user_with_several_memberships_must_choose(world):
    MembershipFactory(
        user=world["case_manager"].user, agency=world.other_municipality, role=Role.CASE_MANAGER
    )
    with pytest.raises(CommandError, match="several memberships"):
        create_token("case-manager")
    secret, _ = create_token("case-manager", "--agency", "gem-b", "--role", "case_manager")
    assert ApiToken.objects.get().membership.agency.code == "gem-b"
    assert secret.startswith("ctm_")


def test_an_unknown_user_is_refused(world):
    with pytest.raises(CommandError, match="No active user"):
        create_token("nobody")


def test_a_revoked_token_is_refused(client, world):
    secret, _ = create_token("police-liaison")
    prefix = ApiToken.objects.get().prefix
    call_command("tokens", "revoke", prefix, stdout=StringIO())
    response = client.get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid, expired or revoked token."
    assert AuditEntry.objects.filter(action="token_revoked").count() == 1


def test_revoking_twice_says_so(world):
    create_token("police-liaison")
    prefix = ApiToken.objects.get().prefix
    call_command("tokens", "revoke", prefix, stdout=StringIO())
    with pytest.raises(CommandError, match="already been revoked"):
        call_command("tokens", "revoke", prefix, stdout=StringIO())


def test_an_expired_token_is_refused(client, world):
    issued = services.token_issue(membership=world["police_liaison"], days=1)
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert response.status_code == 401


@pytest.mark.parametrize("what", ["membership", "user", "agency"])
def test_a_token_of_a_deactivated_account_is_refused(client, world, what):
    membership = world["police_liaison"]
    issued = services.token_issue(membership=membership)
    target = {"membership": membership, "user": membership.user, "agency": membership.agency}
    target[what].is_active = False
    target[what].save()
    response = client.get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert response.status_code == 401


def test_a_guessed_token_is_refused(client, world):
    services.token_issue(membership=world["police_liaison"])
    response = client.get("/api/v1/agencies", HTTP_AUTHORIZATION="Bearer ctm_guess_guess")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_token_must_live_at_least_a_day(world):
    with pytest.raises(CommandError, match="at least one day"):
        create_token("police-liaison", "--days", "0")


def test_listing_shows_tokens_but_never_secrets(world):
    secret, _ = create_token("police-liaison", "--label", "police system")
    out = StringIO()
    call_command("tokens", "list", "police-liaison", stdout=out)
    assert "police system" in out.getvalue()
    assert secret not in out.getvalue()


def test_last_use_is_recorded(client, world):
    issued = services.token_issue(membership=world["police_liaison"])
    client.get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None
