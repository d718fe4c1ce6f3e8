"""Concurrent sign-offs and referrals, raced on PostgreSQL: whatever the interleaving, a
decision takes effect once, with two sign-offs, and a person has one MAR case.

Each thread acts through the services on its own database connection; a barrier releases
them together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from continuum.audit.models import AuditEntry
from continuum.audit.verify import verify
from continuum.core.exceptions import ApplicationError
from continuum.core.models import AgencyType, Case, Role, TimelineEvent
from continuum.intake import services
from continuum.intake.models import (
    Investigation,
    InvestigationStatus,
    TriageDecision,
    TriageSignOff,
    TriageStatus,
)
from continuum.intake.timeline import IntakeKind
from tests.factories import AgencyFactory, MembershipFactory, PersonFactory, PlacementFactory
from tests.intake.conftest import decision_data, signal_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("criteria")]

SAME_AGENCY = (
    "Your agency has already signed off this decision. The second sign-off must come from the "
    "other side."
)


@pytest.fixture(autouse=True)
def on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Concurrent sign-offs are raced on PostgreSQL; SQLite serialises transactions and "
            "the test database lives in memory, shared by the threads."
        )


@pytest.fixture(autouse=True)
def audit_checkpoints_elsewhere(settings, tmp_path) -> None:
    settings.CONTINUUM_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment, each in its own thread and connection; answer what
    each returned or raised, in the order given."""
    start = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcomes[index] = call()
        except BaseException as error:  # reported by the main thread
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def errors(outcomes: list[Any]) -> list[BaseException]:
    return [o for o in outcomes if isinstance(o, BaseException)]


def assert_took_effect_once(decision: TriageDecision) -> Case:
    decision.refresh_from_db()
    assert decision.status == TriageStatus.IN_EFFECT
    sign_offs = list(decision.sign_offs.all())
    assert len(sign_offs) == 2
    assert {s.side for s in sign_offs} == {"custodial", "coordination"}
    assert len({s.user_id for s in sign_offs}) == len({s.agency_id for s in sign_offs}) == 2
    assert AuditEntry.objects.filter(action="sign_off", object_id=decision.reference).count() == 2
    assert decision.case is not None
    return decision.case


@pytest.fixture
def decision(world, investigation) -> TriageDecision:
    return services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
    )


@pytest.mark.parametrize("attempt", range(3))
def test_both_sides_signing_at_once_open_one_case(world, decision, attempt):
    outcomes = race(
        lambda: services.triage_sign_off(actor=world["bureau_analyst"], decision=decision),
        lambda: services.triage_sign_off(actor=world["coordinator"], decision=decision),
    )
    assert not errors(outcomes), outcomes
    case = assert_took_effect_once(decision)
    person = decision.investigation.person
    assert list(Case.objects.filter(person=person)) == [case]
    referrals = TimelineEvent.objects.filter(kind=IntakeKind.REFERRED_TO_MAR)
    assert referrals.count() == 1
    decided = TimelineEvent.objects.filter(kind=IntakeKind.TRIAGE_DECIDED)
    assert decided.count() == 1
    investigation = Investigation.objects.get(pk=decision.investigation_id)
    assert investigation.status == InvestigationStatus.CLOSED
    assert verify().ok


def test_two_analysts_signing_the_same_side_at_once_one_wins(world, decision, second_analyst):
    outcomes = race(
        lambda: services.triage_sign_off(actor=world["bureau_analyst"], decision=decision),
        lambda: services.triage_sign_off(actor=second_analyst, decision=decision),
    )
    refused = errors(outcomes)
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ApplicationError)
    assert refused[0].message == SAME_AGENCY
    assert TriageSignOff.objects.filter(decision=decision).count() == 1
    decision.refresh_from_db()
    assert decision.status == TriageStatus.AWAITING_SIGN_OFF
    assert AuditEntry.objects.filter(action="sign_off", object_id=decision.reference).count() == 1
    assert verify().ok


def test_two_coordination_programmes_signing_at_once_one_wins(world, decision):
    """Two agencies of the same side: the side is taken by the first."""
    programme = AgencyFactory(code="coord-2", type=AgencyType.COORDINATION_PROGRAMME)
    other = MembershipFactory(agency=programme, role=Role.COORDINATOR)
    outcomes = race(
        lambda: services.triage_sign_off(actor=world["coordinator"], decision=decision),
        lambda: services.triage_sign_off(actor=other, decision=decision),
    )
    refused = errors(outcomes)
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ApplicationError)
    assert refused[0].message == "This side has already signed off this decision."
    assert TriageSignOff.objects.filter(decision=decision).count() == 1


def test_the_same_user_in_two_memberships_at_once_signs_once(world, decision):
    same_user = MembershipFactory(
        user=world["bureau_analyst"].user, agency=world.coordination, role=Role.COORDINATOR
    )
    outcomes = race(
        lambda: services.triage_sign_off(actor=world["bureau_analyst"], decision=decision),
        lambda: services.triage_sign_off(actor=same_user, decision=decision),
    )
    refused = errors(outcomes)
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ApplicationError)
    assert refused[0].message.startswith("You have already signed off this decision.")
    decision.refresh_from_db()
    assert decision.status == TriageStatus.AWAITING_SIGN_OFF
    assert not Case.objects.exists()


@pytest.mark.parametrize("attempt", range(3))
def test_two_bureaux_referring_one_person_at_once_open_one_case(world, attempt):
    """The person is held at PI Alpha and known to the bureau of PI Beta (which registered
    them); each bureau investigates and refers, and the last sign-offs race."""
    bureau_b = AgencyFactory(
        code="bureau-b", type=AgencyType.INTELLIGENCE_BUREAU, parent=world.other_institution
    )
    analyst_b = MembershipFactory(agency=bureau_b, role=Role.BUREAU_ANALYST)
    coordinator_2 = MembershipFactory(agency=world.coordination, role=Role.COORDINATOR)
    person = PersonFactory(registered_by=bureau_b)
    PlacementFactory(person=person, institution=world.institution, ended_on=None)
    decisions = []
    for analyst in (world["bureau_analyst"], analyst_b):
        signal = services.signal_record(actor=analyst, data=signal_data(person))
        investigation = services.signal_investigate(actor=analyst, signal=signal)
        decision = services.triage_propose(
            actor=analyst, investigation=investigation, data=decision_data()
        )
        services.triage_sign_off(actor=analyst, decision=decision)
        decisions.append(decision)
    assert {d.investigation.bureau for d in decisions} == {world.bureau, bureau_b}
    first, second = decisions
    outcomes = race(
        lambda: services.triage_sign_off(actor=world["coordinator"], decision=first),
        lambda: services.triage_sign_off(actor=coordinator_2, decision=second),
    )
    assert not errors(outcomes), outcomes
    cases = {assert_took_effect_once(d) for d in decisions}
    assert len(cases) == 1
    (case,) = cases
    assert list(Case.objects.filter(person=person)) == [case]
    assert {world.institution, world.bureau, world.other_institution, bureau_b} <= set(
        case.team_agencies.all()
    )
    referrals = TimelineEvent.objects.filter(kind=IntakeKind.REFERRED_TO_MAR, case=case)
    assert sorted(e.details["joined"] for e in referrals) == [False, True]
    assert verify().ok
