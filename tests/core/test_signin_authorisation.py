"""The sign-in pages in the authorisation matrix: every role, allowed or refused.

The second-factor pages serve one person only: whoever just typed the right password for their
account, in that browser. Everyone else, signed in or not, in whatever role, is refused: sent
to the login page (which sends a signed-in user on to their home), with no code form and no
secret on the way. The tables are written out by hand, like the main matrix."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.core.models import Role
from tests.conftest import sign_in
from tests.factories import PASSWORD

ROLES = tuple(Role.values)
EVERY_ROLE = frozenset(ROLES)
NO_ROLE: frozenset[str] = frozenset()

# page -> caller -> roles allowed (200); every other role is refused.
MATRIX = {
    "signin-verify": {
        "right password, device enrolled": EVERY_ROLE,
        "right password, no device yet": NO_ROLE,  # sent to the enrolment instead
        "signed in": NO_ROLE,
    },
    "signin-enrol": {
        "right password, device enrolled": NO_ROLE,  # sent to the code instead
        "right password, no device yet": EVERY_ROLE,
        "signed in": NO_ROLE,
    },
}

CASES = [
    pytest.param(page, caller, role, role in allowed, id=f"{page} {caller} {role}")
    for page, callers in MATRIX.items()
    for caller, allowed in callers.items()
    for role in ROLES
]


@pytest.mark.parametrize(("page", "caller", "role", "allowed"), CASES)
def test_the_second_factor_pages(page, caller, role, allowed, world, settings):
    settings.CONTINUUM_REQUIRE_2FA = True
    membership = world[role]
    client = Client()
    if caller == "signed in":
        sign_in(client, membership)
    else:
        if caller == "right password, device enrolled":
            TOTPDevice.objects.create(user=membership.user, confirmed=True)
        client.post(reverse("login"), {"username": membership.user.username, "password": PASSWORD})
    response = client.get(reverse(page))
    html = response.content.decode()
    if allowed:
        assert response.status_code == 200
        assert 'name="code"' in html
    else:
        assert response.status_code == 302
        assert response["Location"] in {
            reverse("login"),
            reverse("signin-verify"),
            reverse("signin-enrol"),
        }
        assert "otpauth://" not in html


@pytest.mark.parametrize("role", ROLES)
def test_the_password_page_serves_every_role_and_sends_a_signed_in_one_on(role, world):
    assert Client().get(reverse("login")).status_code == 200
    response = sign_in(Client(), world[role]).get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:choose-membership")
