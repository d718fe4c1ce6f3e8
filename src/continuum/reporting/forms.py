"""Forms of the reports: they parse the period asked for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from continuum.core.forms import DateInput, within_years


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
