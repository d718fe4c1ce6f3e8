"""Account services: the second factor (TOTP) of an account, and ending an account's access.

Each write records its audit entry in the same transaction. The TOTP devices are django-otp's
``TOTPDevice``: it keeps the time step of the last accepted code (``last_t``), so a code is
accepted once only, and it slows down guessing with an exponential back-off per device.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

import django_otp
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core import services
from continuum.core.exceptions import Conflict
from continuum.core.models import ApiToken, User

# The session key that holds a sign-in waiting for its second factor (see core.signin).
PENDING_SESSION_KEY = "continuum_signin_pending"
# Django's own key for the signed-in user's id.
USER_SESSION_KEY = "_auth_user_id"
DEVICE_NAME = "authenticator app"


def second_factor_required() -> bool:
    return bool(settings.CONTINUUM_REQUIRE_2FA)


def totp_device_of(user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed device with a fresh secret. Devices from earlier, abandoned
    enrolments are removed: whoever saw their secret must not be able to use it later."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def totp_enrolment_confirm(*, user: User, device_id: int, code: str) -> TOTPDevice | None:
    """Confirm an unconfirmed device of ``user`` with a first code from the app. Returns the
    device, or None if the code (or the device) is not right."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device_id, user=user, confirmed=False)
            .first()
        )
        if device is None or not device.verify_token(code):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(
            action=Action.CHANGE,
            user=user,
            obj=user,
            changes={"second_factor": {"before": None, "after": "totp"}},
        )
    return device


def totp_verify(*, user: User, code: str) -> TOTPDevice | None:
    """Check a code against the user's confirmed device. django-otp locks the device row while
    it checks, so two requests with the same code cannot both pass."""
    device = totp_device_of(user)
    if device is None:
        return None
    verified = django_otp.verify_token(user, device.persistent_id, code)
    return verified if isinstance(verified, TOTPDevice) else None


def user_sessions_end(*, user: User) -> int:
    """Delete every session of ``user`` on the server, including a sign-in that waits for its
    second factor. Returns how many were ended.

    Sessions are not indexed by user, so this reads the live ones; that is fine for the number
    of people who use Continuum. Deleting through the session engine also clears any cache in
    front of the database."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        pending = data.get(PENDING_SESSION_KEY) or {}
        if data.get(USER_SESSION_KEY) == str(user.pk) or pending.get("user_id") == user.pk:
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


@dataclass(frozen=True)
class Deactivation:
    sessions_ended: int
    tokens_revoked: list[str]


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> Deactivation:
    """Deactivate an account and end its access at once: its sessions on the server and its
    API tokens (each revocation recorded as usual), then one entry for the change itself."""
    if not User.objects.filter(pk=user.pk, is_active=True).exists():
        raise Conflict(_("This account is not active."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_ended = user_sessions_end(user=user)
    tokens = ApiToken.objects.select_related("membership__agency", "membership__user").filter(
        membership__user=user, revoked_at__isnull=True
    )
    revoked = [services.token_revoke(token=token).prefix for token in tokens]
    audit.record(
        action=Action.CHANGE,
        user=actor,
        obj=user,
        changes={
            "is_active": {"before": True, "after": False},
            "sessions_ended": sessions_ended,
            "tokens_revoked": revoked,
        },
    )
    return Deactivation(sessions_ended=sessions_ended, tokens_revoked=revoked)
