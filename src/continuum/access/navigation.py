"""The access app's navigation entries, and the emergency accesses that wait for review as
the data-protection officer's tasks."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from continuum.access import policy, selectors
from continuum.access.models import EmergencyAccess
from continuum.core.models import Membership
from continuum.core.navigation import NavEntry, Task, TaskSource

ENTRIES = [
    NavEntry("access-emergency-review", gettext_lazy("Emergency access review"),
             "access:emergency-queue", policy.can_review_emergency_access, order=100),
    NavEntry("access-emergency", gettext_lazy("Emergency access"), "access:emergency-start",
             policy.can_break_glass, order=110),
]  # fmt: skip


def _to_review(membership: Membership) -> QuerySet[EmergencyAccess] | None:
    if not policy.can_review_emergency_access(membership):
        return None
    return selectors.emergency_review_queue(actor=membership)


def _review_task(access: EmergencyAccess, today: date) -> Task:
    return Task(
        category=_("Emergency access to review"),
        reference=access.case.reference,
        title=_("Review the emergency access to %(case)s by %(user)s (%(agency)s)")
        % {
            "case": access.case.reference,
            "user": access.membership.user,
            "agency": access.membership.agency.name,
        },
        url=reverse("access:emergency-queue"),
        due_on=None,
        overdue=False,
    )


TASK_SOURCES = [
    TaskSource("access-emergency-review", gettext_lazy("Emergency accesses to review"),
               _to_review, _review_task),
]  # fmt: skip
