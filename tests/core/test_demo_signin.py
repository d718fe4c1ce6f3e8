"""The demo and the second factor: off by default, and when it is on, every demo account is
enrolled with one shared, printed secret."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.core import demo
from tests.core.test_signin import code


def seed() -> str:
    out = StringIO()
    call_command("demo", "--seed-only", stdout=out)
    return out.getvalue()


def test_the_demo_enrols_nobody_when_no_second_factor_is_required(db):
    printed = seed()
    assert not TOTPDevice.objects.exists()
    assert demo.demo_totp_secret() not in printed


def test_the_demo_enrols_every_account_and_prints_the_secret_when_required(db, settings):
    settings.CONTINUUM_REQUIRE_2FA = True
    printed = seed()
    assert demo.demo_totp_secret() in printed
    devices = TOTPDevice.objects.filter(confirmed=True)
    assert {d.user.username for d in devices} == {username for username, *_ in demo.USERS}

    client = Client()
    client.post(reverse("login"), {"username": "coordinator", "password": demo.DEMO_PASSWORD})
    device = devices.get(user__username="coordinator")
    assert client.post(reverse("signin-verify"), {"code": code(device)}).status_code == 302
    assert "_auth_user_id" in client.session


def test_turning_the_second_factor_on_later_enrols_the_existing_demo(db, settings):
    seed()
    settings.CONTINUUM_REQUIRE_2FA = True
    seed()
    assert TOTPDevice.objects.filter(confirmed=True).count() == len(demo.USERS)
    seed()
    assert TOTPDevice.objects.count() == len(demo.USERS), "enrolled once"
