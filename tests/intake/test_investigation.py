"""Refusals of the investigation services (taking a signal into an investigation, recording a
finding): who may act at all (everyone else is answered "not found"), each refused input
with its message, and that a refusal stores nothing and adds no audit entry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from continuum.audit.models import AuditEntry
from continuum.core.exceptions import Conflict, InvalidInput, NotFound
from continuum.core.models import AgencyType, Case, Role, TimelineEvent
from continuum.intake import services
from continuum.intake.models import (
    Finding,
    Investigation,
    InvestigationStatus,
    JurisdictionSetting,
    Measure,
    MonitoringReview,
    Signal,
    SignalStatus,
    StakeholderNotice,
    TriageDecision,
    TriageSignOff,
)
from continuum.intake.timeline import IntakeKind
from tests.conftest import ROLE_HOMES
from tests.factories import AgencyFactory, MembershipFactory
from tests.intake.conftest import decision_data, signal_data

EVERY_ROLE = [str(role) for role in ROLE_HOMES]


def footprint() -> tuple[Any, ...]:
    """What a refusal must leave as it was: every intake row and its state, the cases, the
    timeline and the audit log."""
    return (
        AuditEntry.objects.count(),
        TimelineEvent.objects.count(),
        sorted(Signal.objects.values_list("pk", "status", "investigation")),
        sorted(Investigation.objects.values_list("pk", "status")),
        Finding.objects.count(),
        sorted(Measure.objects.values_list("pk", "status", "ends_on", "authorised_by")),
        sorted(TriageDecision.objects.values_list("pk", "status")),
        TriageSignOff.objects.count(),
        sorted(MonitoringReview.objects.values_list("pk", "status")),
        StakeholderNotice.objects.count(),
        sorted(Case.objects.values_list("pk", "phase")),
    )


@contextmanager
def nothing_changes() -> Iterator[None]:
    before = footprint()
    audit_entries = AuditEntry.objects.count()
    yield
    assert AuditEntry.objects.count() == audit_entries, "a refusal added an audit entry"
    assert footprint() == before, "a refusal stored something"


def refused_with(error: pytest.ExceptionInfo[InvalidInput], field: str, message: str) -> None:
    assert error.value.message == message
    assert error.value.fields == {field: [message]}


@pytest.fixture
def signal(world, held_person) -> Signal:
    """An internal signal about a person held at PI Alpha, routed to its bureau."""
    return services.signal_record(actor=world["contact_point"], data=signal_data(held_person))


@pytest.fixture
def other_bureau_analyst(world):
    bureau = AgencyFactory(
        code="bureau-b", type=AgencyType.INTELLIGENCE_BUREAU, parent=world.other_institution
    )
    return MembershipFactory(agency=bureau, role=Role.BUREAU_ANALYST)


# --- taking a signal into an investigation ------------------------------------------------


@pytest.mark.parametrize("role", [r for r in EVERY_ROLE if r != Role.BUREAU_ANALYST])
def test_only_the_bureaus_analysts_investigate_everyone_else_gets_not_found(world, signal, role):
    with nothing_changes(), pytest.raises(NotFound):
        services.signal_investigate(actor=world[role], signal=signal)


def test_an_analyst_of_another_bureau_gets_not_found(world, signal, other_bureau_analyst):
    with nothing_changes(), pytest.raises(NotFound):
        services.signal_investigate(actor=other_bureau_analyst, signal=signal)


def test_an_inactive_analyst_gets_not_found(world, signal):
    analyst = world["bureau_analyst"]
    analyst.is_active = False
    analyst.save(update_fields=["is_active"])
    with nothing_changes(), pytest.raises(NotFound):
        services.signal_investigate(actor=analyst, signal=signal)


def test_a_signal_is_investigated_once(world, signal, second_analyst):
    services.signal_investigate(actor=world["bureau_analyst"], signal=signal)
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.signal_investigate(actor=second_analyst, signal=signal)
    assert refused.value.message == "This signal is no longer awaiting assessment."


def test_a_signal_routed_elsewhere_is_investigated_there(world, held_person, other_bureau_analyst):
    """With a central signals unit, the bureau's own signal goes to the unit: the bureau
    still sees it (it reported it) but does not investigate it."""
    unit = other_bureau_analyst.agency
    JurisdictionSetting.objects.create(jurisdiction="NL", central_signals_unit=unit)
    signal = services.signal_record(actor=world["bureau_analyst"], data=signal_data(held_person))
    assert signal.routed_to == unit
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.signal_investigate(actor=world["bureau_analyst"], signal=signal)
    assert refused.value.message == "This signal was routed to another agency; it investigates it."
    investigation = services.signal_investigate(actor=other_bureau_analyst, signal=signal)
    assert investigation.bureau == unit


def test_a_second_signal_joins_the_open_investigation(world, held_person, signal):
    first = services.signal_investigate(actor=world["bureau_analyst"], signal=signal)
    another = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    second = services.signal_investigate(actor=world["bureau_analyst"], signal=another)
    assert first == second
    assert Investigation.objects.count() == 1
    assert set(first.signals.values_list("status", flat=True)) == {SignalStatus.UNDER_INVESTIGATION}
    opened = TimelineEvent.objects.filter(kind=IntakeKind.INVESTIGATION_OPENED)
    assert opened.get().sensitivity == "intelligence"


@pytest.mark.usefixtures("criteria")
def test_after_the_decision_a_new_signal_opens_a_new_investigation(world, held_person, signal):
    first = services.signal_investigate(actor=world["bureau_analyst"], signal=signal)
    decision = services.triage_propose(
        actor=world["bureau_analyst"],
        investigation=first,
        data=decision_data(outcome="downscale", criteria=[]),
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    first.refresh_from_db()
    assert first.status == InvestigationStatus.CLOSED
    another = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    second = services.signal_investigate(actor=world["bureau_analyst"], signal=another)
    assert second != first
    assert second.status == InvestigationStatus.OPEN


# --- findings ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in EVERY_ROLE if r != Role.BUREAU_ANALYST])
def test_only_the_bureaus_analysts_record_findings(world, investigation, role):
    """Coordination reads the investigation but does not work on it."""
    with nothing_changes(), pytest.raises(NotFound):
        services.finding_add(actor=world[role], investigation=investigation, text="Seen.")


def test_an_analyst_of_another_bureau_records_no_finding(
    world, investigation, other_bureau_analyst
):
    with nothing_changes(), pytest.raises(NotFound):
        services.finding_add(actor=other_bureau_analyst, investigation=investigation, text="X")


@pytest.mark.parametrize("text", ["", "   \n ", None])
def test_an_empty_finding_is_refused(world, investigation, text):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.finding_add(actor=world["bureau_analyst"], investigation=investigation, text=text)
    refused_with(refused, "text", "Write down the finding.")


@pytest.mark.usefixtures("criteria")
def test_a_closed_investigation_takes_no_finding(world, investigation):
    decision = services.triage_propose(
        actor=world["coordinator"],
        investigation=investigation,
        data=decision_data(outcome="downscale", criteria=[]),
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.finding_add(
            actor=world["bureau_analyst"], investigation=investigation, text="Late."
        )
    assert refused.value.message == "This investigation is closed."


def test_a_finding_is_stored_with_an_audit_entry_that_does_not_repeat_it(world, investigation):
    entries = AuditEntry.objects.count()
    finding = services.finding_add(
        actor=world["bureau_analyst"], investigation=investigation, text="  Met a visitor.  "
    )
    assert finding.text == "Met a visitor."
    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    assert "Met a visitor" not in entry.content
