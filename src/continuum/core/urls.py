from __future__ import annotations

from django.urls import path

from continuum.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("membership/", views.choose_membership, name="choose-membership"),
    path("work/", views.my_work, name="my-work"),
    path("persons/", views.person_search, name="person-search"),
    path("persons/new/", views.person_register, name="person-register"),
    path("persons/<str:reference>/", views.person_detail, name="person-detail"),
    path("persons/<str:reference>/edit/", views.person_edit, name="person-edit"),
    path("persons/<str:reference>/placements/new/", views.placement_add, name="placement-add"),
    path("persons/<str:reference>/cases/new/", views.case_open, name="case-open"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<str:reference>/", views.case_detail, name="case-detail"),
    path("cases/<str:reference>/phase/", views.case_phase, name="case-phase"),
    path("cases/<str:reference>/team/", views.case_team, name="case-team"),
]
