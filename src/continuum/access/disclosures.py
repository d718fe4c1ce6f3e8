"""The hook through which disclosures widen what an agency sees.

A disclosure (the sharing app) makes a case visible to an agency outside its team, under a
recorded legal basis. The policy does not know how disclosures are stored: an app registers a
*source*, a function that answers, for a membership, the ids of the cases disclosed to it.
A disclosed case is seen with the sensitivity classes the membership's role allows, and
exclusion and restriction lists still apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import Q, QuerySet

from continuum.core.models import Membership

# A source answers case ids: a list, or a ``values("case_id")`` queryset used as a subquery.
DisclosureSource = Callable[[Membership], "QuerySet[Any, Any] | list[int]"]

_sources: list[DisclosureSource] = []


def register_source(source: DisclosureSource) -> None:
    """Called once by the app that stores disclosures (from its ``AppConfig.ready``)."""
    if source not in _sources:
        _sources.append(source)


def unregister_source(source: DisclosureSource) -> None:
    _sources.remove(source)


@contextmanager
def source_registered(source: DisclosureSource) -> Iterator[None]:
    register_source(source)
    try:
        yield
    finally:
        unregister_source(source)


def disclosed_cases(membership: Membership) -> Q:
    """A condition on ``Case`` matching the cases disclosed to this membership's agency."""
    condition = Q(pk__in=[])
    for source in _sources:
        condition |= Q(pk__in=source(membership))
    return condition
