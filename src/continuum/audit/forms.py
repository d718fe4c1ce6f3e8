"""Forms of the audit log pages: the filters of the list, and the export of one person's
entries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.audit.exports import FORMATS
from continuum.audit.models import Action, AuditEntry

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def within_the_calendar(day: date) -> None:
    """Dates at the ends of the calendar overflow once turned into a period; nothing in the
    log is that old or that new."""
    if not date(1900, 1, 1) <= day <= date(2999, 12, 31):
        raise ValidationError(_("Enter a date between 1900 and 2999."))


class EntryFilter(django_filters.FilterSet):
    """The filters of the audit log page. Periods are whole days in the current time zone."""

    person = django_filters.CharFilter(
        label=_("Person reference"), field_name="person_reference", method="filter_exact"
    )
    username = django_filters.CharFilter(label=_("Username"), method="filter_exact")
    agency = django_filters.CharFilter(
        label=_("Agency code"), field_name="agency_code", method="filter_exact"
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=Action.choices)
    period_from = django_filters.DateFilter(
        label=_("From (date)"),
        method="filter_from",
        widget=DATE_INPUT,
        validators=[within_the_calendar],
    )
    period_to = django_filters.DateFilter(
        label=_("Until (date, inclusive)"),
        method="filter_to",
        widget=DATE_INPUT,
        validators=[within_the_calendar],
    )

    class Meta:
        model = AuditEntry
        fields = ["person", "username", "agency", "action", "period_from", "period_to"]

    def filter_exact(self, queryset: QuerySet[AuditEntry], name: str, value: str) -> Any:
        value = value.strip()
        if name == "person_reference":
            value = value.upper()  # references are written in capitals
        return queryset.filter(**{name: value}) if value else queryset

    def filter_from(self, queryset: QuerySet[AuditEntry], name: str, value: date) -> Any:
        return queryset.filter(at__gte=_start_of(value))

    def filter_to(self, queryset: QuerySet[AuditEntry], name: str, value: date) -> Any:
        return queryset.filter(at__lt=_start_of(value + timedelta(days=1)))


class ExportForm(forms.Form):
    person = forms.CharField(
        label=_("Person reference"),
        max_length=20,
        help_text=_("For example P-ABC234. The log keeps references of erased persons too."),
    )
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[(name, name.upper()) for name in FORMATS], initial="csv"
    )
    justification = forms.CharField(
        label=_("Reason for the export"),
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the number of the subject access request. It is recorded."),
    )

    def clean_person(self) -> str:
        return str(self.cleaned_data["person"]).strip().upper()
