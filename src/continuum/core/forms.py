from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from continuum.core.exceptions import ApplicationError
from continuum.core.models import Case, Membership, Person, Phase, Placement, Role
from continuum.core.selectors import agency_list, custodial_institutions
from continuum.core.services import PERSON_FIELDS

# The years a date may fall in. Outside them a date is a typing error, and the first and last
# years of the calendar overflow date arithmetic and time-zone conversion (a 500, not a refusal).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def outside_years() -> ValidationError:
    return ValidationError(
        _("Enter a date between the years %(earliest)s and %(latest)s."),
        code="date_out_of_range",
        params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
    )


def within_years(value: date) -> None:
    """Refuse a date (or date and time) outside :data:`EARLIEST_YEAR` to :data:`LATEST_YEAR`.
    The pages' forms and the API's serializers both use it."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise outside_years()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def apply_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal on the form: on its field where the form has one."""
    if not error.fields:
        form.add_error(None, error.message)
    for name, messages in error.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class PersonForm(forms.Form):
    """The person's record. Validation happens once, in the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Person,
                fields=PERSON_FIELDS,
                widgets={
                    "date_of_birth": DateInput(),
                    "sentence_start": DateInput(),
                    "expected_release": DateInput(),
                    "actual_release": DateInput(),
                    "aliases": forms.Textarea(attrs={"rows": 2}),
                },
            )
        )


class PlacementForm(forms.Form):
    # Querysets are lazy and copied for each form, so class-level ones stay current.
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=custodial_institutions())
    unit_type = fields_for_model(Placement, fields=["unit_type"])["unit_type"]
    started_on = forms.DateField(label=_("From"), widget=DateInput())
    ended_on = forms.DateField(label=_("To"), widget=DateInput(), required=False)


OPEN_PHASES = [(value, label) for value, label in Phase.choices if value != Phase.CLOSED]


class CaseOpenForm(forms.Form):
    lead_agency = forms.ModelChoiceField(label=_("Lead agency"), queryset=agency_list())
    phase = forms.ChoiceField(label=_("Phase"), choices=OPEN_PHASES, initial=Phase.REFERRED)
    team = forms.ModelMultipleChoiceField(
        label=_("Team agencies"),
        queryset=agency_list(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class CasePhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)


class MembershipChoiceField(forms.ModelMultipleChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user} — {obj.get_role_display()}, {obj.agency}"


class CaseTeamForm(forms.Form):
    agencies = forms.ModelMultipleChoiceField(
        label=_("Team agencies"),
        queryset=agency_list(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    members = MembershipChoiceField(
        label=_("Named team members"),
        queryset=Membership.objects.filter(
            is_active=True, user__is_active=True, user__is_system_account=False
        )
        .exclude(role__in=[Role.ADMINISTRATOR, Role.EVALUATOR])
        .select_related("user", "agency")
        .order_by("agency__name", "user__last_name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class CaseFilter(django_filters.FilterSet):
    """Filters of the case list, shared by the page and the API."""

    phase = django_filters.ChoiceFilter(label=_("Phase"), choices=Phase.choices)
    lead_agency = django_filters.ModelChoiceFilter(
        label=_("Lead agency"), queryset=agency_list(), to_field_name="code"
    )
    team_agency = django_filters.ModelChoiceFilter(
        label=_("Team agency"),
        field_name="team_agencies",
        queryset=agency_list(),
        to_field_name="code",
    )
    open = django_filters.BooleanFilter(
        label=_("Open only"), method="filter_open", widget=forms.CheckboxInput
    )

    class Meta:
        model = Case
        fields = ["phase", "lead_agency", "team_agency", "open"]

    def filter_open(self, queryset: Any, name: str, value: bool) -> Any:
        return queryset.exclude(phase=Phase.CLOSED) if value else queryset
