"""Refusals of the triage services: proposing (each refused input, every one at once), signing
off (who signs for which side; the same user, agency or side twice; too late), withdrawing,
completing a review and acknowledging a stakeholder notice. Outsiders are answered "not found"; a
refusal stores nothing and adds no audit entry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from continuum.audit.models import AuditEntry
from continuum.core.exceptions import Conflict, InvalidInput, NotFound
from continuum.core.models import AgencyType, Role, TimelineEvent
from continuum.intake import services
from continuum.intake.models import (
    InclusionCriterion,
    Investigation,
    MonitoringReview,
    StakeholderNotice,
    TriageDecision,
    TriageStatus,
)
from tests.factories import AgencyFactory, MembershipFactory
from tests.intake.conftest import decision_data
from tests.intake.test_investigation import EVERY_ROLE, nothing_changes, refused_with

pytestmark = pytest.mark.usefixtures("criteria")

REAL_NOW = timezone.now
PARTIES = {Role.BUREAU_ANALYST, Role.COORDINATOR}
OUTSIDERS = [r for r in EVERY_ROLE if r not in PARTIES]
SAME_USER = (
    "You have already signed off this decision. The second sign-off must come from another "
    "person of the other side."
)
SAME_AGENCY = (
    "Your agency has already signed off this decision. The second sign-off must come from the "
    "other side."
)
NOT_NOTIFIABLE = (
    "Choose municipalities, probation, police, prosecution, custodial institutions or health "
    "services to notify."
)


@contextmanager
def days_later(days: int) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", lambda: REAL_NOW() + timedelta(days=days)):
        yield


def propose(actor, investigation: Investigation, **overrides: Any) -> TriageDecision:
    return services.triage_propose(
        actor=actor, investigation=investigation, data=decision_data(**overrides)
    )


@pytest.fixture
def decision(world, investigation) -> TriageDecision:
    return propose(world["bureau_analyst"], investigation)


@pytest.fixture
def other_bureau_analyst(world):
    bureau = AgencyFactory(
        code="bureau-b", type=AgencyType.INTELLIGENCE_BUREAU, parent=world.other_institution
    )
    return MembershipFactory(agency=bureau, role=Role.BUREAU_ANALYST)


def in_effect(world, decision: TriageDecision) -> TriageDecision:
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    decision.refresh_from_db()
    assert decision.status == TriageStatus.IN_EFFECT
    return decision


# --- proposing -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS)
def test_only_the_bureau_and_coordination_propose(world, investigation, role):
    with nothing_changes(), pytest.raises(NotFound):
        propose(world[role], investigation)


def test_another_bureau_does_not_propose(investigation, other_bureau_analyst):
    with nothing_changes(), pytest.raises(NotFound):
        propose(other_bureau_analyst, investigation)


def test_a_coordinator_of_another_kind_of_agency_does_not_propose(world, investigation):
    """The role alone is not enough: coordinators see everything only in the programme."""
    elsewhere = MembershipFactory(agency=world.municipality, role=Role.COORDINATOR)
    with nothing_changes(), pytest.raises(NotFound):
        propose(elsewhere, investigation)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"outcome": ""}, "outcome", "Choose the outcome."),
        ({"outcome": None}, "outcome", "Choose the outcome."),
        ({"outcome": "escalate"}, "outcome", "Choose the outcome."),
        ({"rationale": ""}, "rationale", "Give the rationale for the decision."),
        ({"rationale": "  \n\t"}, "rationale", "Give the rationale for the decision."),
        ({"rationale": None}, "rationale", "Give the rationale for the decision."),
        (
            {"criteria": ["ideology", "nonsense"]},
            "criteria",
            "Not an inclusion criterion of this jurisdiction: nonsense.",
        ),
        (
            {"criteria": ["elsewhere", "zz"]},
            "criteria",
            "Not an inclusion criterion of this jurisdiction: elsewhere, zz.",
        ),
        (
            {"criteria": []},
            "criteria",
            "A referral to MAR needs at least one inclusion criterion met.",
        ),
        (
            {"outcome": "monitor", "criteria": []},
            "review_on",
            "A decision to monitor needs a review date.",
        ),
        (
            {"outcome": "monitor", "criteria": [], "review_on": "in three months"},
            "review_on",
            "A decision to monitor needs a review date.",
        ),
        (
            {"outcome": "notify", "criteria": [], "notice_text": "Plan ahead."},
            "notify",
            "Choose the agencies to notify.",
        ),
        (
            {"outcome": "notify", "notify": ["gem-a"], "notice_text": "  "},
            "notice_text",
            "Write what the notified agencies are told; they do not see the rationale.",
        ),
        *[
            (
                {"outcome": "notify", "notify": ["gem-a", code], "notice_text": "Hi."},
                "notify",
                NOT_NOTIFIABLE,
            )
            for code in ("coord", "bureau-a", "ngo", "no-such-agency")
        ],
    ],
)
def test_each_refused_proposal(world, investigation, overrides, field, message):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        propose(world["bureau_analyst"], investigation, **overrides)
    refused_with(refused, field, message)


@pytest.mark.parametrize("days", [0, -1])
def test_a_review_date_must_be_in_the_future(world, investigation, days):
    review_on = timezone.localdate() + timedelta(days=days)
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        propose(
            world["coordinator"], investigation, outcome="monitor", criteria=[], review_on=review_on
        )
    refused_with(refused, "review_on", "The review date must be in the future.")


def test_a_criterion_no_longer_in_use_is_refused(world, investigation, criteria):
    InclusionCriterion.objects.filter(code="violence").update(is_active=False)
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        propose(world["bureau_analyst"], investigation)
    refused_with(refused, "criteria", "Not an inclusion criterion of this jurisdiction: violence.")


def test_every_refusal_is_reported_at_once(world, investigation):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        propose(
            world["bureau_analyst"],
            investigation,
            outcome="notify",
            rationale="",
            criteria=["nonsense"],
            notify=[],
        )
    assert set(refused.value.fields) == {"rationale", "criteria", "notify", "notice_text"}


def test_a_second_pending_decision_is_refused(world, investigation, decision):
    with nothing_changes(), pytest.raises(Conflict) as refused:
        propose(world["coordinator"], investigation)
    assert refused.value.message == (
        "A decision on this investigation already awaits sign-off; withdraw it first."
    )


def test_a_closed_investigation_takes_no_decision(world, investigation, decision):
    in_effect(world, decision)
    with nothing_changes(), pytest.raises(Conflict) as refused:
        propose(world["coordinator"], investigation, outcome="downscale", criteria=[])
    assert refused.value.message == "This investigation is closed."


def test_a_proposal_is_audited_and_stays_off_the_timeline(world, investigation):
    entries, events = AuditEntry.objects.count(), TimelineEvent.objects.count()
    decision = propose(world["coordinator"], investigation)
    assert decision.status == TriageStatus.AWAITING_SIGN_OFF
    assert AuditEntry.objects.count() == entries + 1
    assert TimelineEvent.objects.count() == events


# --- signing off ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS)
def test_only_the_two_sides_sign_off(world, decision, role):
    with nothing_changes(), pytest.raises(NotFound):
        services.triage_sign_off(actor=world[role], decision=decision)


def test_another_bureau_does_not_sign_off(decision, other_bureau_analyst):
    with nothing_changes(), pytest.raises(NotFound):
        services.triage_sign_off(actor=other_bureau_analyst, decision=decision)


def test_the_custodial_side_is_the_bureau_not_the_institution(world, decision):
    """The institution's contact point is custodial staff but signs nothing."""
    with nothing_changes(), pytest.raises(NotFound):
        services.triage_sign_off(actor=world["contact_point"], decision=decision)


def test_the_same_membership_cannot_sign_twice(world, decision):
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    refused_with(refused, "sign_off", SAME_USER)


def test_the_same_user_cannot_sign_for_the_other_side(world, decision):
    """Coordination first, then the same person as an analyst of the bureau."""
    same_user = MembershipFactory(
        user=world["coordinator"].user, agency=world.bureau, role=Role.BUREAU_ANALYST
    )
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.triage_sign_off(actor=same_user, decision=decision)
    refused_with(refused, "sign_off", SAME_USER)


def test_a_second_coordinator_of_the_programme_is_refused(world, decision):
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    colleague = MembershipFactory(agency=world.coordination, role=Role.COORDINATOR)
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.triage_sign_off(actor=colleague, decision=decision)
    refused_with(refused, "sign_off", SAME_AGENCY)


def test_the_same_side_cannot_sign_twice_from_another_agency(world, decision):
    """A coordinator of a second coordination programme is still the coordination side."""
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    programme = AgencyFactory(code="coord-2", type=AgencyType.COORDINATION_PROGRAMME)
    other = MembershipFactory(agency=programme, role=Role.COORDINATOR)
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.triage_sign_off(actor=other, decision=decision)
    refused_with(refused, "sign_off", "This side has already signed off this decision.")


def test_a_decision_in_effect_takes_no_further_sign_off(world, decision):
    in_effect(world, decision)
    third = MembershipFactory(agency=world.coordination, role=Role.COORDINATOR)
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.triage_sign_off(actor=third, decision=decision)
    assert refused.value.message == "This decision is no longer awaiting sign-off."


def test_a_withdrawn_decision_takes_no_sign_off(world, decision):
    services.triage_withdraw(actor=world["coordinator"], decision=decision)
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    assert refused.value.message == "This decision is no longer awaiting sign-off."


@pytest.mark.parametrize("signed_first", [False, True])
def test_a_monitor_decision_does_not_take_effect_after_its_review_date(
    world, investigation, signed_first
):
    """Regression: the review date was checked only when proposed, so a decision signed
    off later took effect with its review already overdue."""
    decision = propose(
        world["bureau_analyst"],
        investigation,
        outcome="monitor",
        criteria=[],
        review_on=timezone.localdate() + timedelta(days=1),
    )
    if signed_first:
        services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    signer = world["coordinator"]
    with days_later(1), nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.triage_sign_off(actor=signer, decision=decision)
    refused_with(
        refused,
        "review_on",
        "The review date has passed; withdraw the decision and propose it again.",
    )
    assert not MonitoringReview.objects.exists()
    services.triage_withdraw(actor=world["coordinator"], decision=decision)


# --- withdrawing ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS)
def test_only_the_two_sides_withdraw(world, decision, role):
    with nothing_changes(), pytest.raises(NotFound):
        services.triage_withdraw(actor=world[role], decision=decision)


def test_a_decision_in_effect_cannot_be_withdrawn(world, decision):
    in_effect(world, decision)
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.triage_withdraw(actor=world["coordinator"], decision=decision)
    assert refused.value.message == "Only a decision awaiting sign-off can be withdrawn."


def test_a_withdrawn_decision_makes_room_for_another(world, investigation, decision):
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    services.triage_withdraw(actor=world["coordinator"], decision=decision)
    with nothing_changes(), pytest.raises(Conflict):
        services.triage_withdraw(actor=world["coordinator"], decision=decision)
    again = propose(world["coordinator"], investigation, outcome="downscale", criteria=[])
    assert again.status == TriageStatus.AWAITING_SIGN_OFF
    decision.refresh_from_db()
    assert decision.status == TriageStatus.WITHDRAWN
    assert decision.sign_offs.count() == 1  # the sign-off stays on the record


# --- monitoring reviews and stakeholder notices -----------------------------------------------


@pytest.fixture
def review(world, investigation) -> MonitoringReview:
    decision = propose(
        world["bureau_analyst"],
        investigation,
        outcome="monitor",
        criteria=[],
        review_on=timezone.localdate() + timedelta(days=30),
    )
    in_effect(world, decision)
    return MonitoringReview.objects.get(decision=decision)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_only_the_bureau_and_coordination_complete_reviews(world, review, role):
    with nothing_changes(), pytest.raises(NotFound):
        services.monitoring_review_complete(actor=world[role], review=review, note="Seen.")


def test_another_bureau_does_not_complete_the_review(review, other_bureau_analyst):
    with nothing_changes(), pytest.raises(NotFound):
        services.monitoring_review_complete(actor=other_bureau_analyst, review=review, note="Seen.")


@pytest.mark.parametrize("note", ["", "   ", None])
def test_a_review_needs_a_note(world, review, note):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.monitoring_review_complete(actor=world["bureau_analyst"], review=review, note=note)
    refused_with(refused, "note", "Write down what the review found.")


def test_a_review_is_done_once(world, review):
    services.monitoring_review_complete(
        actor=world["coordinator"], review=review, note="Seen; calm."
    )
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.monitoring_review_complete(
            actor=world["bureau_analyst"], review=review, note="Again."
        )
    assert refused.value.message == "This review has already been done."


@pytest.fixture
def notice(world, investigation) -> StakeholderNotice:
    decision = propose(
        world["coordinator"],
        investigation,
        outcome="notify",
        criteria=[],
        notify=[world.municipality.code],
        notice_text="Please plan for a return to your municipality.",
    )
    in_effect(world, decision)
    return StakeholderNotice.objects.get(decision=decision)


@pytest.mark.parametrize("role", [r for r in EVERY_ROLE if r != Role.CASE_MANAGER])
def test_only_the_notified_agency_acknowledges(world, notice, role):
    with nothing_changes(), pytest.raises(NotFound):
        services.stakeholder_notice_acknowledge(actor=world[role], notice=notice)


def test_another_municipality_does_not_acknowledge(world, notice):
    stranger = MembershipFactory(agency=world.other_municipality, role=Role.CASE_MANAGER)
    with nothing_changes(), pytest.raises(NotFound):
        services.stakeholder_notice_acknowledge(actor=stranger, notice=notice)


def test_acknowledging_twice_changes_nothing_the_second_time(world, notice):
    services.stakeholder_notice_acknowledge(actor=world["case_manager"], notice=notice)
    with nothing_changes():
        again = services.stakeholder_notice_acknowledge(actor=world["case_manager"], notice=notice)
    assert again.acknowledged_by == world["case_manager"]
