"""The bias report: signals per reporting unit and category, the share downscaled of those
decided and the share of low credibility, with small cells suppressed; read by evaluators,
coordinators and the data-protection officer only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from continuum.audit.models import AuditEntry
from continuum.core.exceptions import NotFound
from continuum.core.models import Membership, Person, Role
from continuum.intake import services
from continuum.intake.models import Signal, SignalStatus
from continuum.reporting import selectors
from continuum.reporting.selectors import BiasCell
from tests.conftest import World
from tests.factories import PersonFactory, PlacementFactory

URL = "reporting:bias-report"


def held(world: World, registered_by: Any = None) -> Person:
    person = PersonFactory(registered_by=registered_by or world.institution)
    PlacementFactory(person=person, institution=world.institution, ended_on=None)
    return person


def record(actor: Membership, person: Person, **overrides: Any) -> Signal:
    data: dict[str, Any] = {
        "person": person.reference,
        "category": "deviant_behaviour",
        "observed_behaviour": "Synthetic: shouted threats at a fellow detainee in the yard.",
        "context": "recreation",
        "observed_at": timezone.now() - timedelta(hours=3),
        "source_reliability": "B",
        "information_credibility": "2",
        "rests_on_behaviour": True,
    }
    data.update(overrides)
    return services.signal_record(actor=actor, data=data)


def set_status(signals: list[Signal], status: str) -> None:
    Signal.objects.filter(pk__in=[s.pk for s in signals]).update(status=status)


def downscale(world: World, person: Person, signals: list[Signal]) -> None:
    """Through the services: investigate, propose "downscale", sign off on both sides."""
    analyst = world["bureau_analyst"]
    investigation = None
    for signal in signals:
        investigation = services.signal_investigate(actor=analyst, signal=signal)
    assert investigation is not None
    decision = services.triage_propose(
        actor=analyst,
        investigation=investigation,
        data={"outcome": "downscale", "rationale": "Synthetic: a quarrel, no extremist motive."},
    )
    services.triage_sign_off(actor=analyst, decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)


def cell(report: selectors.BiasReport, agency: str, category: str) -> BiasCell:
    (found,) = [c for c in report.cells if c.agency == agency and c.category == category]
    return found


@pytest.fixture
def scene(world: World) -> dict[str, list[Signal]]:
    """PI Alpha: six signals of deviant behaviour, graded 1 to 6, of which five are decided
    (three dismissed, two by a downscale decision through the services) and one awaits
    assessment. The police: two network signals, a cell below the threshold."""
    contact = world["contact_point"]
    quarrel = held(world)
    downscaled = [
        record(contact, quarrel, information_credibility="4"),
        record(contact, quarrel, information_credibility="1"),
    ]
    downscale(world, quarrel, downscaled)
    other = held(world)
    assessed = [
        record(contact, other, information_credibility="2"),
        record(contact, other, information_credibility="3"),
    ]
    dismissed = [record(contact, other, information_credibility="5")]
    waiting = [record(contact, other, information_credibility="6")]
    set_status(assessed, SignalStatus.ASSESSED)
    set_status(dismissed, SignalStatus.DISMISSED)
    known = held(world, registered_by=world.police)
    police = [
        record(world["police_liaison"], known, category="network", context="outside_source")
        for _ in range(2)
    ]
    return {"downscaled": downscaled, "assessed": assessed, "police": police, "waiting": waiting}


def test_it_counts_and_computes_the_shares(world, scene):
    assert {
        s.status for s in Signal.objects.filter(pk__in=[s.pk for s in scene["downscaled"]])
    } == {SignalStatus.DISMISSED}
    report = selectors.bias_report(actor=world["evaluator"])
    alpha = cell(report, world.institution.name, "deviant_behaviour")
    assert (alpha.suppressed, alpha.count, alpha.decided) == (False, 6, 5)
    assert alpha.downscaled_percent == 60  # 3 of the 5 decided; the waiting one counts in neither
    assert alpha.low_credibility_percent == 50  # grades 4, 5 and 6 of six
    assert alpha.category_label == "Deviant behaviour"


def test_it_suppresses_a_cell_below_the_threshold_without_its_figures(world, scene):
    report = selectors.bias_report(actor=world["coordinator"])
    police = cell(report, world.police.name, "network")
    assert police.suppressed
    assert (police.count, police.decided) == (None, None)
    assert (police.downscaled_percent, police.low_credibility_percent) == (None, None)


def test_it_shows_a_cell_of_exactly_the_threshold(world, settings):
    settings.CONTINUUM_SMALL_CELL_THRESHOLD = 3
    person = held(world)
    for _ in range(3):
        record(world["contact_point"], person, category="searching", information_credibility="5")
    for _ in range(2):
        record(world["contact_point"], person, category="network")
    report = selectors.bias_report(actor=world["evaluator"])
    searching = cell(report, world.institution.name, "searching")
    assert (searching.suppressed, searching.count, searching.low_credibility_percent) == (
        False,
        3,
        100,
    )
    assert report.threshold == 3
    assert cell(report, world.institution.name, "network").suppressed


def test_it_honours_the_threshold_setting(world, scene, settings):
    settings.CONTINUUM_SMALL_CELL_THRESHOLD = 2
    police = cell(selectors.bias_report(actor=world["evaluator"]), world.police.name, "network")
    assert (police.suppressed, police.count) == (False, 2)
    settings.CONTINUUM_SMALL_CELL_THRESHOLD = 7
    report = selectors.bias_report(actor=world["evaluator"])
    assert all(c.suppressed for c in report.cells)


def test_it_hides_the_downscaled_share_of_too_few_decisions(world, scene):
    Signal.objects.filter(status=SignalStatus.DISMISSED).update(
        status=SignalStatus.UNDER_INVESTIGATION
    )
    alpha = cell(
        selectors.bias_report(actor=world["evaluator"]), world.institution.name, "deviant_behaviour"
    )
    assert (alpha.count, alpha.decided, alpha.downscaled_percent) == (6, None, None)
    assert alpha.low_credibility_percent == 50


def test_it_counts_the_signals_recorded_in_the_period_both_dates_inclusive(world, scene):
    today = timezone.localdate()
    now = timezone.now()
    Signal.objects.filter(pk__in=[s.pk for s in scene["police"]]).update(
        created_at=now - timedelta(days=10)
    )
    recent = selectors.bias_report(actor=world["evaluator"], since=today - timedelta(days=9))
    assert {c.agency for c in recent.cells} == {world.institution.name}
    earlier = selectors.bias_report(
        actor=world["evaluator"],
        since=today - timedelta(days=10),
        until=today - timedelta(days=10),
    )
    assert {c.agency for c in earlier.cells} == {world.police.name}
    assert (
        selectors.bias_report(actor=world["evaluator"], until=today - timedelta(days=11)).cells
        == []
    )


def test_the_page_shows_patterns_and_no_signal_or_person(act_as, world, scene):
    response = act_as(world["evaluator"]).get(reverse(URL))
    assert response.status_code == 200
    page = response.content.decode()
    assert "patterns, not verdicts" in page
    assert "fewer than 5" in page
    assert "60% of 5" in page
    for signal in Signal.objects.all():
        assert signal.reference not in page
        assert signal.person.reference not in page
    assert "Total" not in page


def test_the_page_is_recorded_as_an_aggregate_read(act_as, world, scene):
    act_as(world["data_protection_officer"]).get(
        reverse(URL), {"since": "2020-01-01", "until": "2099-12-31"}
    )
    entry = AuditEntry.objects.filter(action="read", username="data-protection-officer").get()
    assert entry.person_reference == ""
    assert entry.changes == {
        "report": "reporting.bias",
        "since": "2020-01-01",
        "until": "2099-12-31",
        "threshold": 5,
    }


def test_a_period_that_ends_before_it_starts_is_refused(act_as, world, scene):
    response = act_as(world["coordinator"]).get(
        reverse(URL), {"since": "2026-02-01", "until": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "cannot be before its start" in response.content.decode()
    assert not AuditEntry.objects.filter(action="read").exists()


def test_the_selector_refuses_those_who_read_no_aggregates(world):
    with pytest.raises(NotFound):
        selectors.bias_report(actor=world["bureau_analyst"])


# --- who may read it: written out by hand, not computed from the policy --------------------

PAGE = {
    Role.CONTACT_POINT: 404,
    Role.BUREAU_ANALYST: 404,
    Role.COORDINATOR: 200,
    Role.CASE_MANAGER: 404,
    Role.PROBATION_OFFICER: 404,
    Role.POLICE_LIAISON: 404,
    Role.PROSECUTOR: 404,
    Role.MENTOR: 404,
    Role.DATA_PROTECTION_OFFICER: 200,
    Role.EVALUATOR: 200,
    Role.ADMINISTRATOR: 404,
}


def test_the_table_covers_every_role():
    assert set(PAGE) == set(Role.values)
    assert len(PAGE) == 11


@pytest.mark.parametrize("role", list(PAGE))
def test_the_page_for_every_role(act_as, world, scene, role):
    response = act_as(world[role]).get(reverse(URL))
    assert response.status_code == PAGE[role]
    read = AuditEntry.objects.filter(action="read", changes__report="reporting.bias").exists()
    assert read == (PAGE[role] == 200)


def test_a_deactivated_evaluator_reads_nothing(act_as, world):
    evaluator = world["evaluator"]
    evaluator.is_active = False
    evaluator.save(update_fields=["is_active"])
    response = act_as(evaluator).get(reverse(URL))
    # No active membership to act in: sent to choose one, and nothing was read.
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="read").exists()
