"""Forms of the intake pages. They parse types; the rules (and their messages) are checked
once, in the services, so that the page and the API refuse the same input the same way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from continuum.core.exceptions import ApplicationError
from continuum.core.forms import DateInput, within_years
from continuum.core.models import CustodyStatus, Membership
from continuum.intake import services
from continuum.intake.models import (
    Category,
    Context,
    Credibility,
    Investigation,
    MeasureType,
    Reliability,
    TriageOutcome,
)

BLANK = [("", "---------")]
NEW_PERSON_FIELDS = ("given_names", "family_name", "date_of_birth", "custody_status")


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), validators=[within_years], **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the pattern of Django's documentation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _choices(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [*BLANK, *choices]


class SignalForm(forms.Form):
    person = forms.CharField(
        label=_("Reference of a registered person"),
        required=False,
        help_text=_("For example P-ABC234. Leave empty to register a new person below."),
    )
    new_person_given_names = forms.CharField(label=_("Given names"), required=False)
    new_person_family_name = forms.CharField(label=_("Family name"), required=False)
    new_person_date_of_birth = _date(_("Date of birth"), required=False)
    new_person_custody_status = forms.ChoiceField(
        label=_("Custody status"), choices=_choices(CustodyStatus.choices), required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=_choices(Category.choices), required=False
    )
    observed_behaviour = forms.CharField(
        label=_("Observed behaviour"),
        help_text=_("What you saw or heard, in your own words."),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    context = forms.ChoiceField(
        label=_("Context"), choices=_choices(Context.choices), required=False
    )
    observed_at = forms.DateTimeField(
        label=_("Observed at"), widget=DateTimeInput(), required=False, validators=[within_years]
    )
    source_reliability = forms.ChoiceField(
        label=_("Reliability of the source"),
        choices=_choices(Reliability.choices),
        required=False,
    )
    information_credibility = forms.ChoiceField(
        label=_("Credibility of the information"),
        choices=_choices(Credibility.choices),
        required=False,
    )
    rests_on_behaviour = forms.BooleanField(
        label=_(
            "I confirm that this signal rests on behaviour that was observed, not on religious "
            "practice or identity."
        ),
        required=False,
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def signal_data(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not name.startswith("new_person_") and name != "attachments"
        }

    def new_person(self) -> dict[str, Any] | None:
        values = {name: self.cleaned_data.get(f"new_person_{name}") for name in NEW_PERSON_FIELDS}
        return values if any(values.values()) else None


def apply_error(form: forms.Form, error: ApplicationError) -> None:
    """The service names a new person's fields ``new_person.<name>``; the form has them as
    ``new_person_<name>``."""
    if not error.fields:
        form.add_error(None, error.message)
    for name, messages in error.fields.items():
        field = name.replace("new_person.", "new_person_")
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class ContactPointChoiceField(forms.ModelChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user} — {obj.agency}"


class TrainingForm(forms.Form):
    contact_point = ContactPointChoiceField(label=_("Contact point"), queryset=None)
    trained_on = _date(_("Trained on"))
    expires_on = _date(_("Expires on"))

    def __init__(self, *args: Any, contact_points: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_point"].queryset = contact_points  # type: ignore[attr-defined]


# --- investigation and triage ----------------------------------------------------------------
# Every field is optional here: the services refuse what is missing, with their own messages.


def _text(label: Any, rows: int = 3, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=False,
    )


class DismissForm(forms.Form):
    reason = _text(_("Reason for dismissing"))


class ActionForm(forms.Form):
    """A button with no fields: it carries a refusal back to the page."""

    @classmethod
    def refusing(cls, error: ApplicationError) -> ActionForm:
        form = cls(data={})
        form.is_valid()
        apply_error(form, error)
        return form


class FindingForm(forms.Form):
    text = _text(_("Finding"), rows=4)


class MeasureForm(forms.Form):
    type = forms.ChoiceField(label=_("Type of measure"), choices=(), required=False)
    legal_basis = _text(
        _("Legal basis"), help_text=_("The provision that allows this measure, and why it applies.")
    )
    starts_on = _date(_("Starts on"), required=False)
    ends_on = _date(_("Ends on"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The longest duration of each type is part of its choice, so it is read with it.
        self.fields["type"].choices = _choices(  # type: ignore[attr-defined]
            [(value, _measure_choice(value, label)) for value, label in MeasureType.choices]
        )


def _measure_choice(value: str, label: Any) -> str:
    return _("%(type)s (at most %(days)s days)") % {"type": label, "days": services.max_days(value)}


class RenewForm(forms.Form):
    ends_on = _date(_("New end date"), required=False)


class TriageForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=TriageOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    rationale = _text(_("Rationale"), rows=4)
    criteria = forms.MultipleChoiceField(
        label=_("Inclusion criteria met"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    review_on = _date(
        _("Monitoring review date"), help_text=_("For a decision to monitor."), required=False
    )
    notify = forms.MultipleChoiceField(
        label=_("Agencies to notify"),
        help_text=_("For a decision to notify."),
        required=False,
    )
    notice_text = _text(
        _("What the notified agencies are told"),
        help_text=_("Only this text reaches them, never the rationale or the intelligence."),
    )

    def __init__(self, *args: Any, investigation: Investigation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = [  # type: ignore[attr-defined]
            (c.code, c.label) for c in services.criteria_for(investigation)
        ]
        self.fields["notify"].choices = [  # type: ignore[attr-defined]
            (a.code, a.name) for a in services.notifiable_agencies().order_by("name")
        ]


class MonitoringReviewForm(forms.Form):
    note = _text(_("What the monitoring review found"), rows=3)
