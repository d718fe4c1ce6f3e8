"""The routes a stage adds: its pages under a prefix, and its API under ``/api/v1/``.

A stage registers one :class:`StageRoutes` from its ``AppConfig.ready()``; the project's
``urls.py`` and ``api_urls.py`` include what is registered, so neither names a stage. The API
routes join the ``api`` namespace (``reverse("api:signals")``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, include, path

from continuum.core.registry import Registry


@dataclass(frozen=True)
class StageRoutes:
    key: str
    #: Pages: ``<prefix>`` → the module's ``urlpatterns`` under its ``app_name`` namespace.
    prefix: str | None = None
    urls: str | None = None
    #: API: a module whose ``urlpatterns`` are added to ``/api/v1/``.
    api_urls: str | None = None


stages: Registry[StageRoutes] = Registry("stage routes")


def register(routes: StageRoutes) -> None:
    stages.register(routes)


def page_patterns() -> list[URLResolver]:
    return [
        path(s.prefix, include(s.urls))
        for s in stages
        if s.prefix is not None and s.urls is not None
    ]


def api_patterns() -> list[URLPattern | URLResolver]:
    patterns: list[URLPattern | URLResolver] = []
    for s in stages:
        if s.api_urls is not None:
            patterns.append(path("", include(s.api_urls)))
    return patterns
