from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from continuum.access.selectors import people_to_name
from continuum.core.models import User


class EmergencyAccessForm(forms.Form):
    case = forms.CharField(
        label=_("Case reference"),
        max_length=20,
        help_text=_("The reference of the MAR case, for example MAR-7K3M9Q."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Why you need this case now, and why the usual way does not work. The "
            "data-protection officer reviews every emergency access."
        ),
    )


class EmergencyAccessReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.get_username()})"


class UsersChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.get_username()})"


class ExclusionForm(forms.Form):
    user = UserChoiceField(label=_("User to exclude"), queryset=people_to_name())
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: knows the person privately."),
    )


class RestrictionForm(forms.Form):
    users = UsersChoiceField(
        label=_("Only these users may see the case"),
        queryset=people_to_name(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty to lift the restriction. You stay on the list yourself."),
    )
