"""The triage decision: proposal, two sign-offs by different users of different agencies, and
what each outcome does when it takes effect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from continuum.audit.models import AuditEntry
from continuum.core import services as core_services
from continuum.core.exceptions import Conflict, InvalidInput
from continuum.core.models import Case, Sensitivity, TimelineEvent
from continuum.intake import services
from continuum.intake.models import (
    InvestigationStatus,
    MeasureStatus,
    MonitoringReview,
    SignalStatus,
    StakeholderNotice,
    TriageStatus,
)
from continuum.intake.timeline import IntakeKind
from tests.factories import MembershipFactory
from tests.intake.conftest import decision_data, measure_data

pytestmark = pytest.mark.usefixtures("criteria")


def both_sign(world, decision):
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    return services.triage_sign_off(actor=world["coordinator"], decision=decision)


def test_a_referral_takes_effect_with_the_second_sign_off_and_opens_the_mar_case(
    world, investigation
):
    decision = services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    decision.refresh_from_db()
    assert decision.status == TriageStatus.AWAITING_SIGN_OFF
    assert not Case.objects.filter(person=investigation.person).exists()
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    decision.refresh_from_db()
    investigation.refresh_from_db()
    assert decision.status == TriageStatus.IN_EFFECT
    case = Case.objects.get(person=investigation.person)
    assert decision.case == case
    assert case.lead_agency == world.coordination
    assert world.institution in case.team_agencies.all()
    assert investigation.status == InvestigationStatus.CLOSED
    assert set(investigation.signals.values_list("status", flat=True)) == {SignalStatus.ASSESSED}
    referral = TimelineEvent.objects.get(kind=IntakeKind.REFERRED_TO_MAR)
    assert (referral.case, referral.sensitivity) == (case, Sensitivity.CASE)
    decided = TimelineEvent.objects.get(kind=IntakeKind.TRIAGE_DECIDED)
    assert decided.sensitivity == Sensitivity.INTELLIGENCE


def test_a_referral_joins_the_open_case_instead_of_opening_a_second(world, investigation):
    case = core_services.case_open(
        actor=world["coordinator"],
        person=investigation.person,
        lead_agency=world.coordination,
    )
    decision = services.triage_propose(
        actor=world["coordinator"], investigation=investigation, data=decision_data()
    )
    both_sign(world, decision)
    decision.refresh_from_db()
    assert decision.case == case
    assert Case.objects.filter(person=investigation.person).count() == 1
    assert world.institution in case.team_agencies.all()


def test_the_same_user_cannot_sign_off_twice_even_in_another_membership(world, investigation):
    decision = services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    same_user_coordinator = MembershipFactory(
        user=world["bureau_analyst"].user, agency=world.coordination, role="coordinator"
    )
    with pytest.raises(InvalidInput) as refused:
        services.triage_sign_off(actor=same_user_coordinator, decision=decision)
    assert refused.value.fields == {
        "sign_off": [
            "You have already signed off this decision. The second sign-off must come from "
            "another person of the other side."
        ]
    }
    decision.refresh_from_db()
    assert decision.status == TriageStatus.AWAITING_SIGN_OFF


def test_a_second_sign_off_by_the_same_agency_is_refused(world, investigation, second_analyst):
    decision = services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    with pytest.raises(InvalidInput) as refused:
        services.triage_sign_off(actor=second_analyst, decision=decision)
    assert refused.value.fields["sign_off"] == [
        "Your agency has already signed off this decision. The second sign-off must come "
        "from the other side."
    ]
    assert decision.sign_offs.count() == 1


def test_downscale_dismisses_the_signals_and_ends_running_measures(
    world, investigation, second_analyst
):
    measure = services.measure_request(
        actor=world["bureau_analyst"], investigation=investigation, data=measure_data()
    )
    services.measure_authorise(actor=second_analyst, measure=measure)
    decision = services.triage_propose(
        actor=world["bureau_analyst"],
        investigation=investigation,
        data=decision_data(outcome="downscale", criteria=[]),
    )
    both_sign(world, decision)
    measure.refresh_from_db()
    investigation.refresh_from_db()
    assert measure.status == MeasureStatus.ENDED
    assert investigation.status == InvestigationStatus.CLOSED
    assert set(investigation.signals.values_list("status", flat=True)) == {SignalStatus.DISMISSED}


def test_monitor_leaves_a_review_task_and_keeps_the_investigation_open(world, investigation):
    review_on = timezone.localdate() + timedelta(days=90)
    decision = services.triage_propose(
        actor=world["bureau_analyst"],
        investigation=investigation,
        data=decision_data(outcome="monitor", review_on=review_on),
    )
    both_sign(world, decision)
    review = MonitoringReview.objects.get(decision=decision)
    assert (review.due_on, review.agency) == (review_on, world.bureau)
    investigation.refresh_from_db()
    assert investigation.status == InvestigationStatus.OPEN


def test_notify_sends_only_the_agreed_text_to_each_agency(world, investigation):
    decision = services.triage_propose(
        actor=world["coordinator"],
        investigation=investigation,
        data=decision_data(
            outcome="notify",
            notify=[world.municipality.code, world.probation.code],
            notice_text="Please plan for a return to your municipality next spring.",
        ),
    )
    both_sign(world, decision)
    sent = StakeholderNotice.objects.filter(decision=decision)
    assert {n.recipient for n in sent} == {world.municipality, world.probation}
    assert {n.text for n in sent} == {"Please plan for a return to your municipality next spring."}
    took_effect = AuditEntry.objects.filter(
        object_type="intake.triagedecision", action="change"
    ).latest("id")
    assert took_effect.changes["notified"] == sorted(
        [world.municipality.code, world.probation.code]
    )


def test_a_second_pending_decision_is_refused(world, investigation):
    services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
    )
    with pytest.raises(Conflict):
        services.triage_propose(
            actor=world["coordinator"], investigation=investigation, data=decision_data()
        )


def test_a_later_decision_settles_the_review_an_earlier_monitor_decision_left(world, investigation):
    monitor = services.triage_propose(
        actor=world["bureau_analyst"],
        investigation=investigation,
        data=decision_data(outcome="monitor", review_on=timezone.localdate() + timedelta(days=30)),
    )
    both_sign(world, monitor)
    review = MonitoringReview.objects.get(decision=monitor)
    referral = services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
    )
    both_sign(world, referral)
    review.refresh_from_db()
    assert review.status == "done"
    assert review.note == referral.reference
    assert review.completed_by is None
    entry = AuditEntry.objects.filter(object_type="intake.monitoringreview").latest("id")
    assert entry.changes["settled_by"] == referral.reference


def test_a_downscale_after_monitoring_dismisses_the_signals_assessed_before(world, investigation):
    monitor = services.triage_propose(
        actor=world["bureau_analyst"],
        investigation=investigation,
        data=decision_data(outcome="monitor", review_on=timezone.localdate() + timedelta(days=30)),
    )
    both_sign(world, monitor)
    assert set(investigation.signals.values_list("status", flat=True)) == {SignalStatus.ASSESSED}
    downscale = services.triage_propose(
        actor=world["bureau_analyst"],
        investigation=investigation,
        data=decision_data(outcome="downscale", criteria=[]),
    )
    both_sign(world, downscale)
    assert set(investigation.signals.values_list("status", flat=True)) == {SignalStatus.DISMISSED}
    entry = AuditEntry.objects.filter(object_type="intake.triagedecision", action="change").latest(
        "id"
    )
    reference = investigation.signals.get().reference
    assert entry.changes["signals"] == {
        "before": {reference: SignalStatus.ASSESSED},
        "after": SignalStatus.DISMISSED,
    }


def test_a_referral_joining_an_open_case_is_a_recorded_team_change(world, investigation):
    case = core_services.case_open(
        actor=world["coordinator"], person=investigation.person, lead_agency=world.coordination
    )
    decision = services.triage_propose(
        actor=world["coordinator"], investigation=investigation, data=decision_data()
    )
    both_sign(world, decision)
    changed = TimelineEvent.objects.get(case=case, kind=TimelineEvent.Kind.TEAM_CHANGED)
    assert world.institution.name in changed.details["agencies"]
    entry = AuditEntry.objects.filter(action="change", object_type="core.case").get()
    assert world.institution.code in entry.changes["agencies"]["after"]
