"""Idempotent intake: a retried request with the same Idempotency-Key from the same membership
creates nothing twice and gets the first answer with the same status."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from continuum.access.models import CaseExclusion
from continuum.intake.models import Signal, SignalIntakeRequest
from tests.conftest import bearer
from tests.factories import CaseFactory
from tests.intake.test_api import api_data, post

KEY = {"HTTP_IDEMPOTENCY_KEY": "7f1c2a9e-retry-test"}


def test_a_retry_creates_nothing_twice_and_answers_the_same(client, world, held_person):
    data = api_data(held_person)
    first = post(client, world["contact_point"], data, **KEY)
    again = post(client, world["contact_point"], data, **KEY)
    third = post(client, world["contact_point"], data, **KEY)
    assert first.status_code == again.status_code == third.status_code == 201
    assert first.json() == again.json() == third.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Signal.objects.count() == 1
    assert held_person.timeline.filter(kind="signal_recorded").count() == 1


def test_the_same_key_with_a_different_body_is_a_conflict(client, world, held_person):
    post(client, world["contact_point"], api_data(held_person), **KEY)
    response = post(client, world["contact_point"], api_data(held_person, category="other"), **KEY)
    assert response.status_code == 409
    assert response.json()["message"] == (
        "This Idempotency-Key was already used for a different request. Use a new key for a "
        "new signal."
    )
    assert Signal.objects.count() == 1


def test_keys_belong_to_one_membership(client, world, held_person):
    post(client, world["contact_point"], api_data(held_person), **KEY)
    post(client, world["bureau_analyst"], api_data(held_person), **KEY)
    assert Signal.objects.count() == 2


def test_a_refused_request_stores_no_key(client, world, held_person):
    refused = post(
        client, world["contact_point"], api_data(held_person, rests_on_behaviour=False), **KEY
    )
    assert refused.status_code == 400
    assert not SignalIntakeRequest.objects.exists()
    accepted = post(client, world["contact_point"], api_data(held_person), **KEY)
    assert accepted.status_code == 201
    assert Signal.objects.count() == 1


def test_an_overlong_key_is_refused(client, world, held_person):
    response = post(
        client, world["contact_point"], api_data(held_person), HTTP_IDEMPOTENCY_KEY="k" * 201
    )
    assert response.status_code == 400
    assert response.json()["fields"]["Idempotency-Key"] == [
        "The Idempotency-Key header must be between 1 and 200 characters."
    ]
    assert not Signal.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_signal(world, held_person):
    """Retries that arrive together queue on the key's unique index; one records the signal
    and the others answer with its result."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "Concurrent requests are raced on PostgreSQL; SQLite serialises transactions and "
            "the test database lives in memory, shared by the threads."
        )
    membership = world["contact_point"]
    data = api_data(held_person)
    headers = [bearer(membership) for _ in range(4)]
    start = threading.Barrier(4)
    answers: list[tuple[int, dict[str, object]]] = []
    errors: list[BaseException] = []

    def retry(auth: dict[str, str]) -> None:
        try:
            start.wait()
            response = Client().post(
                "/api/v1/signals", data, content_type="application/json", **auth, **KEY
            )
            answers.append((response.status_code, response.json()))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=retry, args=(auth,)) for auth in headers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Signal.objects.count() == 1
    assert {status for status, _ in answers} == {201}
    assert all(body == answers[0][1] for _, body in answers)


def test_a_replay_is_refused_once_the_signal_is_withheld_from_the_caller(
    client, world, held_person
):
    reporter = world["contact_point"]
    data = api_data(held_person)
    assert post(client, reporter, data, **KEY).status_code == 201
    case = CaseFactory(person=held_person, lead_agency=world.coordination)
    CaseExclusion.objects.create(
        case=case,
        user=reporter.user,
        reason="Synthetic: a relative works on the wing.",
        created_by=world["coordinator"],
    )
    again = post(client, reporter, data, **KEY)
    assert again.status_code == 404
    assert "observed_behaviour" not in again.json()
