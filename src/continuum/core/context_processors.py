from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from continuum.access import policy
from continuum.access import selectors as access_selectors
from continuum.core import navigation


def membership(request: HttpRequest) -> dict[str, Any]:
    """What every page's header needs: the acting membership, the navigation entries it sees
    (contributed by each app) and the one count of its work."""
    current = getattr(request, "membership", None)
    if current is None:
        return {"membership": None}
    return {
        "membership": current,
        "may_read_identity": policy.may_read_identity(current),
        "may_view_audit": policy.can_view_audit(current),
        "navigation": navigation.nav_links(current, request.path),
        "work_count": navigation.task_count(current),
        "emergency_accesses": list(access_selectors.active_emergency_accesses(current)),
    }
