"""Authorisation rows for every page and endpoint of the intake app, for every role: allowed,
or refused with 404 and nothing stored.

The scene: an internal signal of PI Alpha's contact point (routed to PI Alpha's bureau), an
external signal of the police about a person held at PI Alpha (passed on to PI Alpha), and an
external signal of probation about a person not in custody (in coordination's queue).
The tables are written out by hand, not computed from the policy.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from continuum.core.models import Role
from continuum.intake import services
from continuum.intake.models import ContactPointTraining, Signal
from tests.conftest import bearer
from tests.intake.conftest import signal_data

ROLES = list(Role.values)
REPORTERS = {
    "contact_point",
    "bureau_analyst",
    "case_manager",
    "probation_officer",
    "police_liaison",
    "prosecutor",
}
RECEIVERS = {"contact_point", "bureau_analyst", "coordinator"}
KEEPS_REGISTER = {"bureau_analyst", "coordinator"}
SEES_INTERNAL = {"contact_point", "bureau_analyst", "coordinator"}
SEES_PASSED_ON = {"police_liaison", "contact_point", "bureau_analyst", "coordinator"}
SEES_COORDINATIONS = {"probation_officer", "coordinator"}


def test_the_tables_cover_every_role():
    assert set(ROLES) == set(Role.values)
    assert {"mentor", "data_protection_officer", "evaluator", "administrator"}.isdisjoint(
        REPORTERS | RECEIVERS | SEES_INTERNAL | SEES_PASSED_ON | SEES_COORDINATIONS
    )


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_signal_form(act_as, world, role):
    response = act_as(world[role]).get(reverse("intake:signal-new"))
    assert response.status_code == (200 if role in REPORTERS else 404)


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_signal_in_the_form(act_as, world, role):
    observed = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = act_as(world[role]).post(
        reverse("intake:signal-new"),
        {
            "new_person_given_names": "Nova",
            "new_person_family_name": "Synthrow",
            "new_person_custody_status": "not_in_custody",
            "category": "other",
            "observed_behaviour": "Threatened a fellow detainee over his choice of friends.",
            "context": "cell",
            "observed_at": observed,
            "source_reliability": "C",
            "information_credibility": "3",
            "rests_on_behaviour": "on",
        },
    )
    stored = Signal.objects.exists()
    assert (response.status_code, stored) == ((302, True) if role in REPORTERS else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_the_signal_queue(act_as, world, scene, role):
    response = act_as(world[role]).get(reverse("intake:signal-queue"))
    assert response.status_code == (200 if role in RECEIVERS else 404)


QUEUES = {
    "contact_point": {"passed_on"},
    "bureau_analyst": {"internal", "passed_on"},
    "coordinator": {"coordinations", "passed_on"},
}


@pytest.mark.parametrize("role", sorted(QUEUES))
def test_what_each_queue_lists(act_as, world, scene, role):
    text = act_as(world[role]).get(reverse("intake:signal-queue")).text
    listed = {
        name
        for name in ("internal", "passed_on", "coordinations")
        if getattr(scene, name).reference in text
    }
    assert listed == QUEUES[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("which", "allowed"),
    [
        ("internal", SEES_INTERNAL),
        ("passed_on", SEES_PASSED_ON),
        ("coordinations", SEES_COORDINATIONS),
    ],
)
def test_the_signal_page(act_as, world, scene, role, which, allowed):
    signal = getattr(scene, which)
    response = act_as(world[role]).get(reverse("intake:signal-detail", args=[signal.reference]))
    assert response.status_code == (200 if role in allowed else 404)


@pytest.mark.parametrize("role", ROLES)
def test_downloading_an_attachment(act_as, world, scene, role):
    held = scene.internal.person
    signal = services.signal_record(
        actor=world["contact_point"],
        data=signal_data(held),
        attachments=[SimpleUploadedFile("note.txt", b"seen in the yard")],
    )
    url = reverse(
        "intake:attachment-download", args=[signal.reference, signal.attachments.get().pk]
    )
    response = act_as(world[role]).get(url)
    assert response.status_code == (200 if role in SEES_INTERNAL else 404)


@pytest.mark.parametrize("role", ROLES)
def test_the_contact_point_register(act_as, world, role):
    response = act_as(world[role]).get(reverse("intake:contact-points"))
    assert response.status_code == (200 if role in RECEIVERS else 404)


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_training(act_as, world, role):
    today = timezone.localdate()
    response = act_as(world[role]).post(
        reverse("intake:contact-points"),
        {
            "contact_point": world["contact_point"].pk,
            "trained_on": (today - timedelta(days=10)).isoformat(),
            "expires_on": (today + timedelta(days=300)).isoformat(),
        },
    )
    stored = ContactPointTraining.objects.exists()
    assert (response.status_code, stored) == (
        (302, True) if role in KEEPS_REGISTER else (404, False)
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_navigation_links(act_as, world, role):
    response = act_as(world[role]).get(reverse("core:home"), follow=True)
    text = response.text
    assert (reverse("intake:signal-new") in text) == (role in REPORTERS)
    assert (reverse("intake:signal-queue") + '"' in text) == (role in RECEIVERS)
    assert (reverse("intake:contact-points") in text) == (role in RECEIVERS)


# --- API -----------------------------------------------------------------------------------

LISTS = {
    "contact_point": {"internal", "passed_on"},
    "bureau_analyst": {"internal", "passed_on"},
    "coordinator": {"internal", "passed_on", "coordinations"},
    "police_liaison": {"passed_on"},
    "probation_officer": {"coordinations"},
}


@pytest.mark.parametrize("role", ROLES)
def test_listing_signals_in_the_api(client, world, scene, role):
    response = client.get("/api/v1/signals", **bearer(world[role]))
    assert response.status_code == 200
    shown = {row["reference"] for row in response.json()["results"]}
    expected = {getattr(scene, name).reference for name in LISTS.get(role, set())}
    assert shown == expected


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_signal_in_the_api(client, world, role):
    response = client.post(
        "/api/v1/signals",
        {
            "new_person": {
                "given_names": "Nova",
                "family_name": "Synthapi",
                "custody_status": "not_in_custody",
            },
            "category": "network",
            "observed_behaviour": "Received letters from a known recruiter every week.",
            "context": "correspondence",
            "observed_at": (timezone.now() - timedelta(days=2)).isoformat(),
            "source_reliability": "A",
            "information_credibility": "1",
            "rests_on_behaviour": True,
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=f"row-{role}",
        **bearer(world[role]),
    )
    stored = Signal.objects.exists()
    assert (response.status_code, stored) == ((201, True) if role in REPORTERS else (404, False))


def test_the_api_without_a_token_answers_401(client, db):
    assert client.get("/api/v1/signals").status_code == 401
    assert client.post("/api/v1/signals", {}, content_type="application/json").status_code == 401
