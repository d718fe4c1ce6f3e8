"""Shared setup of the signal tests: a person held at PI Alpha, one not in custody, and the
fields of a valid signal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from continuum.core.models import CustodyStatus, Membership, Person, Role
from continuum.intake import services
from continuum.intake.models import InclusionCriterion, Investigation, Signal
from tests.factories import MembershipFactory, PersonFactory, PlacementFactory
from tests.intake.factories import ContactPointTrainingFactory

BIAS = (
    "A signal must rest on observed behaviour: religious practice or identity alone is not a sign."
)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def held_person(world) -> Person:
    """Registered and held at PI Alpha."""
    person = PersonFactory(registered_by=world.institution)
    PlacementFactory(person=person, institution=world.institution, ended_on=None)
    return person


@pytest.fixture
def free_person(world) -> Person:
    """Registered by the police, not in custody."""
    return PersonFactory(
        registered_by=world.police,
        custody_status=CustodyStatus.NOT_IN_CUSTODY,
        sentence_start=None,
        expected_release=None,
    )


def signal_data(subject: Person | None = None, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "person": subject.reference if subject else "",
        "category": "network",
        "observed_behaviour": "Handed out printed recruitment material in the yard.",
        "context": "recreation",
        "observed_at": timezone.now() - timedelta(hours=2),
        "source_reliability": "B",
        "information_credibility": "2",
        "rests_on_behaviour": True,
    }
    data.update(overrides)
    return data


# --- investigation and triage ----------------------------------------------------------------


@pytest.fixture
def criteria(world) -> list[InclusionCriterion]:
    """Two inclusion criteria of the world's jurisdiction, and one of another."""
    InclusionCriterion.objects.create(jurisdiction="Elsewhere", code="elsewhere", label="Other")
    return [
        InclusionCriterion.objects.create(
            jurisdiction="NL", code="ideology", label="Ideological motive", position=1
        ),
        InclusionCriterion.objects.create(
            jurisdiction="NL", code="violence", label="Readiness to use violence", position=2
        ),
    ]


@pytest.fixture
def second_analyst(world) -> Membership:
    """Another analyst of the world's bureau: the one who authorises measures."""
    return MembershipFactory(agency=world.bureau, role=Role.BUREAU_ANALYST)


@pytest.fixture
def investigation(world, held_person) -> Investigation:
    """The bureau's investigation of a person held at PI Alpha, from one internal signal."""
    signal = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    return services.signal_investigate(actor=world["bureau_analyst"], signal=signal)


def measure_data(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "type": "telephone_monitoring",
        "legal_basis": "Synthetic penitentiary rule 12: monitoring on a reasoned suspicion.",
        "starts_on": today,
        "ends_on": today + timedelta(days=13),
    }
    data.update(overrides)
    return data


def decision_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "outcome": "refer",
        "rationale": "Repeated recruitment attempts on the wing, confirmed by two sources.",
        "criteria": ["ideology", "violence"],
    }
    data.update(overrides)
    return data


# --- the authorisation tables' scene ---------------------------------------------------------


@dataclass
class Scene:
    internal: Signal
    passed_on: Signal
    coordinations: Signal


@pytest.fixture
def scene(world) -> Scene:
    ContactPointTrainingFactory(membership=world["contact_point"])
    held = PersonFactory(registered_by=world.institution)
    PlacementFactory(person=held, institution=world.institution, ended_on=None)
    known_to_police = PersonFactory(registered_by=world.police)
    PlacementFactory(person=known_to_police, institution=world.institution, ended_on=None)
    free = PersonFactory(
        registered_by=world.probation,
        custody_status=CustodyStatus.NOT_IN_CUSTODY,
        sentence_start=None,
        expected_release=None,
    )
    return Scene(
        internal=services.signal_record(actor=world["contact_point"], data=signal_data(held)),
        passed_on=services.signal_record(
            actor=world["police_liaison"], data=signal_data(known_to_police)
        ),
        coordinations=services.signal_record(
            actor=world["probation_officer"], data=signal_data(free)
        ),
    )
