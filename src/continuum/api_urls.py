"""``/api/v1/``: the core's routes and those each installed stage registered."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from continuum.core import routes

app_name = "api"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("continuum.core.api_urls")),
    *routes.api_patterns(),
]
