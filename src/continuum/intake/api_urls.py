"""The intake's API routes, added to ``/api/v1/`` (see :mod:`continuum.core.routes`)."""

from __future__ import annotations

from django.urls import path

from continuum.intake import api as intake_api

urlpatterns = [
    path("signals", intake_api.SignalListCreate.as_view(), name="signals"),
    path("signals/<str:reference>", intake_api.SignalDetail.as_view(), name="signal"),
    path(
        "signals/<str:reference>/attachments",
        intake_api.SignalAttachments.as_view(),
        name="signal-attachments",
    ),
    path(
        "signals/<str:reference>/investigate",
        intake_api.SignalInvestigate.as_view(),
        name="signal-investigate",
    ),
    path(
        "signals/<str:reference>/dismiss", intake_api.SignalDismiss.as_view(), name="signal-dismiss"
    ),
    path("investigations", intake_api.InvestigationList.as_view(), name="investigations"),
    path(
        "investigations/<str:reference>",
        intake_api.InvestigationDetail.as_view(),
        name="investigation",
    ),
    path(
        "investigations/<str:reference>/findings",
        intake_api.FindingCreate.as_view(),
        name="investigation-findings",
    ),
    path(
        "investigations/<str:reference>/measures",
        intake_api.MeasureCreate.as_view(),
        name="investigation-measures",
    ),
    path(
        "investigations/<str:reference>/triage-decisions",
        intake_api.TriageDecisionCreate.as_view(),
        name="investigation-triage-decisions",
    ),
    path("measures", intake_api.MeasureList.as_view(), name="measures"),
    path(
        "measures/<str:reference>/authorise",
        intake_api.MeasureAuthorise.as_view(),
        name="measure-authorise",
    ),
    path("measures/<str:reference>/renew", intake_api.MeasureRenew.as_view(), name="measure-renew"),
    path("measures/<str:reference>/end", intake_api.MeasureEnd.as_view(), name="measure-end"),
    path("triage-decisions", intake_api.TriageDecisionList.as_view(), name="triage-decisions"),
    path(
        "triage-decisions/<str:reference>/sign-off",
        intake_api.TriageDecisionSignOff.as_view(),
        name="triage-decision-sign-off",
    ),
    path(
        "triage-decisions/<str:reference>/withdraw",
        intake_api.TriageDecisionWithdraw.as_view(),
        name="triage-decision-withdraw",
    ),
    path(
        "stakeholder-notices",
        intake_api.StakeholderNoticeList.as_view(),
        name="stakeholder-notices",
    ),
    path(
        "stakeholder-notices/<str:reference>/acknowledge",
        intake_api.StakeholderNoticeAcknowledge.as_view(),
        name="stakeholder-notice-acknowledge",
    ),
    path(
        "monitoring-reviews", intake_api.MonitoringReviewList.as_view(), name="monitoring-reviews"
    ),
    path(
        "monitoring-reviews/<str:reference>/complete",
        intake_api.MonitoringReviewComplete.as_view(),
        name="monitoring-review-complete",
    ),
]
