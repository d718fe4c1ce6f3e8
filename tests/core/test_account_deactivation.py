"""Deactivating an account ends its access at once: sessions on the server, API tokens."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse

from continuum.audit.models import AuditEntry
from continuum.core import accounts
from continuum.core.admin import UserAdmin
from continuum.core.exceptions import Conflict
from continuum.core.models import ApiToken, User
from tests.conftest import bearer, sign_in
from tests.factories import PASSWORD


@pytest.fixture
def leaver(world):
    """The probation officer, signed in in two browsers, with an API token."""
    membership = world["probation_officer"]
    browsers = [sign_in(Client(), membership), sign_in(Client(), membership)]
    token = bearer(membership)
    assert browsers[0].get(reverse("core:case-list")).status_code == 200
    assert Client().get("/api/v1/cases", **token).status_code == 200
    return membership.user, browsers, token


def session_keys(browsers: list[Client]) -> list[str]:
    return [browser.session.session_key for browser in browsers]


def test_it_ends_the_sessions_and_revokes_the_tokens(world, leaver):
    user, browsers, token = leaver
    keys = session_keys(browsers)
    bystander = sign_in(Client(), world["coordinator"])

    result = accounts.user_deactivate(actor=world["administrator"].user, user=user)

    assert result.sessions_ended == 2
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert browsers[0].get(reverse("core:case-list"))["Location"].startswith(reverse("login"))
    assert Client().get("/api/v1/cases", **token).status_code == 401
    assert ApiToken.objects.get(membership__user=user).revoked_at is not None
    assert bystander.get(reverse("core:case-list")).status_code == 200
    user.refresh_from_db()
    assert not user.is_active


def test_it_records_who_deactivated_whom(world, leaver):
    user, _browsers, _token = leaver
    accounts.user_deactivate(actor=world["administrator"].user, user=user)
    entry = AuditEntry.objects.get(action="change", object_type="core.user")
    prefix = ApiToken.objects.get(membership__user=user).prefix
    assert (entry.username, entry.object_id) == ("administrator", str(user.pk))
    assert entry.changes == {
        "is_active": {"before": True, "after": False},
        "sessions_ended": 2,
        "tokens_revoked": [prefix],
    }
    assert (
        AuditEntry.objects.filter(action="token_revoked", object_type="core.apitoken").count() == 1
    )


def test_it_ends_a_sign_in_waiting_for_its_second_factor(world, settings):
    settings.CONTINUUM_REQUIRE_2FA = True
    browser = Client()
    browser.post(reverse("login"), {"username": "probation-officer", "password": PASSWORD})
    key = browser.session.session_key
    result = accounts.user_deactivate(
        actor=world["administrator"].user, user=world["probation_officer"].user
    )
    assert result.sessions_ended == 1
    assert not Session.objects.filter(session_key=key).exists()


def test_it_refuses_an_account_that_is_not_active(world):
    user = world["mentor"].user
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(Conflict):
        accounts.user_deactivate(actor=world["administrator"].user, user=user)


def test_unticking_active_in_the_admin_goes_through_the_service(world, leaver):
    user, browsers, _token = leaver
    keys = session_keys(browsers)
    request = RequestFactory().post("/admin/core/user/")
    request.user = world["administrator"].user

    class Form:
        changed_data = ["is_active", "first_name"]

    user.is_active = False
    user.first_name = "Renamed"
    UserAdmin(User, admin.site).save_model(request, user, Form(), change=True)

    user.refresh_from_db()
    assert (user.is_active, user.first_name) == (False, "Renamed")
    assert not Session.objects.filter(session_key__in=keys).exists()
    entries = [e.changes for e in AuditEntry.objects.filter(object_type="core.user")]
    assert len([c for c in entries if "sessions_ended" in c]) == 1
    assert {"first_name": {"before": None, "after": "Renamed"}} in entries


def test_the_admin_action_deactivates_the_selected_accounts(world, leaver):
    user, browsers, _token = leaver
    keys = session_keys(browsers)
    administrator = world["administrator"].user
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    admin_browser = sign_in(Client(), world["administrator"])
    response = admin_browser.post(
        reverse("admin:core_user_changelist"),
        {"action": "deactivate", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert not Session.objects.filter(session_key__in=keys).exists()
