from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from continuum.access import policy
from continuum.access import selectors as access_selectors
from continuum.intake import selectors as intake_selectors


def membership(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "membership", None)
    if current is None:
        return {"membership": None}
    return {
        "membership": current,
        "may_read_case_content": policy.may_read_case_content(current),
        "may_read_identity": policy.may_read_identity(current),
        "may_break_glass": policy.can_break_glass(current),
        "may_view_audit": policy.can_view_audit(current),
        "may_record_signal": policy.can_record_signal(current),
        "may_receive_signals": policy.can_receive_signals(current),
        "intake_tasks": intake_selectors.intake_tasks(actor=current),
        "notifications_new": intake_selectors.notifications_unacknowledged(actor=current),
        "may_read_aggregates": policy.may_read_aggregates(current),
        "emergency_accesses": list(access_selectors.active_emergency_accesses(current)),
        "reviews_waiting": access_selectors.reviews_waiting(current),
    }
