"""Authorisation rows for every page and form of investigation and triage, for every role:
allowed, or refused with 404 (never 403) and nothing stored.

The scene: the bureau of PI Alpha investigates persons held at PI Alpha. The tables are
written out by hand, not computed from the policy.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from continuum.core.models import AgencyType, CustodyStatus, Role
from continuum.intake import services
from continuum.intake.models import (
    Finding,
    Investigation,
    Measure,
    MeasureStatus,
    MonitoringReview,
    ReviewStatus,
    Signal,
    SignalStatus,
    StakeholderNotice,
    TriageDecision,
    TriageStatus,
)
from tests.factories import AgencyFactory, MembershipFactory, PersonFactory, PlacementFactory
from tests.intake.conftest import decision_data, measure_data, signal_data
from tests.intake.test_authorisation import ROLES

pytestmark = pytest.mark.usefixtures("criteria")

# Who has the pages of investigation and triage: the bureau's analysts and the coordinators.
INTELLIGENCE = {"bureau_analyst", "coordinator"}
# Who works on the bureau's investigation: findings, measures, taking signals into it.
BUREAU = {"bureau_analyst"}
# Who proposes, signs off and withdraws a triage decision, and completes a review.
DECIDERS = {"bureau_analyst", "coordinator"}
COORDINATION = {"coordinator"}
# Who has a stakeholder notices page: every practitioner except mentors.
NOTICE_READERS = {
    "contact_point",
    "bureau_analyst",
    "coordinator",
    "case_manager",
    "probation_officer",
    "police_liaison",
    "prosecutor",
}
# The stakeholder notice of the scene goes to the municipality.
MUNICIPALITY = {"case_manager"}
TODAY = timezone.localdate


def test_the_tables_cover_every_role():
    assert set(ROLES) == set(Role.values)
    no_content = {"mentor", "data_protection_officer", "evaluator", "administrator"}
    assert no_content.isdisjoint(INTELLIGENCE | NOTICE_READERS | MUNICIPALITY)


def held(world):
    person = PersonFactory(registered_by=world.institution)
    PlacementFactory(person=person, institution=world.institution, ended_on=None)
    return person


def opened(world) -> Investigation:
    signal = services.signal_record(actor=world["contact_point"], data=signal_data(held(world)))
    return services.signal_investigate(actor=world["bureau_analyst"], signal=signal)


@pytest.fixture
def signal_for_bureau(world) -> Signal:
    return services.signal_record(actor=world["contact_point"], data=signal_data(held(world)))


@pytest.fixture
def coordination_signal(world) -> Signal:
    free = PersonFactory(
        registered_by=world.probation,
        custody_status=CustodyStatus.NOT_IN_CUSTODY,
        sentence_start=None,
        expected_release=None,
    )
    return services.signal_record(actor=world["probation_officer"], data=signal_data(free))


@pytest.fixture
def requested(world, investigation, second_analyst) -> Measure:
    """Requested by the second analyst: the world's analyst may authorise it."""
    return services.measure_request(
        actor=second_analyst, investigation=investigation, data=measure_data()
    )


@pytest.fixture
def running(world, requested) -> Measure:
    return services.measure_authorise(actor=world["bureau_analyst"], measure=requested)


@pytest.fixture
def pending(world, investigation) -> TriageDecision:
    return services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
    )


def took_effect(world, **data) -> TriageDecision:
    decision = services.triage_propose(
        actor=world["bureau_analyst"], investigation=opened(world), data=decision_data(**data)
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    return services.triage_sign_off(actor=world["coordinator"], decision=decision)


@pytest.fixture
def review(world) -> MonitoringReview:
    took_effect(world, outcome="monitor", criteria=[], review_on=TODAY() + timedelta(days=7))
    return MonitoringReview.objects.get()


@pytest.fixture
def notice(world) -> StakeholderNotice:
    took_effect(
        world,
        outcome="notify",
        criteria=[],
        notify=[world.municipality.code],
        notice_text="Please plan an intake talk.",
    )
    return StakeholderNotice.objects.get()


def answer(response) -> int:
    return response.status_code


# --- pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("intake:investigation-list", INTELLIGENCE),
        ("intake:measure-list", INTELLIGENCE),
        ("intake:triage-decision-queue", INTELLIGENCE),
        ("intake:monitoring-review-list", INTELLIGENCE),
        ("intake:stakeholder-notice-list", NOTICE_READERS),
    ],
)
def test_the_list_pages(act_as, world, role, name, allowed):
    response = act_as(world[role]).get(reverse(name))
    assert answer(response) == (200 if role in allowed else 404)


@pytest.mark.parametrize("role", ROLES)
def test_the_investigation_page(act_as, world, investigation, role):
    url = reverse("intake:investigation-detail", args=[investigation.reference])
    assert answer(act_as(world[role]).get(url)) == (200 if role in INTELLIGENCE else 404)


@pytest.mark.parametrize("role", sorted(INTELLIGENCE))
def test_what_the_list_pages_show(act_as, world, investigation, running, pending, review, role):
    client = act_as(world[role])
    reference = investigation.reference
    assert reference in client.get(reverse("intake:investigation-list")).text
    assert reference in client.get(reverse("intake:measure-list")).text
    assert pending.reference in client.get(reverse("intake:triage-decision-queue")).text
    reviewed = review.decision.investigation.person.reference
    assert reviewed in client.get(reverse("intake:monitoring-review-list")).text


@pytest.mark.parametrize("role", sorted(NOTICE_READERS))
def test_whose_stakeholder_notices_page_lists_the_notice(act_as, world, notice, role):
    text = act_as(world[role]).get(reverse("intake:stakeholder-notice-list")).text
    assert (notice.person.reference in text) == (role in MUNICIPALITY)


@pytest.mark.parametrize("role", ROLES)
def test_who_is_offered_the_signal_actions(
    act_as, world, signal_for_bureau, coordination_signal, role
):
    client = act_as(world[role])
    internal = client.get(reverse("intake:signal-detail", args=[signal_for_bureau.reference]))
    external = client.get(reverse("intake:signal-detail", args=[coordination_signal.reference]))
    assert ("Take into investigation" in internal.text) == (role in BUREAU)
    assert ("Dismiss with no further action" in external.text) == (role in COORDINATION)


# --- forms -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_taking_a_signal_into_investigation(act_as, world, signal_for_bureau, role):
    url = reverse("intake:signal-investigate", args=[signal_for_bureau.reference])
    response = act_as(world[role]).post(url)
    stored = Investigation.objects.exists()
    assert (answer(response), stored) == ((302, True) if role in BUREAU else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_dismissing_a_signal(act_as, world, coordination_signal, role):
    url = reverse("intake:signal-dismiss", args=[coordination_signal.reference])
    response = act_as(world[role]).post(url, {"reason": "A dispute over debts."})
    coordination_signal.refresh_from_db()
    stored = coordination_signal.status == SignalStatus.DISMISSED
    assert (answer(response), stored) == ((302, True) if role in COORDINATION else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_finding(act_as, world, investigation, role):
    url = reverse("intake:finding-add", args=[investigation.reference])
    response = act_as(world[role]).post(url, {"finding-text": "Letters to a recruiter."})
    stored = Finding.objects.exists()
    assert (answer(response), stored) == ((302, True) if role in BUREAU else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_requesting_a_measure(act_as, world, investigation, role):
    url = reverse("intake:measure-request", args=[investigation.reference])
    data = {f"measure-{key}": str(value) for key, value in measure_data().items()}
    response = act_as(world[role]).post(url, data)
    stored = Measure.objects.exists()
    assert (answer(response), stored) == ((302, True) if role in BUREAU else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_authorising_a_measure(act_as, world, requested, role):
    response = act_as(world[role]).post(
        reverse("intake:measure-authorise", args=[requested.reference])
    )
    requested.refresh_from_db()
    stored = requested.status == MeasureStatus.ACTIVE
    assert (answer(response), stored) == ((302, True) if role in BUREAU else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_renewing_a_measure(act_as, world, running, role):
    new_end = TODAY() + timedelta(days=20)
    response = act_as(world[role]).post(
        reverse("intake:measure-renew", args=[running.reference]),
        {f"renew-{running.reference}-ends_on": new_end.isoformat()},
    )
    running.refresh_from_db()
    stored = running.ends_on == new_end
    assert (answer(response), stored) == ((302, True) if role in BUREAU else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_ending_a_measure(act_as, world, running, role):
    response = act_as(world[role]).post(reverse("intake:measure-end", args=[running.reference]))
    running.refresh_from_db()
    stored = running.status == MeasureStatus.ENDED
    assert (answer(response), stored) == ((302, True) if role in BUREAU else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_proposing_a_triage_decision(act_as, world, investigation, role):
    url = reverse("intake:triage-decision-propose", args=[investigation.reference])
    data = {"triage-outcome": "downscale", "triage-rationale": "No further signs."}
    response = act_as(world[role]).post(url, data)
    stored = TriageDecision.objects.exists()
    assert (answer(response), stored) == ((302, True) if role in DECIDERS else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_signing_off_a_triage_decision(act_as, world, pending, role):
    url = reverse("intake:triage-decision-sign-off", args=[pending.reference])
    response = act_as(world[role]).post(url)
    stored = pending.sign_offs.exists()
    assert (answer(response), stored) == ((302, True) if role in DECIDERS else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_withdrawing_a_triage_decision(act_as, world, pending, role):
    url = reverse("intake:triage-decision-withdraw", args=[pending.reference])
    response = act_as(world[role]).post(url)
    pending.refresh_from_db()
    stored = pending.status == TriageStatus.WITHDRAWN
    assert (answer(response), stored) == ((302, True) if role in DECIDERS else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_completing_a_monitoring_review(act_as, world, review, role):
    url = reverse("intake:monitoring-review-complete", args=[review.reference])
    response = act_as(world[role]).post(
        url, {f"monitoring-review-{review.reference}-note": "Nothing new."}
    )
    review.refresh_from_db()
    stored = review.status == ReviewStatus.DONE
    assert (answer(response), stored) == ((302, True) if role in DECIDERS else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_acknowledging_a_stakeholder_notice(act_as, world, notice, role):
    url = reverse("intake:stakeholder-notice-acknowledge", args=[notice.reference])
    response = act_as(world[role]).post(url)
    notice.refresh_from_db()
    stored = notice.acknowledged_at is not None
    assert (answer(response), stored) == ((302, True) if role in MUNICIPALITY else (404, False))


# --- another bureau --------------------------------------------------------------------------


@pytest.fixture
def other_analyst(world):
    bureau = AgencyFactory(
        code="bureau-b", type=AgencyType.INTELLIGENCE_BUREAU, parent=world.other_institution
    )
    return MembershipFactory(agency=bureau, role=Role.BUREAU_ANALYST)


def test_another_bureaus_analyst_finds_nothing(
    act_as, world, investigation, running, pending, review, other_analyst
):
    client = act_as(other_analyst)
    reference = investigation.reference
    gets = [reverse("intake:investigation-detail", args=[reference])]
    posts = [
        reverse("intake:finding-add", args=[reference]),
        reverse("intake:measure-request", args=[reference]),
        reverse("intake:triage-decision-propose", args=[reference]),
        reverse("intake:measure-authorise", args=[running.reference]),
        reverse("intake:measure-renew", args=[running.reference]),
        reverse("intake:measure-end", args=[running.reference]),
        reverse("intake:triage-decision-sign-off", args=[pending.reference]),
        reverse("intake:triage-decision-withdraw", args=[pending.reference]),
        reverse("intake:monitoring-review-complete", args=[review.reference]),
    ]
    assert [client.get(url).status_code for url in gets] == [404]
    assert [client.post(url).status_code for url in posts] == [404] * len(posts)
    for name in (
        "investigation-list",
        "measure-list",
        "triage-decision-queue",
        "monitoring-review-list",
    ):
        text = client.get(reverse(f"intake:{name}")).text
        assert reference not in text and pending.reference not in text
    assert not pending.sign_offs.exists()
    running.refresh_from_db()
    assert running.status == MeasureStatus.ACTIVE
