"""Every refused input of a signal, in the form and in the API, with its message, and nothing
stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from continuum.core.models import Person
from continuum.intake.models import Signal
from tests.intake.conftest import BIAS

NOT_BOTH = "Choose an existing person or enter a new person, not both."
UNKNOWN = "No person with this reference is known to you."
NO_PERSON = "Choose a person by reference, or enter a new person's names."
FUTURE = "The observation cannot be in the future."

# (what is changed, the refused field, its message); "<person>" stands for the held person.
REFUSALS: list[tuple[str, dict[str, Any], str, str]] = [
    ("bias safeguard", {"rests_on_behaviour": False}, "rests_on_behaviour", BIAS),
    ("no person", {"person": ""}, "person", NO_PERSON),
    ("unknown person", {"person": "P-ZZZZZZ"}, "person", UNKNOWN),
    ("no category", {"category": ""}, "category", "Choose a category."),
    (
        "no behaviour",
        {"observed_behaviour": "   "},
        "observed_behaviour",
        "Describe the behaviour you observed, in your own words.",
    ),
    (
        "no context",
        {"context": ""},
        "context",
        "Choose the context in which the behaviour was observed.",
    ),
    ("no time", {"observed_at": None}, "observed_at", "Enter when the behaviour was observed."),
    ("future", {"observed_at": "future"}, "observed_at", FUTURE),
    (
        "no reliability",
        {"source_reliability": ""},
        "source_reliability",
        "Grade the reliability of the source (A to F).",
    ),
    (
        "no credibility",
        {"information_credibility": ""},
        "information_credibility",
        "Grade the credibility of the information (1 to 6).",
    ),
]


def form_data(subject: Person, /, **overrides: Any) -> dict[str, Any]:
    observed = timezone.localtime() - timedelta(hours=3)
    data: dict[str, Any] = {
        "person": subject.reference,
        "category": "beliefs",
        "observed_behaviour": "Called for violence against guards during the work shift.",
        "context": "work",
        "observed_at": observed.strftime("%Y-%m-%dT%H:%M"),
        "source_reliability": "A",
        "information_credibility": "1",
        "rests_on_behaviour": "on",
    }
    for name, value in overrides.items():
        if value == "future":
            value = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        data[name] = value
    return {k: v for k, v in data.items() if v not in (None, False)}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [pytest.param(o, f, m, id=name) for name, o, f, m in REFUSALS],
)
def test_a_refused_input_is_shown_on_its_field_in_the_form(
    act_as, world, held_person, overrides, field, message
):
    response = act_as(world["contact_point"]).post(
        reverse("intake:signal-new"), form_data(held_person, **overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Signal.objects.exists()


def test_the_form_records_a_signal_and_shows_it(act_as, world, held_person):
    browser = act_as(world["contact_point"])
    response = browser.post(reverse("intake:signal-new"), form_data(held_person))
    signal = Signal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:signal-detail", args=[signal.reference])
    page = browser.get(response["Location"])
    assert "Called for violence against guards" in page.text


def test_the_form_refuses_a_person_by_reference_and_a_new_one(act_as, world, held_person):
    response = act_as(world["contact_point"]).post(
        reverse("intake:signal-new"),
        form_data(held_person, new_person_given_names="Nova", new_person_family_name="Synth"),
    )
    assert response.context["form"].errors["person"] == [NOT_BOTH]


def test_the_form_shows_a_new_persons_refusals_on_their_fields(act_as, world, held_person):
    response = act_as(world["police_liaison"]).post(
        reverse("intake:signal-new"),
        form_data(held_person, person="", new_person_given_names="Nova"),
    )
    errors = response.context["form"].errors
    assert errors["new_person_family_name"] == ["This field cannot be blank."]
    assert errors["new_person_custody_status"] == ["This field cannot be blank."]
    assert not Person.objects.exclude(pk=held_person.pk).exists()


def test_the_form_registers_a_new_person(act_as, world, held_person):
    response = act_as(world["police_liaison"]).post(
        reverse("intake:signal-new"),
        form_data(
            held_person,
            person="",
            new_person_given_names="Nova",
            new_person_family_name="Synthnieuw",
            new_person_custody_status="not_in_custody",
        ),
    )
    assert response.status_code == 302
    assert Signal.objects.get().person.family_name == "Synthnieuw"


def test_the_form_refuses_an_attachment_of_the_wrong_type(act_as, world, held_person):
    data = form_data(held_person)
    data["attachments"] = [SimpleUploadedFile("run.sh", b"#!/bin/sh\n")]
    response = act_as(world["contact_point"]).post(reverse("intake:signal-new"), data)
    assert response.context["form"].errors["attachments"] == [
        "run.sh: only these file types are accepted: pdf, jpg, jpeg, png, txt."
    ]
    assert not Signal.objects.exists()


def test_the_form_stores_several_attachments(act_as, world, held_person):
    data = form_data(held_person)
    data["attachments"] = [
        SimpleUploadedFile("a.txt", b"first note"),
        SimpleUploadedFile("b.pdf", b"%PDF-1.7 second"),
    ]
    response = act_as(world["contact_point"]).post(reverse("intake:signal-new"), data)
    assert response.status_code == 302
    assert Signal.objects.get().attachments.count() == 2


def test_the_form_states_the_safeguard(act_as, world):
    response = act_as(world["contact_point"]).get(reverse("intake:signal-new"))
    assert "Religious practice or identity alone is not a sign of radicalisation." in response.text
    assert 'name="rests_on_behaviour"' in response.text
