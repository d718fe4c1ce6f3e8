"""How long a session lasts: the idle timeout, the absolute lifetime, and a missing second
factor. The clock is moved by changing the session's timestamps, not by sleeping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.audit.models import AuditEntry
from continuum.core import sessions


def shift(client, **ago: timedelta) -> None:
    """Pretend the session's sign-in and last request were ``ago`` in the past."""
    session = client.session
    now = timezone.now().timestamp()
    for key, delta in ago.items():
        session[key] = now - delta.total_seconds()
    session.save()


@pytest.fixture
def signed_in(act_as, world):
    client = act_as(world["coordinator"])
    assert client.get(reverse("core:case-list")).status_code == 200  # stamps the session
    return client


def assert_ended(client, key: str, reason: str, message: str) -> None:
    response = client.get(reverse("core:case-list"))
    assert response["Location"] == f"{reverse('login')}?next=/cases/"
    assert not Session.objects.filter(session_key=key).exists()
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert message in page.content.decode()
    entry = AuditEntry.objects.filter(action="logout").get()
    assert (entry.username, entry.changes) == ("coordinator", {"reason": reason})


def test_it_ends_a_session_idle_for_longer_than_the_limit(signed_in, settings):
    assert settings.CONTINUUM_SESSION_IDLE_MINUTES == 30
    key = signed_in.session.session_key
    shift(signed_in, continuum_last_seen=timedelta(minutes=30, seconds=5))
    assert_ended(
        signed_in,
        key,
        sessions.IDLE,
        "You were signed out after 30 minutes without activity. Please sign in again.",
    )


def test_it_keeps_a_session_in_use(signed_in):
    shift(signed_in, continuum_last_seen=timedelta(minutes=29))
    assert signed_in.get(reverse("core:case-list")).status_code == 200
    seen = signed_in.session[sessions.LAST_SEEN]
    assert timezone.now().timestamp() - seen < 5, "the request counts as activity"


def test_it_ends_a_session_older_than_its_lifetime_however_busy(signed_in, settings):
    assert settings.CONTINUUM_SESSION_MAX_HOURS == 12
    key = signed_in.session.session_key
    shift(
        signed_in,
        continuum_signed_in_at=timedelta(hours=12, seconds=5),
        continuum_last_seen=timedelta(seconds=10),
    )
    assert_ended(
        signed_in,
        key,
        sessions.LIFETIME,
        "You were signed out because your session reached its limit of 12 hours.",
    )


def test_it_keeps_a_busy_session_within_its_lifetime(signed_in):
    shift(signed_in, continuum_signed_in_at=timedelta(hours=11, minutes=59))
    assert signed_in.get(reverse("core:case-list")).status_code == 200


def test_the_limits_are_configurable(signed_in, settings):
    settings.CONTINUUM_SESSION_IDLE_MINUTES = 5
    settings.CONTINUUM_SESSION_MAX_HOURS = 1
    shift(signed_in, continuum_last_seen=timedelta(minutes=4))
    assert signed_in.get(reverse("core:case-list")).status_code == 200
    shift(signed_in, continuum_last_seen=timedelta(minutes=6))
    assert signed_in.get(reverse("core:case-list")).status_code == 302


def test_the_api_answers_401_once_the_session_ended(signed_in):
    shift(signed_in, continuum_last_seen=timedelta(hours=1))
    assert signed_in.get("/api/v1/cases").status_code == 401


def test_a_session_without_timestamps_counts_from_now(client, world):
    client.force_login(world["coordinator"].user)
    client.get(reverse("core:home"))
    session = client.session
    assert timezone.now().timestamp() - session[sessions.SIGNED_IN_AT] < 5


def test_it_ends_a_session_without_the_second_factor_when_it_is_required(signed_in, settings):
    """However a session was started (here: before the requirement was switched on, or the
    admin site's own form), it does not outlive a missing second factor."""
    key = signed_in.session.session_key
    settings.CONTINUUM_REQUIRE_2FA = True
    assert_ended(
        signed_in,
        key,
        sessions.SECOND_FACTOR_MISSING,
        "Please sign in again with your verification code.",
    )


def test_a_session_with_the_second_factor_goes_on(signed_in, settings, world):
    device = TOTPDevice.objects.create(user=world["coordinator"].user, confirmed=True)
    session = signed_in.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    settings.CONTINUUM_REQUIRE_2FA = True
    assert signed_in.get(reverse("core:case-list")).status_code == 200
