from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control

from continuum.core.models import Membership

SESSION_KEY = "continuum_membership_id"


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Deny by default: every page needs a signed-in user unless marked
    ``@login_not_required``. The API authenticates with its own classes (bearer token or
    session) and refuses unauthenticated calls with 401 itself, so it is left to DRF here."""

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


def acting_membership(request: HttpRequest) -> Membership:
    """The membership a request acts in (set by :class:`ActiveMembershipMiddleware`, or by the
    bearer token). Call it only where a membership is required: pages behind ``acting`` and
    API views behind ``HasActiveMembership``."""
    return request.membership  # type: ignore[attr-defined,no-any-return]


class ActiveMembershipMiddleware:
    """Sets ``request.membership``: the membership the signed-in user chose to act in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = self._membership(request)  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def _membership(request: HttpRequest) -> Membership | None:
        user = getattr(request, "user", None)
        membership_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if not membership_id or user is None or not user.is_authenticated:
            return None
        return (
            Membership.objects.select_related("agency", "user")
            .filter(pk=membership_id, user=user, is_active=True, agency__is_active=True)
            .first()
        )


class ApiNoStoreMiddleware:
    """API answers carry case data: no browser or proxy may keep a copy. (Pages with case data
    get the same header from the ``acting`` decorator.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith("/api/"):
            patch_cache_control(response, no_store=True, private=True)
        return response
