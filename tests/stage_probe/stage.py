from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.urls import reverse

from continuum.core.models import Agency, Membership
from continuum.core.navigation import NavEntry, Task, TaskSource
from continuum.core.periodic import PeriodicJob
from continuum.core.timeline import Details, EventKind
from tests.stage_probe.apps import PROBE_AGENCY


def _noted(details: Details) -> str:
    return f"Noted by the probe stage: {details.get('note', '')}."


KINDS = [EventKind("probe_noted", "Probe noted", _noted)]


def is_probe_member(membership: Membership) -> bool:
    return bool(membership.agency.code == PROBE_AGENCY)


ENTRIES = [NavEntry("probe-page", "Probe stage", "stage_probe:page", is_probe_member, order=1)]


def _probe_tasks(membership: Membership) -> QuerySet[Agency] | None:
    if not is_probe_member(membership):
        return None
    return Agency.objects.filter(code__startswith="probe-task").order_by("code")


def _as_task(agency: Agency, today: date) -> Task:
    return Task(
        category="Probe task",
        reference=agency.code,
        title=f"Probe task {agency.code}",
        url=reverse("stage_probe:page"),
        due_on=today,
        overdue=False,
    )


TASK_SOURCES = [TaskSource("probe-task", "Probe tasks", _probe_tasks, _as_task)]


def _job(dry_run: bool) -> list[str]:
    return [f"Probe stage: ran{' (dry run)' if dry_run else ''}."]


JOB = PeriodicJob("probe-job", _job)
