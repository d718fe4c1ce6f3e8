"""API authentication: a bearer token bound to one membership, or the browser session with
its chosen membership (for the browsable docs)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from continuum.core.models import ApiToken
from continuum.core.services import hash_token

# Recording every use would turn each read into a write; a minute's precision is enough.
LAST_USED_PRECISION = timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header."))
        token = (
            ApiToken.objects.select_related("membership__user", "membership__agency")
            .filter(key_hash=hash_token(header[1]))
            .first()
        )
        now = timezone.now()
        if (
            token is None
            or not token.is_usable(now)
            or not token.membership.is_active
            or not token.membership.agency.is_active
            or not token.membership.user.is_active
        ):
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request._request.membership = token.membership  # type: ignore[attr-defined]
        return token.membership.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class MembershipSessionAuthentication(authentication.SessionAuthentication):
    """The session, acting in the membership chosen after sign-in."""
