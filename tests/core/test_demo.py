"""The demo world: synthetic, complete enough for a tour, and one login per role."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from continuum.audit.verify import verify
from continuum.core import demo
from continuum.core.models import Agency, AgencyType, Case, Membership, Person, Phase, Role, User
from continuum.intake.models import (
    ContactPointTraining,
    Finding,
    InclusionCriterion,
    Investigation,
    Measure,
    MonitoringReview,
    Notification,
    Origin,
    Routing,
    Signal,
    SignalStatus,
    TriageDecision,
)
from continuum.reporting import selectors as reporting

ROLE_USERNAMES = {
    Role.CONTACT_POINT: "contact-point",
    Role.BUREAU_ANALYST: "bureau-analyst",
    Role.COORDINATOR: "coordinator",
    Role.CASE_MANAGER: "case-manager",
    Role.PROBATION_OFFICER: "probation-officer",
    Role.POLICE_LIAISON: "police-liaison",
    Role.PROSECUTOR: "prosecutor",
    Role.MENTOR: "mentor",
    Role.DATA_PROTECTION_OFFICER: "dpo",
    Role.EVALUATOR: "evaluator",
    Role.ADMINISTRATOR: "admin",
}


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("demo", "--seed-only", stdout=out)
    return out.getvalue()


def test_the_demo_has_the_agencies_of_the_brief(seeded):
    count = {t: Agency.objects.filter(type=t).count() for t in AgencyType.values}
    assert count[AgencyType.CUSTODIAL_INSTITUTION] == 3
    assert count[AgencyType.INTELLIGENCE_BUREAU] == 3
    assert count[AgencyType.COORDINATION_PROGRAMME] == 1
    assert count[AgencyType.MUNICIPALITY] == 5
    assert count[AgencyType.PROBATION] == 2
    for kind in (AgencyType.POLICE, AgencyType.PROSECUTION, AgencyType.JUDICIARY, AgencyType.NGO):
        assert count[kind] == 1
    assert all(b.parent is not None for b in Agency.objects.filter(type="intelligence_bureau"))


def test_the_demo_spreads_about_forty_persons_over_every_phase(seeded):
    assert 35 <= Person.objects.count() <= 45
    assert set(Case.objects.values_list("phase", flat=True)) == set(Phase.values)
    assert Person.objects.filter(cases__isnull=True).exists()


def test_the_demo_data_is_synthetic(seeded):
    # Encrypted values are read through their instances (values_list cannot decrypt).
    identifiers = [person.national_identifier for person in Person.objects.all()]
    assert all(identifier.startswith("999") for identifier in identifiers)
    assert all(a.name.endswith(")") and "demo" in a.name for a in Agency.objects.all())


def test_every_role_has_a_login_named_after_it(seeded):
    for role, username in ROLE_USERNAMES.items():
        # The lockout backend (django-axes) needs the request, as every sign-in has one.
        request = RequestFactory().post("/login/")
        user = authenticate(request, username=username, password=demo.DEMO_PASSWORD)
        assert user is not None, username
        assert user.memberships.filter(role=role).exists(), username
        assert username in seeded


def test_the_demo_prints_the_password_and_one_user_may_choose_between_memberships(seeded):
    assert demo.DEMO_PASSWORD in seeded
    assert User.objects.get(username="case-manager").memberships.count() == 2


def test_the_demo_world_went_through_the_services(seeded):
    person = Person.objects.filter(cases__phase=Phase.AFTERCARE).first()
    kinds = set(person.timeline.values_list("kind", flat=True))
    assert {"person_registered", "placement_started", "case_opened", "phase_changed"} <= kinds


def test_seeding_twice_does_not_duplicate(seeded):
    out = StringIO()
    call_command("demo", "--seed-only", stdout=out)
    assert "already present" in out.getvalue()
    assert Agency.objects.filter(type=AgencyType.MUNICIPALITY).count() == 5


def test_the_demo_never_runs_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never runs"):
        call_command("demo", "--seed-only", stdout=StringIO())
    assert not Agency.objects.exists()


# --- intake: every intake page and the bias report have something to show --------------------
# Few tests, many assertions: each test seeds the whole world again.


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
    notification = Notification.objects.get()
    assert notification.recipient.type == AgencyType.MUNICIPALITY
    assert "(synthetic)" in notification.text


def test_the_bias_report_shows_two_units_and_the_audit_chain_verifies(seeded):
    evaluator = Membership.objects.get(user__username="evaluator")
    report = reporting.bias_report(actor=evaluator)
    shown = [cell for cell in report.cells if cell.downscaled_percent is not None]
    assert len({cell.agency for cell in shown}) >= 2
    assert any(cell.suppressed for cell in report.cells)
    assert verify().ok
