from __future__ import annotations

from django.urls import path

from continuum.reporting import views

app_name = "reporting"

urlpatterns = [
    path("bias/", views.bias_report, name="bias-report"),
]
