"""Bad input to the intake pages and API: a NUL byte in a text, a date at the ends of the
calendar, an endless list. Each is a refusal on its field (status 400, or the signal form shown
again), never a 500, and nothing is stored. And what the reporter of a signal is told of it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from continuum.core.models import Membership, Person
from continuum.intake import services
from continuum.intake.models import (
    ContactPointTraining,
    Finding,
    Measure,
    MonitoringReview,
    ReviewStatus,
    Signal,
    SignalStatus,
    TriageDecision,
)
from tests.factories import PersonFactory, PlacementFactory
from tests.intake.conftest import decision_data, measure_data, signal_data
from tests.intake.factories import ContactPointTrainingFactory
from tests.intake.test_api import api_data, post
from tests.intake.test_api_investigation import call, decision_body, measure_body

pytestmark = pytest.mark.usefixtures("criteria")

NUL = "Synthetic text with a NUL\x00 byte."
NUL_REFUSED = "Null characters are not allowed."
OUT_OF_RANGE = "Enter a date between the years 1900 and 2999."
FAR_FUTURE, FAR_PAST = "9999-12-31", "0001-01-01"


def today(offset: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


@pytest.fixture
def coordination_signal(world, free_person) -> Signal:
    """Recorded by the police about a person not in custody: in coordination's queue."""
    return services.signal_record(actor=world["police_liaison"], data=signal_data(free_person))


@pytest.fixture
def running(world, investigation, second_analyst) -> Measure:
    requested = services.measure_request(
        actor=second_analyst, investigation=investigation, data=measure_data()
    )
    return services.measure_authorise(actor=world["bureau_analyst"], measure=requested)


@pytest.fixture
def review(world, investigation) -> MonitoringReview:
    decision = services.triage_propose(
        actor=world["bureau_analyst"],
        investigation=investigation,
        data=decision_data(outcome="monitor", review_on=timezone.localdate() + timedelta(days=30)),
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    return MonitoringReview.objects.get(decision=decision)


# --- pages: a NUL byte in a text ----------------------------------------------------------


def test_a_dismissal_with_a_nul_byte_is_refused_on_its_field(act_as, world, coordination_signal):
    response = act_as(world["coordinator"]).post(
        reverse("intake:signal-dismiss", args=[coordination_signal.reference]), {"reason": NUL}
    )
    assert response.status_code == 400
    assert response.context["dismiss_form"].errors["reason"] == [NUL_REFUSED]
    assert NUL_REFUSED in response.text
    coordination_signal.refresh_from_db()
    assert coordination_signal.status == SignalStatus.AWAITING_ASSESSMENT


def test_a_finding_with_a_nul_byte_is_refused_on_its_field(act_as, world, investigation):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:finding-add", args=[investigation.reference]), {"finding-text": NUL}
    )
    assert response.status_code == 400
    assert response.context["finding_form"].errors["text"] == [NUL_REFUSED]
    assert NUL_REFUSED in response.text
    assert not Finding.objects.exists()


def test_a_review_note_with_a_nul_byte_is_refused_on_its_field(act_as, world, review):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:monitoring-review-complete", args=[review.reference]),
        {f"monitoring-review-{review.reference}-note": NUL},
    )
    assert response.status_code == 400
    (row,) = [row for row in response.context["rows"] if row.review.pk == review.pk]
    assert row.form.errors["note"] == [NUL_REFUSED]
    assert NUL_REFUSED in response.text
    review.refresh_from_db()
    assert review.status == ReviewStatus.DUE


def test_a_measure_and_a_decision_with_a_nul_byte_are_refused(act_as, world, investigation):
    browser = act_as(world["bureau_analyst"])
    data = {f"measure-{key}": str(value) for key, value in measure_data().items()}
    data["measure-legal_basis"] = NUL
    response = browser.post(reverse("intake:measure-request", args=[investigation.reference]), data)
    assert response.status_code == 400
    assert response.context["measure_form"].errors["legal_basis"] == [NUL_REFUSED]
    response = browser.post(
        reverse("intake:triage-decision-propose", args=[investigation.reference]),
        {"triage-outcome": "downscale", "triage-rationale": NUL},
    )
    assert response.status_code == 400
    assert response.context["triage_form"].errors["rationale"] == [NUL_REFUSED]
    assert not Measure.objects.exists()
    assert not TriageDecision.objects.exists()


def test_a_signal_with_a_nul_byte_is_refused_on_its_field(act_as, world, held_person):
    data = {**signal_data(held_person), "observed_behaviour": NUL}
    data["observed_at"] = data["observed_at"].strftime("%Y-%m-%dT%H:%M")
    response = act_as(world["contact_point"]).post(reverse("intake:signal-new"), data)
    assert response.context["form"].errors["observed_behaviour"] == [NUL_REFUSED]
    assert not Signal.objects.exists()


# --- pages: dates at the ends of the calendar ---------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("starts_on", FAR_FUTURE), ("ends_on", FAR_FUTURE), ("starts_on", FAR_PAST)],
)
def test_a_measures_dates_are_within_the_years(act_as, world, investigation, field, value):
    data = {f"measure-{key}": str(v) for key, v in measure_data().items()}
    data.update({"measure-starts_on": FAR_FUTURE, "measure-ends_on": FAR_FUTURE})
    data[f"measure-{field}"] = value
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:measure-request", args=[investigation.reference]), data
    )
    assert response.status_code == 400
    assert response.context["measure_form"].errors[field] == [OUT_OF_RANGE]
    assert not Measure.objects.exists()


def test_a_renewal_is_within_the_years(act_as, world, running):
    before = running.ends_on
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:measure-renew", args=[running.reference]),
        {f"renew-{running.reference}-ends_on": FAR_FUTURE},
    )
    assert response.status_code == 400
    assert OUT_OF_RANGE in response.text
    running.refresh_from_db()
    assert running.ends_on == before


@pytest.mark.parametrize("value", [FAR_FUTURE, FAR_PAST])
def test_a_review_date_is_within_the_years(act_as, world, investigation, value):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:triage-decision-propose", args=[investigation.reference]),
        {"triage-outcome": "monitor", "triage-rationale": "Watch.", "triage-review_on": value},
    )
    assert response.status_code == 400
    assert response.context["triage_form"].errors["review_on"] == [OUT_OF_RANGE]
    assert not TriageDecision.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("observed_at", "0001-01-01T00:00"), ("new_person_date_of_birth", FAR_PAST)],
)
def test_a_signals_dates_are_within_the_years(act_as, world, field, value):
    data = {
        **signal_data(),
        "new_person_given_names": "Nova",
        "new_person_family_name": "Synth",
        "new_person_custody_status": "not_in_custody",
    }
    data["observed_at"] = data["observed_at"].strftime("%Y-%m-%dT%H:%M")
    data[field] = value
    response = act_as(world["police_liaison"]).post(reverse("intake:signal-new"), data)
    assert response.context["form"].errors[field] == [OUT_OF_RANGE]
    assert not Signal.objects.exists()


def test_a_training_is_within_the_years(act_as, world):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:contact-points"),
        {
            "contact_point": world["contact_point"].pk,
            "trained_on": today(),
            "expires_on": FAR_FUTURE,
        },
    )
    assert response.context["form"].errors["expires_on"] == [OUT_OF_RANGE]
    assert not ContactPointTraining.objects.exists()


# --- API: a NUL byte in a text --------------------------------------------------------------


def test_the_api_refuses_a_nul_byte_in_every_text(client, world, investigation, held_person):
    analyst = world["bureau_analyst"]
    reference = investigation.reference
    refusals = [
        (world["contact_point"], "signals", api_data(held_person, observed_behaviour=NUL)),
        (world["contact_point"], "signals", api_data(held_person, person=NUL)),
        (analyst, f"investigations/{reference}/findings", {"text": NUL}),
        (analyst, f"investigations/{reference}/measures", measure_body(legal_basis=NUL)),
        (analyst, f"investigations/{reference}/triage-decisions", decision_body(rationale=NUL)),
        (
            analyst,
            f"investigations/{reference}/triage-decisions",
            decision_body(outcome="notify", notify=["gem-a"], notice_text=NUL),
        ),
    ]
    for actor, path, body in refusals:
        response = call(client, actor, path, body)
        assert response.status_code == 400, (path, response.content)
        assert NUL_REFUSED in next(iter(response.json()["fields"].values())), path
    assert Signal.objects.count() == 1  # the investigation's own
    assert not Finding.objects.exists()
    assert not Measure.objects.exists()
    assert not TriageDecision.objects.exists()


def test_the_api_refuses_a_nul_byte_in_a_dismissal_and_a_review(
    client, world, coordination_signal, review
):
    dismissal = call(
        client,
        world["coordinator"],
        f"signals/{coordination_signal.reference}/dismiss",
        {"reason": NUL},
    )
    assert dismissal.status_code == 400
    assert dismissal.json()["fields"] == {"reason": [NUL_REFUSED]}
    completion = call(
        client,
        world["bureau_analyst"],
        f"monitoring-reviews/{review.reference}/complete",
        {"note": NUL},
    )
    assert completion.status_code == 400
    assert completion.json()["fields"] == {"note": [NUL_REFUSED]}


# --- API: dates at the ends of the calendar -------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_on": FAR_FUTURE, "ends_on": FAR_FUTURE}, "starts_on"),
        ({"ends_on": FAR_FUTURE}, "ends_on"),
        ({"starts_on": FAR_PAST}, "starts_on"),
    ],
)
def test_the_api_keeps_a_measures_dates_within_the_years(
    client, world, investigation, overrides, field
):
    response = call(
        client,
        world["bureau_analyst"],
        f"investigations/{investigation.reference}/measures",
        measure_body(**overrides),
    )
    assert response.status_code == 400
    assert response.json()["fields"][field] == [OUT_OF_RANGE]
    assert not Measure.objects.exists()


def test_the_api_keeps_a_renewal_within_the_years(client, world, running):
    response = call(
        client,
        world["bureau_analyst"],
        f"measures/{running.reference}/renew",
        {"ends_on": FAR_FUTURE},
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"ends_on": [OUT_OF_RANGE]}


@pytest.mark.parametrize("value", [FAR_FUTURE, FAR_PAST])
def test_the_api_keeps_a_review_date_within_the_years(client, world, investigation, value):
    response = call(
        client,
        world["bureau_analyst"],
        f"investigations/{investigation.reference}/triage-decisions",
        decision_body(outcome="monitor", review_on=value),
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"review_on": [OUT_OF_RANGE]}
    assert not TriageDecision.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"observed_at": "0001-01-01T00:00:00"},
        {"observed_at": "9999-12-31T12:00:00"},
        {
            "person": "",
            "new_person": {
                "given_names": "Nova",
                "family_name": "Synth",
                "date_of_birth": FAR_PAST,
                "custody_status": "not_in_custody",
            },
        },
    ],
    ids=["observed-long-ago", "observed-far-ahead", "born-long-ago"],
)
def test_the_api_keeps_a_signals_dates_within_the_years(client, world, held_person, overrides):
    response = call(client, world["police_liaison"], "signals", api_data(held_person, **overrides))
    assert response.status_code == 400
    assert OUT_OF_RANGE in str(response.json()["fields"])
    assert not Signal.objects.exists()


# --- API: lists of codes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"criteria": ["ideology"] * 51},
            "criteria",
            "Ensure this field has no more than 50 elements.",
        ),
        (
            {"criteria": ["x" * 61]},
            "criteria",
            "Ensure this field has no more than 60 characters.",
        ),
        (
            {"criteria": ["x" * 100_000, "y" * 100_000]},
            "criteria",
            "Ensure this field has no more than 60 characters.",
        ),
        ({"criteria": ["ideology", NUL]}, "criteria", NUL_REFUSED),
        (
            {"outcome": "notify", "notify": ["gem-a"] * 51, "notice_text": "Plan ahead."},
            "notify",
            "Ensure this field has no more than 50 elements.",
        ),
        (
            {"outcome": "notify", "notify": ["g" * 41], "notice_text": "Plan ahead."},
            "notify",
            "Ensure this field has no more than 40 characters.",
        ),
    ],
    ids=["many-criteria", "long-criterion", "huge-criteria", "nul-criterion", "many", "long"],
)
def test_a_decisions_lists_of_codes_are_bounded(
    client, world, investigation, overrides, field, message
):
    response = call(
        client,
        world["bureau_analyst"],
        f"investigations/{investigation.reference}/triage-decisions",
        decision_body(**overrides),
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {field: [message]}
    assert not TriageDecision.objects.exists()


def test_fifty_codes_are_accepted(client, world, investigation):
    response = call(
        client,
        world["bureau_analyst"],
        f"investigations/{investigation.reference}/triage-decisions",
        decision_body(criteria=["ideology", "violence"] * 25),
    )
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["criteria"]) == ["ideology", "violence"]


# --- API: what the reporter of a signal is told --------------------------------------------


@pytest.fixture
def known_to_police(world) -> Person:
    """Registered by the police, held at PI Alpha."""
    person = PersonFactory(registered_by=world.police)
    PlacementFactory(person=person, institution=world.institution, ended_on=None)
    return person


@pytest.fixture
def police_signal(world, known_to_police) -> Signal:
    """Recorded by the police: passed on to PI Alpha, whose bureau takes it into an
    investigation."""
    signal = services.signal_record(
        actor=world["police_liaison"], data=signal_data(known_to_police)
    )
    services.signal_investigate(actor=world["bureau_analyst"], signal=signal)
    return signal


def _status_seen(client, membership: Membership, signal: Signal) -> Any:
    one = call(client, membership, f"signals/{signal.reference}")
    assert one.status_code == 200
    (listed,) = [
        row
        for row in call(client, membership, "signals").json()["results"]
        if row["reference"] == signal.reference
    ]
    assert listed["status"] == one.json()["status"]
    return one.json()["status"]


def test_the_reporter_is_not_told_how_a_signal_is_assessed(client, world, police_signal):
    assert _status_seen(client, world["police_liaison"], police_signal) is None


@pytest.mark.parametrize("role", ["bureau_analyst", "coordinator", "contact_point"])
def test_the_receiving_side_reads_the_status(client, world, police_signal, role):
    ContactPointTrainingFactory(membership=world["contact_point"])
    assert _status_seen(client, world[role], police_signal) == SignalStatus.UNDER_INVESTIGATION


def test_the_reporters_answers_carry_no_status_not_even_on_a_replay(client, world, known_to_police):
    reporter, body = world["police_liaison"], api_data(known_to_police)
    key = {"HTTP_IDEMPOTENCY_KEY": "bad-input-status"}
    answers = [
        post(client, reporter, body),
        post(client, reporter, body, **key),
        post(client, reporter, body, **key),
    ]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert [answer.json()["status"] for answer in answers] == [None, None, None]
    assert answers[2]["Idempotent-Replayed"] == "true"
    assert Signal.objects.count() == 2


def test_a_bureau_reporting_to_itself_reads_the_status_also_on_a_replay(client, world, held_person):
    analyst, body = world["bureau_analyst"], api_data(held_person)
    key = {"HTTP_IDEMPOTENCY_KEY": "bad-input-own-status"}
    first, again = post(client, analyst, body, **key), post(client, analyst, body, **key)
    assert first.json()["status"] == again.json()["status"] == SignalStatus.AWAITING_ASSESSMENT


def test_the_schema_documents_the_status_as_nullable(db, tmp_path):
    target = tmp_path / "schema.json"
    call_command("spectacular", "--file", str(target), "--format", "openapi-json")
    schemas = json.loads(target.read_text())["components"]["schemas"]
    status = schemas["Signal"]["properties"]["status"]
    assert status["nullable"] is True
    assert status["readOnly"] is True
    assert "Null for the reporter" in status["description"]


# --- API: decisions listed through the selectors ---------------------------------------------


def test_the_triage_decision_list_shows_the_decisions_of_readable_investigations(
    client, world, investigation, held_person
):
    decision = services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
    )
    for role, expected in [
        ("bureau_analyst", [decision.reference]),
        ("coordinator", [decision.reference]),
        ("police_liaison", []),
    ]:
        listed = call(client, world[role], "triage-decisions")
        assert [row["reference"] for row in listed.json()["results"]] == expected, role
