"""Reads of the reporting app: anonymised, small-cell-suppressed figures.

The bias report (process step 1's safeguard) shows, per reporting unit and signal category,
how many signals were recorded, what share of the decided ones was downscaled, and what share
was graded as information of low credibility. It shows patterns for people to look into,
never a verdict on a unit, a reporter or a person.

How the figures are made
    * **Period**: signals *recorded* (``created_at``) on or after ``since`` and on or before
      ``until`` (both dates inclusive, in the local time zone); either may be left open.
    * **Cell**: one reporting agency and one category with at least one signal in the period.
      Agencies and categories without signals are not listed.
    * **Count**: the number of signals in the cell.
    * **Share downscaled**: of the signals *with a decision* (status ``assessed`` or
      ``dismissed``), the share that was dismissed — downscaled by a triage decision or
      dismissed with no further action by coordination. Signals still awaiting assessment or
      under investigation have no decision yet and count in neither part, so an open queue
      does not dilute the rate.
    * **Share of low credibility**: of all signals in the cell, the share whose information
      was graded 4 (doubtful), 5 (improbable) or 6 (truth cannot be judged). Grade 6 counts
      as low: the information could not be corroborated, which is what the indicator is about.

Small-cell suppression (``settings.CONTINUUM_SMALL_CELL_THRESHOLD``, *N*)
    * A cell counting fewer than *N* signals is shown as "fewer than *N*", with both shares
      hidden; the row object does not even carry the real count. A cell of exactly *N* is
      shown.
    * The share downscaled is also hidden when fewer than *N* signals of an otherwise shown
      cell have a decision (and so is that number): a rate of one or two decisions points at
      individual cases.
    * The shares of a shown cell are shown whole, even when the part they describe is small
      (one doubtful signal of five is 20%): a cell names a unit and a category, nothing of a
      person, and it is the rate that the safeguard is about.
    * The report has **no row or column totals**, so a suppressed cell can never be worked
      out by subtracting the shown cells from a total (no complementary suppression needed).
    * Comparing reports over two nearly equal periods could still narrow a suppressed cell
      down; every reading of the report is written to the audit log (with its period), so
      the data-protection officer can see such differencing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from continuum.access import policy
from continuum.core.exceptions import NotFound
from continuum.core.models import Membership
from continuum.intake.models import Category, Credibility, Signal, SignalStatus

DECIDED = (SignalStatus.ASSESSED, SignalStatus.DISMISSED)
DOWNSCALED = SignalStatus.DISMISSED
LOW_CREDIBILITY = (Credibility.DOUBTFUL, Credibility.IMPROBABLE, Credibility.CANNOT_BE_JUDGED)


@dataclass(frozen=True)
class BiasCell:
    """One reporting unit and category. A suppressed cell carries no figures at all."""

    agency: str
    category: str
    category_label: str
    suppressed: bool
    count: int | None
    decided: int | None
    downscaled_percent: int | None
    low_credibility_percent: int | None


@dataclass(frozen=True)
class BiasReport:
    cells: list[BiasCell]
    threshold: int
    since: date | None
    until: date | None


def small_cell_threshold() -> int:
    return int(settings.CONTINUUM_SMALL_CELL_THRESHOLD)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole)


def _period(since: date | None, until: date | None) -> Q:
    """Signals recorded from the start of ``since`` to the end of ``until`` (local time)."""
    period = Q()
    zone = timezone.get_current_timezone()
    if since is not None:
        period &= Q(created_at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
        period &= Q(created_at__lt=end)
    return period


def _cell(row: Mapping[str, Any], threshold: int) -> BiasCell:
    category = str(row["category"])
    label = str(Category(category).label) if category in Category.values else category
    count, decided = int(row["count"]), int(row["decided"])
    agency = str(row["reporting_agency__name"])
    base = {"agency": agency, "category": category, "category_label": label}
    if count < threshold:
        return BiasCell(
            **base,
            suppressed=True,
            count=None,
            decided=None,
            downscaled_percent=None,
            low_credibility_percent=None,
        )
    shows_rate = decided >= threshold
    return BiasCell(
        **base,
        suppressed=False,
        count=count,
        decided=decided if shows_rate else None,
        downscaled_percent=(_percent(int(row["downscaled"]), decided) if shows_rate else None),
        low_credibility_percent=_percent(int(row["low"]), count),
    )


def bias_report(
    *, actor: Membership, since: date | None = None, until: date | None = None
) -> BiasReport:
    """Signals per reporting unit and category, suppressed below the small-cell threshold.
    For those who may read aggregates only; anyone else is answered "not found"."""
    if not policy.may_read_aggregates(actor):
        raise NotFound
    threshold = small_cell_threshold()
    rows = (
        Signal.objects.filter(_period(since, until))
        .order_by()  # the model's default ordering would split the groups
        .values("reporting_agency_id", "reporting_agency__name", "category")
        .annotate(
            count=Count("pk"),
            decided=Count("pk", filter=Q(status__in=DECIDED)),
            downscaled=Count("pk", filter=Q(status=DOWNSCALED)),
            low=Count("pk", filter=Q(information_credibility__in=LOW_CREDIBILITY)),
        )
    )
    order = {value: position for position, value in enumerate(Category.values)}
    cells = [_cell(row, threshold) for row in rows]
    cells.sort(key=lambda cell: (cell.agency.casefold(), order.get(cell.category, len(order))))
    return BiasReport(cells=cells, threshold=threshold, since=since, until=until)
