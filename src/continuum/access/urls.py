from __future__ import annotations

from django.urls import path

from continuum.access import views

app_name = "access"

urlpatterns = [
    path("emergency/", views.emergency_start, name="emergency-start"),
    path("emergency/review/", views.emergency_queue, name="emergency-queue"),
    path("emergency/<int:pk>/review/", views.emergency_review, name="emergency-review"),
    path("cases/<str:reference>/", views.case_access, name="case-access"),
    path("cases/<str:reference>/exclusions/", views.case_exclude, name="case-exclude"),
    path(
        "cases/<str:reference>/exclusions/<int:pk>/remove/",
        views.case_exclusion_remove,
        name="case-exclusion-remove",
    ),
    path("cases/<str:reference>/restriction/", views.case_restrict, name="case-restrict"),
]
