from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from continuum.access import policy


def membership(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "membership", None)
    return {
        "membership": current,
        "may_read_case_content": current is not None and policy.may_read_case_content(current),
    }
