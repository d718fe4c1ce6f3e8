"""The signals API: recording, listing (scoped and audited), and the same refusals as the form
with {"message", "fields"} and status 400."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from continuum.audit.models import AuditEntry
from continuum.core.models import Person
from continuum.intake import services
from continuum.intake.models import Routing, Signal
from tests.conftest import bearer
from tests.factories import PersonFactory, PlacementFactory
from tests.intake.conftest import signal_data
from tests.intake.factories import ContactPointTrainingFactory
from tests.intake.test_validation import REFUSALS


def api_data(subject: Person | None, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "person": subject.reference if subject else "",
        "category": "searching",
        "observed_behaviour": "Searched the library computer for bomb-making manuals.",
        "context": "education",
        "observed_at": (timezone.now() - timedelta(days=1)).isoformat(),
        "source_reliability": "B",
        "information_credibility": "2",
        "rests_on_behaviour": True,
    }
    for name, value in overrides.items():
        if value == "future":
            value = (timezone.now() + timedelta(days=1)).isoformat()
        data[name] = value
    return data


def post(client, membership, data: dict[str, Any], **headers: str):
    return client.post(
        "/api/v1/signals",
        data,
        content_type="application/json",
        **bearer(membership),
        **headers,
    )


def test_it_records_a_signal(client, world, held_person):
    response = post(client, world["contact_point"], api_data(held_person))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["person"] == held_person.reference
    assert body["routed_to"] == world.bureau.code
    assert body["routing"] == Routing.BUREAU
    assert body["origin"] == "internal"
    # The reporter is told the signal was received, not how it is assessed.
    assert body["status"] is None
    assert Signal.objects.get().reference == body["reference"]


def test_it_records_a_signal_about_a_new_person(client, world):
    response = post(
        client,
        world["probation_officer"],
        api_data(
            None,
            new_person={
                "given_names": "Nova",
                "family_name": "Synthapi",
                "custody_status": "not_in_custody",
            },
        ),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["routed_to"] == world.coordination.code
    assert Person.objects.get().family_name == "Synthapi"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [pytest.param(o, f, m, id=name) for name, o, f, m in REFUSALS],
)
def test_a_refused_input_answers_400_with_its_field(
    client, world, held_person, overrides, field, message
):
    response = post(client, world["contact_point"], api_data(held_person, **overrides))
    assert response.status_code == 400
    body = response.json()
    assert body["fields"][field] == [message]
    assert body["message"]
    assert not Signal.objects.exists()


def test_the_bias_safeguard_is_the_message(client, world, held_person):
    response = post(client, world["contact_point"], api_data(held_person, rests_on_behaviour=False))
    assert response.json()["message"] == (
        "A signal must rest on observed behaviour: religious practice or identity alone is not "
        "a sign."
    )


def test_a_missing_confirmation_is_the_bias_safeguard(client, world, held_person):
    data = api_data(held_person)
    del data["rests_on_behaviour"]
    response = post(client, world["contact_point"], data)
    assert response.status_code == 400
    assert "rests_on_behaviour" in response.json()["fields"]


def test_a_person_and_a_new_person_are_refused_together(client, world, held_person):
    response = post(
        client,
        world["contact_point"],
        api_data(held_person, new_person={"given_names": "Nova", "family_name": "X"}),
    )
    assert response.status_code == 400
    assert response.json()["fields"]["person"] == [
        "Choose an existing person or enter a new person, not both."
    ]


def test_a_new_persons_refusals_name_its_fields(client, world):
    response = post(
        client,
        world["police_liaison"],
        api_data(None, new_person={"given_names": "Nova", "date_of_birth": "2999-01-01"}),
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["new_person.family_name"] == ["This field cannot be blank."]
    assert fields["new_person.date_of_birth"] == ["The date of birth cannot be in the future."]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "sympathy"),
        ("context", "mosque"),
        ("source_reliability", "G"),
        ("information_credibility", "7"),
        ("observed_at", "yesterday"),
        ("rests_on_behaviour", "perhaps"),
    ],
)
def test_a_wrong_type_is_a_field_error_never_a_500(client, world, held_person, field, value):
    response = post(client, world["contact_point"], api_data(held_person, **{field: value}))
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Signal.objects.exists()


def test_the_list_is_scoped_and_audited(client, world, held_person):
    post(client, world["contact_point"], api_data(held_person))
    reference = Signal.objects.get().reference
    for role, listed in (("bureau_analyst", True), ("case_manager", False)):
        response = client.get("/api/v1/signals", **bearer(world[role]))
        assert response.status_code == 200
        shown = [row["reference"] for row in response.json()["results"]]
        assert (reference in shown) == listed, role
        entry = AuditEntry.objects.filter(action="list", role=role).latest("sequence")
        assert entry.changes["shown"] == shown
        assert entry.changes["object_type"] == "intake.signal"


def test_the_signal_list_costs_the_same_queries_however_many_signals_are_investigated(
    client, world, held_person
):
    headers = bearer(world["bureau_analyst"])

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/signals", **headers)
        assert response.status_code == 200
        return len(captured)

    def investigated_signal() -> None:
        signal = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
        services.signal_investigate(actor=world["bureau_analyst"], signal=signal)

    investigated_signal()
    queries_for_list()  # the token's first use is recorded once
    one = queries_for_list()
    for _ in range(4):
        investigated_signal()
    response = client.get("/api/v1/signals", **headers)
    assert {row["investigation"] for row in response.json()["results"]} == {
        Signal.objects.first().investigation.reference
    }
    assert queries_for_list() == one


def test_a_trained_contact_points_signal_list_shows_statuses_in_constant_queries(client, world):
    held_person = PersonFactory(registered_by=world.police)
    PlacementFactory(person=held_person, institution=world.institution, ended_on=None)
    ContactPointTrainingFactory(membership=world["contact_point"])
    headers = bearer(world["contact_point"])
    passed_on = services.signal_record(actor=world["police_liaison"], data=signal_data(held_person))

    def listed() -> tuple[int, dict[str, str | None]]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/signals", **headers)
        rows = response.json()["results"]
        return len(captured), {row["reference"]: row["status"] for row in rows}

    listed()  # the token's first use is recorded once
    queries, statuses = listed()
    assert statuses == {passed_on.reference: "awaiting_assessment"}
    for _ in range(3):
        services.signal_record(actor=world["police_liaison"], data=signal_data(held_person))
    more_queries, statuses = listed()
    assert set(statuses.values()) == {"awaiting_assessment"} and len(statuses) == 4
    assert more_queries == queries
