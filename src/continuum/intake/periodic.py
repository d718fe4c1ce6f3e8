"""The intake's periodic jobs (registered from ``IntakeConfig.ready``):

* purge the idempotency records (``SignalIntakeRequest``) older than
  ``CONTINUUM_IDEMPOTENCY_RETENTION_HOURS`` (72 by default). Each keeps the first answer to an
  API request, which includes the reporter's words, so it is kept only as long as a client may
  reasonably retry. The purge is one audit entry (who: the system);
* a reminder summary, read-only: running measures past their end date and monitoring reviews
  that are due, counted per agency, never naming a person, signal or investigation.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core.periodic import JobError, PeriodicJob
from continuum.intake.models import (
    Measure,
    MeasureStatus,
    MonitoringReview,
    ReviewStatus,
    SignalIntakeRequest,
)

DEFAULT_RETENTION_HOURS = 72


def retention_hours() -> int:
    hours = getattr(settings, "CONTINUUM_IDEMPOTENCY_RETENTION_HOURS", DEFAULT_RETENTION_HOURS)
    if not isinstance(hours, int) or isinstance(hours, bool) or hours < 1:
        raise JobError("CONTINUUM_IDEMPOTENCY_RETENTION_HOURS must be a whole number >= 1.")
    return hours


@transaction.atomic
def purge_intake_requests(*, hours: int, dry_run: bool = False) -> int:
    """Delete the idempotency records received more than ``hours`` ago; returns how many."""
    cutoff = timezone.now() - timedelta(hours=hours)
    expired = SignalIntakeRequest.objects.filter(created_at__lt=cutoff)
    count = expired.count()
    if dry_run or count == 0:
        return count
    expired.delete()
    audit.record(
        action=Action.DELETE,
        changes={
            "object_type": "intake.signalintakerequest",
            "purged": count,
            "received_before": cutoff.isoformat(),
            "retention_hours": hours,
        },
    )
    return count


def overdue_measures() -> QuerySet[Measure]:
    """Running measures past their end date: to be renewed or ended by the bureau."""
    return Measure.objects.filter(status=MeasureStatus.ACTIVE, ends_on__lt=timezone.localdate())


def due_monitoring_reviews() -> QuerySet[MonitoringReview]:
    return MonitoringReview.objects.filter(
        status=ReviewStatus.DUE, due_on__lte=timezone.localdate()
    )


def _summary(title: str, codes: list[str]) -> str:
    line = f"{title}: {len(codes)}"
    if codes:
        counts = Counter(codes)
        line += " (" + ", ".join(f"{code}: {counts[code]}" for code in sorted(counts)) + ")"
    return line + "."


def purge(dry_run: bool) -> list[str]:
    hours = retention_hours()
    purged = purge_intake_requests(hours=hours, dry_run=dry_run)
    verb = "would purge" if dry_run else "purged"
    return [f"Intake idempotency records older than {hours} hours: {verb} {purged}."]


def reminders(dry_run: bool) -> list[str]:
    measures = list(overdue_measures().values_list("investigation__bureau__code", flat=True))
    reviews = list(due_monitoring_reviews().values_list("agency__code", flat=True))
    return [
        _summary("Overdue measures (past their end date, still running)", measures),
        _summary("Monitoring reviews due", reviews),
    ]


JOBS = [
    PeriodicJob("intake-idempotency-purge", purge),
    PeriodicJob("intake-reminders", reminders),
]
