"""Shared setup of the signal tests: a person held at PI Alpha, one not in custody, and the
fields of a valid signal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from continuum.core.models import CustodyStatus, Person
from tests.factories import PersonFactory, PlacementFactory

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
