"""The bias report costs a number of queries that does not grow with the signals counted."""

from __future__ import annotations

from django.urls import reverse

from continuum.intake import services
from tests.factories import PersonFactory, PlacementFactory
from tests.intake.conftest import signal_data
from tests.querycount import assert_flat


def test_the_bias_report(act_as, world):
    def signals(n: int) -> None:
        for _ in range(n):
            person = PersonFactory(registered_by=world.institution)
            PlacementFactory(person=person, institution=world.institution, ended_on=None)
            services.signal_record(actor=world["contact_point"], data=signal_data(person))

    assert_flat(act_as(world["evaluator"]), reverse("reporting:bias-report"), signals)
