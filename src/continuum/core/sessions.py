"""How long a session lasts: ended on the server after a spell without activity
(``CONTINUUM_SESSION_IDLE_MINUTES``) and, however active, after an absolute lifetime
(``CONTINUUM_SESSION_MAX_HOURS``). Where a second factor is required, a session that did not
pass it is ended too, whichever way it was started (the admin site's own login form, say)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core import accounts

SIGNED_IN_AT = "continuum_signed_in_at"
LAST_SEEN = "continuum_last_seen"
# Recording every request would write the session each time; a minute's precision is enough.
LAST_SEEN_PRECISION = timedelta(minutes=1)

IDLE = "idle"
LIFETIME = "lifetime"
SECOND_FACTOR_MISSING = "second_factor_missing"


def stamp(session: SessionBase) -> None:
    """Mark the start of a signed-in session (called once sign-in is complete)."""
    now = timezone.now().timestamp()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now


def reason_to_end(request: HttpRequest, user: Any) -> str | None:
    """Why the signed-in session of ``request`` must end now, or None. A session without
    timestamps (one started before this check existed) counts from now."""
    if accounts.second_factor_required() and not _verified(user):
        return SECOND_FACTOR_MISSING
    session = request.session
    now = timezone.now().timestamp()
    if SIGNED_IN_AT not in session or LAST_SEEN not in session:
        stamp(session)
        return None
    idle = timedelta(minutes=settings.CONTINUUM_SESSION_IDLE_MINUTES).total_seconds()
    lifetime = timedelta(hours=settings.CONTINUUM_SESSION_MAX_HOURS).total_seconds()
    if now - float(session[SIGNED_IN_AT]) > lifetime:
        return LIFETIME
    if now - float(session[LAST_SEEN]) > idle:
        return IDLE
    if now - float(session[LAST_SEEN]) >= LAST_SEEN_PRECISION.total_seconds():
        session[LAST_SEEN] = now
    return None


def _verified(user: Any) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def _message(reason: str) -> str:
    if reason == IDLE:
        return _(
            "You were signed out after %(minutes)s minutes without activity. Please sign in again."
        ) % {"minutes": settings.CONTINUUM_SESSION_IDLE_MINUTES}
    if reason == LIFETIME:
        return _(
            "You were signed out because your session reached its limit of %(hours)s hours. "
            "Please sign in again."
        ) % {"hours": settings.CONTINUUM_SESSION_MAX_HOURS}
    return _("Please sign in again with your verification code.")


class SessionLimitsMiddleware:
    """Ends the session on the server (flush) when it must end, records that in the audit log
    and leaves the request anonymous, so that the deny-by-default middleware sends the browser
    to the login page, where the message says why. Goes after the message middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = reason_to_end(request, user)
            if reason is not None:
                self._end(request, user, reason)
        return self.get_response(request)

    @staticmethod
    def _end(request: HttpRequest, user: Any, reason: str) -> None:
        audit.record(action=Action.LOGOUT, user=user, changes={"reason": reason})
        auth.logout(request)
        request.membership = None  # type: ignore[attr-defined]
        messages.info(request, _message(reason))
