"""Signing in: passwords, the second factor (TOTP), the lockout, and signing out."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.audit.models import AuditEntry
from continuum.core import accounts, signin
from continuum.core.models import Role
from tests.core.test_health_and_settings import _settings_in
from tests.factories import PASSWORD

USER_KEY = "_auth_user_id"
LIMIT = 5  # CONTINUUM_SIGNIN_FAILURE_LIMIT's default


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


@pytest.fixture
def required(settings) -> None:
    """Production's mode: a second factor for everyone."""
    settings.CONTINUUM_REQUIRE_2FA = True


@pytest.fixture
def no_throttle(settings) -> None:
    """django-otp waits 1, 2, 4… seconds after each wrong code; tests do not sleep."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


# --- passwords -----------------------------------------------------------------------------


def test_it_hashes_passwords_with_argon2_first_in_production(tmp_path):
    result = _settings_in(
        {
            "CONTINUUM_ENV": "production",
            "SECRET_KEY": "k" * 60,
            "ALLOWED_HOSTS": "example.test",
            "CONTINUUM_VAR_DIR": str(tmp_path),
        },
        "s.PASSWORD_HASHERS[0], s.CONTINUUM_REQUIRE_2FA",
    )
    assert result.stdout.strip() == ("django.contrib.auth.hashers.Argon2PasswordHasher True"), (
        result.stderr
    )


def test_it_stores_an_argon2_hash(settings, django_user_model, db):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = django_user_model.objects.create_user(username="hashed", password=PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-pw-1", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("38472910384756", "This password is entirely numeric."),
    ],
)
def test_it_refuses_weak_passwords(password, message, db):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert message in refused.value.messages


def test_it_accepts_a_long_uncommon_password(db):
    validate_password("lantern-harbour-quietly-47")


# --- the session ---------------------------------------------------------------------------


def test_it_gives_the_session_a_new_key_on_sign_in(client, world):
    before = client.session
    before["probe"] = "planted"
    before.save()
    response = sign_in(client, "coordinator")
    assert response.status_code == 302
    after = client.session
    assert after[USER_KEY] == str(world["coordinator"].user.pk)
    assert after.session_key != before.session_key
    assert not Session.objects.filter(session_key=before.session_key).exists()


def test_it_ends_the_session_on_the_server_when_signing_out(client, world):
    sign_in(client, "coordinator")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("core:case-list"))["Location"].startswith(reverse("login"))


# --- the same answer for every failure, and the lockout ------------------------------------


def test_it_answers_unknown_user_wrong_password_and_lockout_alike(client, world):
    unknown = sign_in(client, "nobody", "x" * 12)
    wrong = sign_in(client, "coordinator", "x" * 12)
    for _ in range(LIMIT - 1):
        sign_in(client, "coordinator", "x" * 12)
    locked = sign_in(client, "coordinator")  # the right password, but locked out
    assert USER_KEY not in client.session
    assert unknown.status_code == wrong.status_code == locked.status_code == 200
    assert errors(unknown) == errors(wrong) == errors(locked) == [str(signin.SIGN_IN_FAILED)]
    assert b"locked" not in locked.content.lower()


def test_it_records_a_locked_out_attempt(client, world):
    for _ in range(LIMIT):
        sign_in(client, "coordinator", "x" * 12)
    sign_in(client, "coordinator")
    failed = list(AuditEntry.objects.filter(action="login_failed").order_by("id"))
    assert len(failed) == LIMIT + 1
    assert [entry.changes.get("locked_out", False) for entry in failed] == [
        *[False] * (LIMIT - 1),
        True,  # the failure that locked
        True,  # the right password, refused while locked
    ]
    assert failed[-1].changes["username"] == "coordinator"
    assert failed[-1].client_address == "127.0.0.1"


def test_it_locks_the_username_only_from_the_address_that_failed(client, world):
    for _ in range(LIMIT):
        sign_in(client, "coordinator", "x" * 12, REMOTE_ADDR="192.0.2.66")
    assert sign_in(client, "coordinator", REMOTE_ADDR="192.0.2.66").status_code == 200
    assert USER_KEY not in client.session
    # The colleague at their own desk still signs in; so does someone else at that address.
    colleague = Client()
    assert sign_in(colleague, "coordinator", REMOTE_ADDR="192.0.2.10").status_code == 302
    neighbour = Client()
    assert sign_in(neighbour, "case-manager", REMOTE_ADDR="192.0.2.66").status_code == 302


def test_it_ignores_a_forwarded_for_header_when_counting(client, world):
    for number in range(LIMIT):
        sign_in(client, "coordinator", "x" * 12, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    response = sign_in(client, "coordinator", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert response.status_code == 200, "a forged header must not give a fresh counter"


def test_it_lets_the_user_in_again_after_the_cool_off(client, world, settings):
    for _ in range(LIMIT):
        sign_in(client, "coordinator", "x" * 12)
    assert sign_in(client, "coordinator").status_code == 200
    cool_off = timedelta(minutes=settings.CONTINUUM_SIGNIN_COOLOFF_MINUTES)
    assert settings.AXES_COOLOFF_TIME == cool_off == timedelta(minutes=15)
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= cool_off + timedelta(seconds=1)
        attempt.save(update_fields=["attempt_time"])
    response = sign_in(client, "coordinator")
    assert response.status_code == 302
    assert client.session[USER_KEY] == str(world["coordinator"].user.pk)


def test_it_forgets_earlier_failures_after_a_successful_sign_in(client, world):
    for _ in range(LIMIT - 1):
        sign_in(client, "coordinator", "x" * 12)
    assert sign_in(client, "coordinator").status_code == 302
    client.post(reverse("logout"))
    sign_in(client, "coordinator", "x" * 12)
    assert sign_in(client, "coordinator").status_code == 302


# --- the second factor ---------------------------------------------------------------------


def test_it_does_not_sign_in_with_a_password_alone_when_a_second_factor_is_required(
    client, world, required
):
    enrolled(world["coordinator"].user)
    response = sign_in(client, "coordinator")
    assert response["Location"] == reverse("signin-verify")
    assert USER_KEY not in client.session
    page = client.get(reverse("core:case-list"))
    assert page["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", Role.values)
def test_it_requires_the_second_factor_of_every_role(client, world, required, role):
    user = world[role].user
    assert sign_in(client, user.username)["Location"] == reverse("signin-enrol")
    assert USER_KEY not in client.session


def test_it_signs_in_with_a_code_from_the_enrolled_device(client, world, required):
    device = enrolled(world["coordinator"].user)
    sign_in(client, "coordinator")
    response = client.post(reverse("signin-verify"), {"code": code(device)})
    assert response["Location"] == reverse("core:choose-membership")
    session = client.session
    assert session[USER_KEY] == str(device.user_id)
    assert session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert accounts.PENDING_SESSION_KEY not in session
    client.get(reverse("core:choose-membership"))  # the only membership is taken
    assert client.get(reverse("core:case-list")).status_code == 200
    login = AuditEntry.objects.get(action="login")
    assert (login.username, login.changes) == ("coordinator", {"second_factor": "totp"})


def test_it_keeps_the_next_page_through_the_second_factor(client, world, required):
    device = enrolled(world["coordinator"].user)
    client.post(
        f"{reverse('login')}?next=/cases/", {"username": "coordinator", "password": PASSWORD}
    )
    response = client.post(reverse("signin-verify"), {"code": code(device)})
    assert response["Location"] == "/cases/"


def test_it_accepts_a_code_once_only(client, world, required, no_throttle):
    device = enrolled(world["coordinator"].user)
    first = code(device)
    sign_in(client, "coordinator")
    client.post(reverse("signin-verify"), {"code": first})
    client.post(reverse("logout"))

    sign_in(client, "coordinator")
    replayed = client.post(reverse("signin-verify"), {"code": first})
    assert replayed.status_code == 200
    assert "has been used already" in replayed.context["form"].errors["code"][0]
    assert USER_KEY not in client.session
    replay = AuditEntry.objects.filter(action="login_failed").last()
    assert replay.changes == {"username": "coordinator", "step": "second_factor"}

    following = client.post(reverse("signin-verify"), {"code": code(device, steps_ahead=1)})
    assert following.status_code == 302
    assert client.session[USER_KEY] == str(device.user_id)


def test_it_refuses_a_wrong_code(client, world, required):
    device = enrolled(world["coordinator"].user)
    sign_in(client, "coordinator")
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("signin-verify"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert USER_KEY not in client.session


def test_it_counts_wrong_codes_towards_the_lockout(client, world, required, no_throttle):
    device = enrolled(world["coordinator"].user)
    sign_in(client, "coordinator")
    for _ in range(LIMIT):
        response = client.post(reverse("signin-verify"), {"code": "000000"})
    assert response["Location"] == reverse("login")
    assert accounts.PENDING_SESSION_KEY not in client.session
    # Locked now: the password is refused, then the right code gets nowhere.
    assert sign_in(client, "coordinator").status_code == 200
    assert client.post(reverse("signin-verify"), {"code": code(device)})["Location"] == (
        reverse("login")
    )
    assert USER_KEY not in client.session


def test_it_forgets_a_correct_password_that_waits_too_long(client, world, required):
    device = enrolled(world["coordinator"].user)
    sign_in(client, "coordinator")
    session = client.session
    session[accounts.PENDING_SESSION_KEY]["since"] -= signin.PENDING_SECONDS + 1
    session.save()
    response = client.post(reverse("signin-verify"), {"code": code(device)})
    assert response["Location"] == reverse("login")
    assert USER_KEY not in client.session


def test_it_forgets_a_waiting_sign_in_of_a_deactivated_account(client, world, required):
    device = enrolled(world["coordinator"].user)
    sign_in(client, "coordinator")
    world["coordinator"].user.is_active = False
    world["coordinator"].user.save()
    assert client.post(reverse("signin-verify"), {"code": code(device)})["Location"] == (
        reverse("login")
    )
    assert USER_KEY not in client.session


def test_the_second_factor_pages_send_a_browser_without_a_password_to_the_login(client, db):
    for name in ("signin-verify", "signin-enrol"):
        assert client.get(reverse(name))["Location"] == reverse("login")
        assert client.post(reverse(name), {"code": "123456"})["Location"] == reverse("login")


# --- enrolment -----------------------------------------------------------------------------


def test_it_shows_a_user_without_a_device_how_to_enrol(client, world, required):
    assert sign_in(client, "coordinator")["Location"] == reverse("signin-enrol")
    device = TOTPDevice.objects.get(user=world["coordinator"].user)
    assert not device.confirmed
    response = client.get(reverse("signin-enrol"))
    html = response.content.decode()
    assert device.config_url.startswith("otpauth://totp/Continuum%3Acoordinator?secret=")
    assert "issuer=Continuum" in device.config_url
    assert device.config_url.replace("&", "&amp;") in html
    assert '<svg width="' in html and 'role="img"' in html and "<path" in html
    assert "<script" not in html.split("</head>")[1]
    assert "no-store" in response["Cache-Control"]


def test_it_confirms_the_device_with_a_first_code_and_signs_in(client, world, required):
    sign_in(client, "coordinator")
    device = TOTPDevice.objects.get(user=world["coordinator"].user)
    response = client.post(reverse("signin-enrol"), {"code": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    enrolment = AuditEntry.objects.get(action="change")
    assert enrolment.changes == {"second_factor": {"before": None, "after": "totp"}}
    assert enrolment.object_id == str(device.user_id)
    # Next time the code is asked for, not a new enrolment.
    client.post(reverse("logout"))
    assert sign_in(client, "coordinator")["Location"] == reverse("signin-verify")


def test_it_keeps_the_device_unconfirmed_after_a_wrong_first_code(client, world, required):
    sign_in(client, "coordinator")
    response = client.post(reverse("signin-enrol"), {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.get(user=world["coordinator"].user).confirmed
    assert USER_KEY not in client.session


def test_it_gives_a_new_secret_to_each_enrolment(client, world, required):
    sign_in(client, "coordinator")
    first = TOTPDevice.objects.get(user=world["coordinator"].user).key
    sign_in(Client(), "coordinator")
    devices = TOTPDevice.objects.filter(user=world["coordinator"].user)
    assert devices.count() == 1
    assert devices.get().key != first
    # The abandoned secret is useless: the first browser has to start again.
    assert client.get(reverse("signin-enrol"))["Location"] == reverse("login")


# --- the admin site ------------------------------------------------------------------------


def test_the_admin_login_is_the_sign_in_page(client, world):
    response = client.get(reverse("admin:login"), {"next": "/admin/"})
    assert response["Location"] == f"{reverse('login')}?next=/admin/"
    assert client.post(reverse("admin:login"), {"username": "admin", "password": PASSWORD})[
        "Location"
    ].startswith(reverse("login"))
    assert USER_KEY not in client.session


def test_the_admin_login_sends_a_signed_in_administrator_on(act_as, world):
    client = act_as(world["administrator"])
    client.force_login(world["administrator"].user)
    world["administrator"].user.is_staff = True
    world["administrator"].user.save()
    assert client.get(reverse("admin:login"), {"next": "/admin/"})["Location"] == "/admin/"


def test_the_admin_sign_out_ends_the_session_and_is_recorded(act_as, world):
    client = act_as(world["administrator"])
    key = client.session.session_key
    response = client.post(reverse("admin:logout"))
    assert response["Location"] == reverse("login")
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEntry.objects.filter(action="logout", username="administrator").exists()
