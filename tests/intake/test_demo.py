"""The intake's part of the demo world: every intake page and the bias report have something
to show. Few tests, many assertions: each test seeds the whole world again."""

from __future__ import annotations

from continuum.audit.verify import verify
from continuum.core.models import AgencyType, Membership, Role, User
from continuum.intake.models import (
    ContactPointTraining,
    Finding,
    InclusionCriterion,
    Investigation,
    Measure,
    MonitoringReview,
    Origin,
    Routing,
    Signal,
    SignalStatus,
    StakeholderNotice,
    TriageDecision,
)
from continuum.reporting import selectors as reporting


def test_the_demo_configures_intake_and_its_second_analyst(seeded):
    labels = InclusionCriterion.objects.filter(jurisdiction="NL").values_list("label", flat=True)
    assert list(labels) == [
        "Ideological motive expressed",
        "Readiness to use violence",
        "Links to an extremist network",
        "Recruitment of others",
    ]
    # The register flags one expired training.
    trainings = ContactPointTraining.objects.select_related("membership__user")
    current = {t.membership.user.username: t.is_current for t in trainings}
    assert current == {"contact-point": True, "contact-point-2": False, "contact-point-3": True}
    assert "bureau-analyst-3" in seeded
    analyst = User.objects.get(username="bureau-analyst-3").memberships.get()
    assert (analyst.role, analyst.agency.code) == (Role.BUREAU_ANALYST, "bureau-noordhaven")


def test_the_demo_has_signals_investigations_measures_and_decisions(seeded):
    signals = Signal.objects.all()
    assert signals.count() >= 20
    assert set(signals.values_list("origin", flat=True)) == set(Origin.values)
    assert {Routing.BUREAU, Routing.PASSED_ON, Routing.COORDINATION} <= set(
        signals.values_list("routing", flat=True)
    )
    assert len(set(signals.values_list("category", flat=True))) >= 5
    assert len(set(signals.values_list("information_credibility", flat=True))) >= 5
    assert set(signals.values_list("status", flat=True)) == set(SignalStatus.values)
    assert all(s.observed_behaviour.startswith("(synthetic)") for s in signals)
    # Recorded through the service: the timeline has it.
    person = signals.filter(routing=Routing.BUREAU).first().person
    assert "signal_recorded" in set(person.timeline.values_list("kind", flat=True))

    assert Investigation.objects.filter(status="open").exists()
    assert Finding.objects.count() >= 2
    measures = Measure.objects.all()
    assert set(measures.values_list("status", flat=True)) >= {"requested", "active"}
    assert sum(measure.is_overdue for measure in measures) == 1
    running = measures.filter(status="active").select_related("authorised_by__user")
    assert {m.authorised_by.user.username for m in running} == {"bureau-analyst-3"}
    assert all(m.authorised_by_id != m.requested_by_id for m in running)

    pending = TriageDecision.objects.get(status="awaiting_sign_off")
    assert list(pending.sign_offs.values_list("side", flat=True)) == ["custodial"]
    in_effect = TriageDecision.objects.filter(status="in_effect")
    outcomes = set(in_effect.values_list("outcome", flat=True))
    assert outcomes == {"refer", "monitor", "notify", "downscale"}
    assert in_effect.get(outcome="refer").case is not None
    assert MonitoringReview.objects.filter(status="due").count() == 1
    notice = StakeholderNotice.objects.get()
    assert notice.recipient.type == AgencyType.MUNICIPALITY
    assert "(synthetic)" in notice.text


def test_the_bias_report_shows_two_units_and_the_audit_chain_verifies(seeded):
    evaluator = Membership.objects.get(user__username="evaluator")
    report = reporting.bias_report(actor=evaluator)
    shown = [cell for cell in report.cells if cell.downscaled_percent is not None]
    assert len({cell.agency for cell in shown}) >= 2
    assert any(cell.suppressed for cell in report.cells)
    assert verify().ok
