"""Deny by default: every URL the project routes needs a signed-in user, except the few that
are public on purpose. The test walks the whole URL configuration, so a new page is covered
the day it is added."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

# The only views that answer without a signed-in user. The second-factor steps come before
# sign-in is complete (they need a correct password in the session and send everyone else to
# the login page); the admin site's login page is ours (admin-login), which sends people on.
PUBLIC = {
    "healthz",
    "login",
    "signin-verify",
    "signin-enrol",
    "set_language",
    "admin-login",
}

SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-0000000000a1",
}


@dataclass(frozen=True)
class Route:
    path: str
    name: str
    callback: Any


def _sample_route(route: str) -> str:
    return re.sub(
        r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>", lambda m: SAMPLES[m["conv"] or "str"], route
    )


def _sample_regex(regex: str) -> str:
    def group(match: re.Match[str]) -> str:
        body = match["body"]
        return body.split("|")[0] if re.fullmatch(r"[\w|]+", body) else "x"

    sample = re.sub(r"\(\?P<\w+>(?P<body>[^)]*)\)", group, regex)
    return sample.replace("^", "").replace("$", "")


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        raw = str(pattern.pattern)
        part = _sample_regex(raw) if raw.startswith("^") or "(?P" in raw else _sample_route(raw)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + part, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<{raw}>"
            yield Route("/" + prefix + part, name, pattern.callback)


WALKED = list(_walk(get_resolver().url_patterns))
# What a request can reach: a route shadowed by an earlier one never answers.
ROUTES = [route for route in WALKED if resolve(route.path).func is route.callback]


def test_the_walk_finds_every_kind_of_route():
    names = {route.name for route in ROUTES}
    assert {"core:case-detail", "api-docs", "admin:index", "api:persons", "signin-verify"} <= names
    assert len(ROUTES) > 50
    # Only the admin site's own login and logout are shadowed, by ours.
    assert {route.name for route in WALKED} - names == {"admin:login", "admin:logout"}


def test_the_public_views_are_exactly_the_allow_list():
    """A view marked ``@login_not_required`` must be listed above, and the other way round.
    The API's views are all marked so (DRF authenticates them itself, with a 401 for no
    credentials, which the next test asserts)."""
    public = {
        route.name
        for route in ROUTES
        if not getattr(route.callback, "login_required", True)
        and not route.path.startswith("/api/")
    }
    assert public == PUBLIC


@pytest.mark.parametrize("route", [r for r in ROUTES if r.name not in PUBLIC], ids=lambda r: r.name)
def test_an_anonymous_get_is_sent_to_the_login_page_or_refused(route: Route, client, db):
    response = client.get(route.path)
    if route.path.startswith("/api/"):
        assert response.status_code == 401, route
        return
    assert response.status_code == 302, route
    location = response["Location"]
    if location.startswith(reverse("admin:login")):  # the admin site's login sends on to ours
        location = client.get(location)["Location"]
    assert location.startswith(f"{reverse('login')}?next="), (route, location)


def test_static_files_are_public(client, db):
    assert client.get("/static/continuum/continuum.css").status_code == 200
