"""What of a referred person's timeline each of the eleven roles reads, through the selector
the person page uses: the team sees that the person was referred to MAR, never the signals,
the investigation, its measures or the triage behind it; the mentor sees none of it; the
bureau and coordination see all of it; the roles that read no case content see nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from continuum.access.policy import intake as intake_policy
from continuum.core import selectors as core_selectors
from continuum.core import services as core_services
from continuum.core.models import AgencyType, Case, Role, TimelineEvent
from continuum.intake import services
from continuum.intake.timeline import IntakeKind
from tests.factories import AgencyFactory, MembershipFactory
from tests.intake.conftest import decision_data, measure_data

pytestmark = pytest.mark.usefixtures("criteria")

Kind = IntakeKind
INTELLIGENCE_KINDS = {
    Kind.SIGNAL_RECORDED,
    Kind.INVESTIGATION_OPENED,
    Kind.MEASURE_AUTHORISED,
    Kind.MEASURE_ENDED,
    Kind.TRIAGE_DECIDED,
}
INTAKE_KINDS = {*INTELLIGENCE_KINDS, Kind.REFERRED_TO_MAR}

# For each role of the world: which of the intake events of the person's timeline it reads.
EXPECTED: dict[str, set[str]] = {
    Role.CONTACT_POINT: {Kind.REFERRED_TO_MAR},  # PI Alpha is on the team
    Role.BUREAU_ANALYST: INTAKE_KINDS,
    Role.COORDINATOR: INTAKE_KINDS,
    Role.CASE_MANAGER: {Kind.REFERRED_TO_MAR},  # the municipality is on the team
    Role.PROBATION_OFFICER: {Kind.REFERRED_TO_MAR},  # probation is on the team
    Role.POLICE_LIAISON: set(),  # not on the team
    Role.PROSECUTOR: set(),
    Role.MENTOR: set(),  # named on the case: sees the mentor's minimum only
    Role.DATA_PROTECTION_OFFICER: set(),
    Role.EVALUATOR: set(),
    Role.ADMINISTRATOR: set(),
}


@pytest.fixture
def referred(world, investigation, second_analyst) -> Case:
    """The person of ``investigation``, referred to MAR after a measure ran; the case team is
    then joined by the municipality of return, probation and the mentor."""
    measure = services.measure_request(
        actor=world["bureau_analyst"], investigation=investigation, data=measure_data()
    )
    services.measure_authorise(actor=second_analyst, measure=measure)
    decision = services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    decision.refresh_from_db()
    assert decision.case is not None
    referral_team = set(decision.case.team_agencies.all())
    assert referral_team == {world.coordination, world.institution, world.bureau}
    return core_services.case_set_team(
        actor=world["coordinator"],
        case=decision.case,
        agencies=[*referral_team, world.municipality, world.probation, world.ngo],
        members=[world["mentor"]],
    )


def test_the_referral_leaves_every_intake_event_on_the_timeline(world, referred):
    kinds = set(referred.person.timeline.values_list("kind", flat=True))
    assert kinds >= INTAKE_KINDS  # the measure ended when the referral closed the investigation


@pytest.mark.parametrize("role", list(EXPECTED))
def test_what_each_role_reads_of_the_referred_persons_timeline(world, referred, role):
    events = core_selectors.person_timeline(actor=world[role], person=referred.person)
    seen = set(events.values_list("kind", flat=True)) & INTAKE_KINDS
    assert seen == EXPECTED[role]


@pytest.mark.parametrize("role", list(EXPECTED))
def test_the_person_page_agrees_on_who_sees_the_person(world, referred, role):
    """Who reads anything of the timeline is someone who sees the person at all."""
    visible = core_selectors.person_timeline(actor=world[role], person=referred.person)
    if EXPECTED[role]:
        assert core_selectors.person_get(actor=world[role], reference=referred.person.reference)
        assert visible.exists()


def test_the_referral_event_tells_the_team_that_it_happened_not_why(world, referred):
    referral = TimelineEvent.objects.get(kind=Kind.REFERRED_TO_MAR)
    assert referral.case == referred
    assert set(referral.details) == {"case", "joined", "by"}
    assert "rationale" not in str(referral.details).lower()
    decided = TimelineEvent.objects.get(kind=Kind.TRIAGE_DECIDED)
    assert decided.case is None
    assert decided.sensitivity == "intelligence"


def test_a_case_manager_of_another_municipality_reads_none_of_it(world, referred):
    stranger = MembershipFactory(agency=world.other_municipality, role=Role.CASE_MANAGER)
    events = core_selectors.person_timeline(actor=stranger, person=referred.person)
    assert not set(events.values_list("kind", flat=True)) & INTAKE_KINDS


def test_the_mentor_reads_none_of_the_signals_measures_or_decisions(world, referred):
    mentor = world["mentor"]
    events = core_selectors.person_timeline(actor=mentor, person=referred.person)
    assert not events.filter(sensitivity__in=["intelligence", "case"]).exists()
    assert not intake_policy.scope_signals(mentor).exists()
    assert not intake_policy.scope_investigations(mentor).exists()
    assert not intake_policy.scope_measures(mentor).exists()
    assert not intake_policy.scope_triage_decisions(mentor).exists()


def test_another_institutions_bureau_does_not_read_the_intelligence_after_a_transfer(
    world, investigation
):
    """The person moves to PI Beta: Beta's bureau now sees the person, but Alpha's signals
    and investigation stay Alpha's (and coordination's)."""
    person = investigation.person
    placement = person.placements.get(ended_on__isnull=True)
    core_services.placement_end(
        actor=world["coordinator"], placement=placement, ended_on=timezone.localdate()
    )
    core_services.placement_add(
        actor=world["coordinator"],
        person=person,
        institution=world.other_institution,
        unit_type="regular_ward",
        started_on=timezone.localdate() + timedelta(days=1),
    )
    beta_bureau = AgencyFactory(type=AgencyType.INTELLIGENCE_BUREAU, parent=world.other_institution)
    beta_analyst = MembershipFactory(agency=beta_bureau, role=Role.BUREAU_ANALYST)
    assert core_selectors.person_get(actor=beta_analyst, reference=person.reference)
    seen = core_selectors.person_timeline(actor=beta_analyst, person=person)
    assert not seen.filter(sensitivity="intelligence").exists()
    assert set(seen.values_list("kind", flat=True)) & INTELLIGENCE_KINDS == set()
    everything = core_selectors.person_timeline(actor=world["coordinator"], person=person)
    assert {Kind.SIGNAL_RECORDED, Kind.INVESTIGATION_OPENED} <= set(
        everything.values_list("kind", flat=True)
    )
