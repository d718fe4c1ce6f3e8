"""Navigation and "My work": what each app puts in the header and on the user's work list.

An app registers (from its ``AppConfig.ready()``)

* **navigation entries**: a link and the policy predicate that decides whether this membership
  sees it. The predicate runs on every page, so it must not query the database (the acting
  membership arrives with its agency loaded);
* **task sources**: one kind of thing that waits for a user (a triage decision to sign off, a
  measure to authorise, ...). A source answers, for a membership, the *rows* that are its tasks
  as a queryset already scoped by the access policy (or ``None`` when this membership never has
  such tasks), and how one row reads as a :class:`Task`. The queryset is neither sliced nor
  joined across a to-many relation (filter with ``pk__in`` subqueries instead), so that the
  count and the list agree.

The header shows one count, "My work (n)". However many apps contribute, it costs one query:
every source's rows are counted as a subquery of a single ``SELECT`` (see :func:`task_count`).
The page lists the tasks, overdue first, then by due date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from continuum.core.models import Membership
from continuum.core.registry import Registry


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation. ``order`` places it among the others (lower first)."""

    key: str
    label: str | Promise
    url_name: str
    shown: Callable[[Membership], bool]
    order: int = 500


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class Task:
    """Something due for a user: what, where to do it, by when, and whether that has passed.
    ``reference`` names the record it is about (what the audit entry of the list records);
    ``source`` is the key of the task source it came from, set by :func:`tasks_for`."""

    category: str
    reference: str
    title: str
    url: str
    due_on: date | None
    overdue: bool
    source: str = ""


Rows = Callable[[Membership], "QuerySet[Any] | None"]


@dataclass(frozen=True)
class TaskSource:
    key: str
    category: str | Promise
    rows: Rows
    as_task: Callable[[Any, date], Task]


entries: Registry[NavEntry] = Registry("navigation entries")
task_sources: Registry[TaskSource] = Registry("task sources")


def register_entries(items: Iterable[NavEntry]) -> None:
    for item in items:
        entries.register(item)


def register_task_sources(items: Iterable[TaskSource]) -> None:
    for item in items:
        task_sources.register(item)


def nav_links(membership: Membership, path: str) -> list[NavLink]:
    """The entries this membership sees, in order; the one whose page is open is current."""
    shown = sorted((e for e in entries if e.shown(membership)), key=lambda e: e.order)
    links = []
    for entry in shown:
        url = reverse(entry.url_name)
        links.append(NavLink(label=str(entry.label), url=url, current=path == url))
    return links


def _applicable(membership: Membership) -> list[tuple[TaskSource, QuerySet[Any]]]:
    applicable = []
    for source in task_sources:
        rows = source.rows(membership)
        if rows is not None:
            applicable.append((source, rows))
    return applicable


def has_tasks(membership: Membership) -> bool:
    """Whether any source gives this membership tasks at all (its role has a work list)."""
    return bool(_applicable(membership))


def _counted(rows: QuerySet[Any]) -> Coalesce:
    """A scalar subquery: how many rows ``rows`` has."""
    counted = (
        rows.order_by()
        .annotate(_all=Value(1, output_field=IntegerField()))
        .values("_all")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted[:1]), 0, output_field=IntegerField())


def task_count(membership: Membership) -> int | None:
    """How many tasks wait for this membership, in one query whatever the number of sources;
    ``None`` (and no query) when no source applies to it."""
    applicable = _applicable(membership)
    if not applicable:
        return None
    counts = {f"n{i}": _counted(rows) for i, (_source, rows) in enumerate(applicable)}
    row = Membership.objects.filter(pk=membership.pk).values(**counts).first()
    return sum(row.values()) if row else 0


# A page and an answer stay bounded whatever waits: at most this many tasks of each source
# (in the source's own order); the count in the header stays exact.
TASKS_PER_SOURCE = 200


def tasks_for(membership: Membership) -> list[Task]:
    """The tasks of this membership (up to :data:`TASKS_PER_SOURCE` of each source): overdue
    first, then by due date (undated last)."""
    today = timezone.localdate()
    tasks = [
        replace(source.as_task(row, today), source=source.key)
        for source, rows in _applicable(membership)
        for row in rows[:TASKS_PER_SOURCE]
    ]
    return sorted(tasks, key=lambda t: (not t.overdue, t.due_on is None, t.due_on or today))
