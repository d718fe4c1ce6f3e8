"""Timeline kinds are registered by the apps that record them: each has a label, a text and a
sensitivity; an event whose kind is no longer registered (its stage was removed) stays
readable."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from continuum.core import timeline
from continuum.core.models import Sensitivity, TimelineEvent
from tests.factories import PersonFactory


def test_the_core_and_the_intake_register_their_kinds():
    keys = {kind.key for kind in timeline.kinds}
    assert {k.value for k in TimelineEvent.Kind} <= keys
    assert {"signal_recorded", "triage_decided", "referred_to_mar"} <= keys
    assert timeline.kind_of("signal_recorded").sensitivity == Sensitivity.INTELLIGENCE
    assert timeline.kind_of("referred_to_mar").sensitivity == Sensitivity.CASE


def test_a_kind_describes_its_event_from_its_details():
    event = TimelineEvent(
        kind="phase_changed", details={"before": "referred", "after": "aftercare"}
    )
    with translation.override("en"):
        assert timeline.label(event) == "Phase changed"
        assert timeline.describe(event) == "Phase changed from Referred to Aftercare."
    with translation.override("nl"):
        assert timeline.label(event) == "Fase gewijzigd"


def test_an_event_of_a_removed_stage_is_shown_as_stored(act_as, world):
    person = PersonFactory(registered_by=world.coordination)
    TimelineEvent.objects.create(
        person=person, kind="kind_of_a_removed_stage", details={"x": 1}, sensitivity="case"
    )
    page = act_as(world["coordinator"]).get(reverse("core:person-detail", args=[person.reference]))
    assert page.status_code == 200
    assert "kind_of_a_removed_stage" in page.text
    timeline_api = act_as(world["coordinator"]).get(f"/api/v1/persons/{person.reference}/timeline")
    assert timeline_api.json()[0]["text"] == "kind_of_a_removed_stage"
