from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class HasActiveMembership(BasePermission):
    """Signed in and acting in a membership (a token's, or the one chosen in the session)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and getattr(request, "membership", None) is not None
        )
