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
    path(
        "signals/<str:reference>/investigate/",
        views.signal_investigate,
        name="signal-investigate",
    ),
    path("signals/<str:reference>/dismiss/", views.signal_dismiss, name="signal-dismiss"),
    path("contact-points/", views.contact_points, name="contact-points"),
    path("investigations/", views.investigation_list, name="investigation-list"),
    path(
        "investigations/<str:reference>/",
        views.investigation_detail,
        name="investigation-detail",
    ),
    path("investigations/<str:reference>/findings/", views.finding_add, name="finding-add"),
    path("investigations/<str:reference>/measures/", views.measure_request, name="measure-request"),
    path(
        "investigations/<str:reference>/triage-decisions/",
        views.triage_decision_propose,
        name="triage-decision-propose",
    ),
    path("measures/", views.measure_list, name="measure-list"),
    path("measures/<str:reference>/authorise/", views.measure_authorise, name="measure-authorise"),
    path("measures/<str:reference>/renew/", views.measure_renew, name="measure-renew"),
    path("measures/<str:reference>/end/", views.measure_end, name="measure-end"),
    path("triage-decisions/", views.triage_decision_queue, name="triage-decision-queue"),
    path(
        "triage-decisions/<str:reference>/sign-off/",
        views.triage_decision_sign_off,
        name="triage-decision-sign-off",
    ),
    path(
        "triage-decisions/<str:reference>/withdraw/",
        views.triage_decision_withdraw,
        name="triage-decision-withdraw",
    ),
    path("monitoring-reviews/", views.monitoring_review_list, name="monitoring-review-list"),
    path(
        "monitoring-reviews/<str:reference>/complete/",
        views.monitoring_review_complete,
        name="monitoring-review-complete",
    ),
    path("stakeholder-notices/", views.stakeholder_notice_list, name="stakeholder-notice-list"),
    path(
        "stakeholder-notices/<str:reference>/acknowledge/",
        views.stakeholder_notice_acknowledge,
        name="stakeholder-notice-acknowledge",
    ),
]
