from __future__ import annotations

from django.urls import path

from continuum.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="entry-list"),
    path("export/", views.person_export, name="person-export"),
]
