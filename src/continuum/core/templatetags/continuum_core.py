from __future__ import annotations

from django import template

from continuum.core.models import TimelineEvent
from continuum.core.timeline import describe as describe_event

register = template.Library()


@register.filter
def describe(event: TimelineEvent) -> str:
    return describe_event(event)
