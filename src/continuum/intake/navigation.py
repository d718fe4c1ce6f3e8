"""The intake's navigation entries and the tasks it puts on "My work".

Tasks: triage decisions awaiting the user's side's sign-off, measures another analyst of the
bureau requested (to authorise), running measures past their end date (to renew or end), due
monitoring reviews, and stakeholder notices the user's agency has not acknowledged. Each
source's rows come from the intake selectors, so the access policy scopes them.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from continuum.access.policy import intake as intake_policy
from continuum.core.models import Membership
from continuum.core.navigation import NavEntry, Task, TaskSource
from continuum.intake import selectors
from continuum.intake.models import (
    NOTIFIABLE_AGENCY_TYPES,
    Investigation,
    Measure,
    MonitoringReview,
    StakeholderNotice,
    TriageDecision,
)


def receives_stakeholder_notices(membership: Membership) -> bool:
    """Practitioners of an agency that a "notify" decision can reach."""
    return (
        intake_policy.can_receive_stakeholder_notices(membership)
        and membership.agency.type in NOTIFIABLE_AGENCY_TYPES
    )


ENTRIES = [
    NavEntry("intake-signals", gettext_lazy("Signals"), "intake:signal-queue",
             intake_policy.can_receive_signals, order=30),
    NavEntry("intake-record", gettext_lazy("Record a signal"), "intake:signal-new",
             intake_policy.can_record_signal, order=40),
    NavEntry("intake-contact-points", gettext_lazy("Contact points"), "intake:contact-points",
             intake_policy.can_receive_signals, order=50),
    NavEntry("intake-investigations", gettext_lazy("Investigations"),
             "intake:investigation-list", intake_policy.can_read_investigations, order=60),
    NavEntry("intake-notices", gettext_lazy("Stakeholder notices"),
             "intake:stakeholder-notice-list", receives_stakeholder_notices, order=70),
]  # fmt: skip


def _investigation_url(reference: str) -> str:
    return reverse("intake:investigation-detail", args=[reference])


# --- sign-offs ------------------------------------------------------------------------------


def _sign_offs(membership: Membership) -> QuerySet[TriageDecision] | None:
    if not intake_policy.can_read_investigations(membership):
        return None
    # Only those this membership may sign: not about a person it sees only through emergency
    # access (the queue page lists them; a task is what the user can do).
    signable = Investigation.objects.filter(intake_policy.triage_investigations(membership))
    awaiting = selectors.triage_decisions_awaiting_sign_off(actor=membership)
    return awaiting.filter(investigation__in=signable)


def _sign_off_task(decision: TriageDecision, today: date) -> Task:
    investigation = decision.investigation
    return Task(
        category=_("Triage decision to sign off"),
        reference=decision.reference,
        title=_("Sign off triage decision %(decision)s (%(outcome)s) on %(person)s")
        % {
            "decision": decision.reference,
            "outcome": decision.get_outcome_display(),
            "person": investigation.person.reference,
        },
        url=_investigation_url(investigation.reference),
        due_on=None,
        overdue=False,
    )


# --- measures -------------------------------------------------------------------------------


def _to_authorise(membership: Membership) -> QuerySet[Measure] | None:
    if not intake_policy.can_investigate(membership):
        return None
    return selectors.measures_to_authorise(actor=membership)


def _authorise_task(measure: Measure, today: date) -> Task:
    investigation = measure.investigation
    return Task(
        category=_("Measure to authorise"),
        reference=measure.reference,
        title=_("Authorise the measure %(type)s on %(person)s, requested by %(requester)s")
        % {
            "type": measure.get_type_display(),
            "person": investigation.person.reference,
            "requester": measure.requested_by.user,
        },
        url=_investigation_url(investigation.reference),
        due_on=measure.starts_on,
        overdue=measure.starts_on < today,
    )


def _overdue_measures(membership: Membership) -> QuerySet[Measure] | None:
    if not intake_policy.can_investigate(membership):
        return None
    return selectors.measures_overdue(actor=membership)


def _overdue_task(measure: Measure, today: date) -> Task:
    return Task(
        category=_("Measure past its end date"),
        reference=measure.reference,
        title=_("Renew or end the measure %(type)s on %(person)s")
        % {
            "type": measure.get_type_display(),
            "person": measure.investigation.person.reference,
        },
        url=reverse("intake:measure-list"),
        due_on=measure.ends_on,
        overdue=True,
    )


# --- monitoring reviews and stakeholder notices ---------------------------------------------


def _due_monitoring_reviews(membership: Membership) -> QuerySet[MonitoringReview] | None:
    if not intake_policy.can_read_investigations(membership):
        return None
    return selectors.monitoring_reviews_due(actor=membership)


def _monitoring_review_task(review: MonitoringReview, today: date) -> Task:
    return Task(
        category=_("Monitoring review due"),
        reference=review.reference,
        title=_("Monitoring review of %(person)s (triage decision %(decision)s)")
        % {
            "person": review.decision.investigation.person.reference,
            "decision": review.decision.reference,
        },
        url=reverse("intake:monitoring-review-list"),
        due_on=review.due_on,
        overdue=review.due_on < today,
    )


def _new_notices(membership: Membership) -> QuerySet[StakeholderNotice] | None:
    if not receives_stakeholder_notices(membership):
        return None
    return selectors.notices_unacknowledged(actor=membership)


def _notice_task(notice: StakeholderNotice, today: date) -> Task:
    return Task(
        category=_("New stakeholder notice"),
        reference=notice.reference,
        title=_("Read and acknowledge the stakeholder notice about %(person)s")
        % {"person": notice.person.reference},
        url=reverse("intake:stakeholder-notice-list"),
        due_on=None,
        overdue=False,
    )


TASK_SOURCES = [
    TaskSource("intake-sign-off", gettext_lazy("Triage decisions to sign off"), _sign_offs,
               _sign_off_task),
    TaskSource("intake-authorise", gettext_lazy("Measures to authorise"), _to_authorise,
               _authorise_task),
    TaskSource("intake-overdue-measure", gettext_lazy("Measures past their end date"),
               _overdue_measures, _overdue_task),
    TaskSource("intake-monitoring-review", gettext_lazy("Monitoring reviews due"),
               _due_monitoring_reviews, _monitoring_review_task),
    TaskSource("intake-stakeholder-notice", gettext_lazy("New stakeholder notices"),
               _new_notices, _notice_task),
]  # fmt: skip
