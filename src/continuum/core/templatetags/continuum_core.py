from __future__ import annotations

from django import template

from continuum.core import timeline
from continuum.core.models import TimelineEvent

register = template.Library()


@register.filter
def describe(event: TimelineEvent) -> str:
    return timeline.describe(event)


@register.filter
def kind_label(event: TimelineEvent) -> str:
    return timeline.label(event)
