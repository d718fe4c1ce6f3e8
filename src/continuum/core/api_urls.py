"""The core's API routes; the project's ``api_urls`` adds each stage's."""

from __future__ import annotations

from django.urls import path

from continuum.core import api

urlpatterns = [
    path("persons", api.PersonListCreate.as_view(), name="persons"),
    path("persons/<str:reference>", api.PersonDetail.as_view(), name="person"),
    path("persons/<str:reference>/timeline", api.PersonTimeline.as_view(), name="person-timeline"),
    path(
        "persons/<str:reference>/placements",
        api.PlacementCreate.as_view(),
        name="person-placements",
    ),
    path("cases", api.CaseListCreate.as_view(), name="cases"),
    path("cases/<str:reference>", api.CaseDetail.as_view(), name="case"),
    path("cases/<str:reference>/phase", api.CasePhaseChange.as_view(), name="case-phase"),
    path("agencies", api.AgencyList.as_view(), name="agencies"),
    path("me/memberships", api.MyMemberships.as_view(), name="my-memberships"),
    path("tasks", api.TaskList.as_view(), name="tasks"),
]
