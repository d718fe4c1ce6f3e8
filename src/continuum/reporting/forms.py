"""Forms of the reports: they parse the period asked for."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from continuum.core.forms import DateInput

# The years a period may start and end in. Outside them a date is a typing error, and the
# first and last days of the calendar overflow when the period is turned into moments in the
# local time zone (a 500, not a refusal).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def within_years(value: date) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("Enter a date between the years %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


class PeriodForm(forms.Form):
    """An optional period, both dates inclusive."""

    since = forms.DateField(
        label=_("Recorded from"),
        required=False,
        widget=DateInput(),
        help_text=_("Inclusive."),
        validators=[within_years],
    )
    until = forms.DateField(
        label=_("Recorded until"),
        required=False,
        widget=DateInput(),
        help_text=_("Inclusive."),
        validators=[within_years],
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period cannot be before its start."))
        return cleaned
