from __future__ import annotations

from django.urls import path

from continuum.intake import views

app_name = "intake"

urlpatterns = [
    path("signals/", views.signal_queue, name="signal-queue"),
    path("signals/new/", views.signal_new, name="signal-new"),
    path("signals/<str:reference>/", views.signal_detail, name="signal-detail"),
    path(
        "signals/<str:reference>/attachments/<int:pk>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path("contact-points/", views.contact_points, name="contact-points"),
]
