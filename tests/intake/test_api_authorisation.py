"""Authorisation rows for every intake API endpoint beyond recording and listing signals, for
every one of the eleven roles: allowed, or refused with 404 and nothing stored; lists answer
200 and show only what the role may see. Plus 401 without a token.

The tables are written out by hand, not computed from the policy. The world's personas: the
contact point of PI Alpha (trained), the analyst of PI Alpha's bureau, the coordinator, the
municipality's case manager, probation, police, prosecution, the NGO mentor, and the
data-protection officer, evaluator and administrator (who read no case content).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from continuum.core.models import Membership, Role
from continuum.intake import api_urls, services
from continuum.intake.models import (
    Finding,
    Investigation,
    Measure,
    MeasureStatus,
    MonitoringReview,
    SignalAttachment,
    SignalStatus,
    StakeholderNotice,
    TriageDecision,
    TriageSignOff,
    TriageStatus,
)
from tests.conftest import bearer
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
)
from tests.intake.conftest import decision_data, measure_data

pytestmark = pytest.mark.usefixtures("criteria")

ROLES = list(Role.values)
NOBODY: set[str] = set()
BUREAU = {"bureau_analyst"}
BUREAU_AND_COORDINATION = {"bureau_analyst", "coordinator"}

# Who reads each signal of the scene (GET /signals/{reference}).
READS_SIGNAL = {
    "internal": {"contact_point", "bureau_analyst", "coordinator"},
    "passed_on": {"police_liaison", "contact_point", "bureau_analyst", "coordinator"},
    "coordinations": {"probation_officer", "coordinator"},
}
# Who adds attachments: the reporting agency's members, while the signal awaits assessment.
ATTACHES = {
    "internal": {"contact_point"},
    "passed_on": {"police_liaison"},
    "coordinations": {"probation_officer"},
}
# Who takes a signal into an investigation: the bureau it was routed (or passed on) to.
INVESTIGATES = {"internal": BUREAU, "passed_on": BUREAU, "coordinations": NOBODY}
# Who dismisses a signal in coordination's queue.
DISMISSES = {"coordinator"}
# The stakeholder notices of a "notify" decision to PI Alpha's municipality: its practitioners.
NOTIFIED = {"case_manager"}


def test_the_tables_cover_every_role():
    assert len(ROLES) == 11
    no_content = {"mentor", "data_protection_officer", "evaluator", "administrator"}
    everyone_allowed = (
        set().union(*READS_SIGNAL.values(), *ATTACHES.values(), *INVESTIGATES.values())
        | DISMISSES
        | BUREAU_AND_COORDINATION
        | NOTIFIED
    )
    assert no_content.isdisjoint(everyone_allowed)


def get(client, membership: Membership, path: str):
    return client.get(f"/api/v1/{path}", **bearer(membership))


def post(client, membership: Membership, path: str, data: dict[str, Any] | None = None):
    return client.post(
        f"/api/v1/{path}", data or {}, content_type="application/json", **bearer(membership)
    )


def expect(role: str, allowed: set[str], ok: int = 200) -> int:
    return ok if role in allowed else 404


def listed(response, key: str = "reference") -> set[str]:
    assert response.status_code == 200
    return {str(row[key]) for row in response.json()["results"]}


SIGNALS = ["internal", "passed_on", "coordinations"]


# --- signals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", SIGNALS)
def test_reading_a_signal(client, world, scene, role, which):
    signal = getattr(scene, which)
    response = get(client, world[role], f"signals/{signal.reference}")
    assert response.status_code == expect(role, READS_SIGNAL[which])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", SIGNALS)
def test_attaching_to_a_signal(client, world, scene, role, which, settings):
    signal = getattr(scene, which)
    response = client.post(
        f"/api/v1/signals/{signal.reference}/attachments",
        {"file": [SimpleUploadedFile("note.txt", b"seen in the yard")]},
        **bearer(world[role]),
    )
    allowed = role in ATTACHES[which]
    assert response.status_code == (201 if allowed else 404)
    assert SignalAttachment.objects.filter(signal=signal).exists() == allowed
    files = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert len(files) == (1 if allowed else 0)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", SIGNALS)
def test_investigating_a_signal(client, world, scene, role, which):
    signal = getattr(scene, which)
    response = post(client, world[role], f"signals/{signal.reference}/investigate")
    allowed = role in INVESTIGATES[which]
    assert response.status_code == expect(role, INVESTIGATES[which])
    signal.refresh_from_db()
    assert (signal.investigation_id is not None) == allowed
    assert Investigation.objects.exists() == allowed


@pytest.mark.parametrize("role", ROLES)
def test_dismissing_a_signal_in_coordinations_queue(client, world, scene, role):
    signal = scene.coordinations
    response = post(
        client, world[role], f"signals/{signal.reference}/dismiss", {"reason": "No sign."}
    )
    assert response.status_code == expect(role, DISMISSES)
    signal.refresh_from_db()
    dismissed = signal.status == SignalStatus.DISMISSED
    assert dismissed == (role in DISMISSES)


def test_coordination_does_not_dismiss_a_signal_routed_to_a_bureau(client, world, scene):
    response = post(
        client, world["coordinator"], f"signals/{scene.internal.reference}/dismiss", {"reason": "x"}
    )
    assert response.status_code == 409
    scene.internal.refresh_from_db()
    assert scene.internal.status == SignalStatus.AWAITING_ASSESSMENT


# --- investigations and findings -------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_listing_investigations(client, world, investigation, role):
    shown = listed(get(client, world[role], "investigations"))
    expected = {investigation.reference} if role in BUREAU_AND_COORDINATION else set()
    assert shown == expected


@pytest.mark.parametrize("role", ROLES)
def test_reading_an_investigation(client, world, investigation, role):
    response = get(client, world[role], f"investigations/{investigation.reference}")
    assert response.status_code == expect(role, BUREAU_AND_COORDINATION)


@pytest.mark.parametrize("role", ROLES)
def test_adding_a_finding(client, world, investigation, role):
    response = post(
        client,
        world[role],
        f"investigations/{investigation.reference}/findings",
        {"text": "Visitor list changed."},
    )
    assert response.status_code == expect(role, BUREAU, 201)
    assert Finding.objects.exists() == (role in BUREAU)


def test_another_bureaus_analyst_sees_no_investigation(client, world, investigation):
    other_bureau = AgencyFactory(
        type="intelligence_bureau", parent=world.other_institution, code="bureau-b"
    )
    analyst = MembershipFactory(agency=other_bureau, role=Role.BUREAU_ANALYST)
    assert get(client, analyst, f"investigations/{investigation.reference}").status_code == 404
    assert listed(get(client, analyst, "investigations")) == set()
    response = post(
        client, analyst, f"investigations/{investigation.reference}/findings", {"text": "x"}
    )
    assert response.status_code == 404


# --- measures --------------------------------------------------------------------------------


def body_of_measure() -> dict[str, Any]:
    data = measure_data()
    return {name: str(value) for name, value in data.items()}


@pytest.mark.parametrize("role", ROLES)
def test_requesting_a_measure(client, world, investigation, role):
    response = post(
        client, world[role], f"investigations/{investigation.reference}/measures", body_of_measure()
    )
    assert response.status_code == expect(role, BUREAU, 201)
    assert Measure.objects.exists() == (role in BUREAU)


@pytest.fixture
def requested(investigation, second_analyst) -> Measure:
    """Requested by the second analyst: the world's analyst may authorise it."""
    return services.measure_request(
        actor=second_analyst, investigation=investigation, data=measure_data()
    )


@pytest.fixture
def running(world, requested) -> Measure:
    return services.measure_authorise(actor=world["bureau_analyst"], measure=requested)


@pytest.mark.parametrize("role", ROLES)
def test_authorising_a_measure(client, world, requested, role):
    response = post(client, world[role], f"measures/{requested.reference}/authorise")
    assert response.status_code == expect(role, BUREAU)
    requested.refresh_from_db()
    assert (requested.status == MeasureStatus.ACTIVE) == (role in BUREAU)


@pytest.mark.parametrize("role", ROLES)
def test_renewing_a_measure(client, world, running, role):
    new_end = running.ends_on + timedelta(days=7)
    response = post(
        client, world[role], f"measures/{running.reference}/renew", {"ends_on": new_end.isoformat()}
    )
    assert response.status_code == expect(role, BUREAU)
    running.refresh_from_db()
    assert (running.renewals == 1) == (role in BUREAU)


@pytest.mark.parametrize("role", ROLES)
def test_ending_a_measure(client, world, running, role):
    response = post(client, world[role], f"measures/{running.reference}/end")
    assert response.status_code == expect(role, BUREAU)
    running.refresh_from_db()
    assert (running.status == MeasureStatus.ENDED) == (role in BUREAU)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("overdue", [False, True])
def test_listing_measures(client, world, running, role, overdue):
    today = timezone.localdate()
    Measure.objects.filter(pk=running.pk).update(
        starts_on=today - timedelta(days=10), ends_on=today - timedelta(days=1)
    )
    path = "measures?overdue=true" if overdue else "measures"
    shown = listed(get(client, world[role], path))
    assert shown == ({running.reference} if role in BUREAU_AND_COORDINATION else set())


# --- triage decisions -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_proposing_a_triage_decision(client, world, investigation, role):
    response = post(
        client,
        world[role],
        f"investigations/{investigation.reference}/triage-decisions",
        decision_data(),
    )
    assert response.status_code == expect(role, BUREAU_AND_COORDINATION, 201)
    assert TriageDecision.objects.exists() == (role in BUREAU_AND_COORDINATION)


@pytest.fixture
def pending(world, investigation) -> TriageDecision:
    return services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
    )


@pytest.mark.parametrize("role", ROLES)
def test_signing_off_a_triage_decision(client, world, pending, role):
    response = post(client, world[role], f"triage-decisions/{pending.reference}/sign-off")
    assert response.status_code == expect(role, BUREAU_AND_COORDINATION)
    assert TriageSignOff.objects.exists() == (role in BUREAU_AND_COORDINATION)


@pytest.mark.parametrize("role", ROLES)
def test_withdrawing_a_triage_decision(client, world, pending, role):
    response = post(client, world[role], f"triage-decisions/{pending.reference}/withdraw")
    assert response.status_code == expect(role, BUREAU_AND_COORDINATION)
    pending.refresh_from_db()
    assert (pending.status == TriageStatus.WITHDRAWN) == (role in BUREAU_AND_COORDINATION)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("awaiting", [False, True])
def test_listing_triage_decisions(client, world, pending, role, awaiting):
    path = "triage-decisions?awaiting=true" if awaiting else "triage-decisions"
    shown = listed(get(client, world[role], path))
    assert shown == ({pending.reference} if role in BUREAU_AND_COORDINATION else set())


# --- stakeholder notices and monitoring reviews -----------------------------------------------


def in_effect(world, investigation, **overrides: Any) -> TriageDecision:
    decision = services.triage_propose(
        actor=world["bureau_analyst"],
        investigation=investigation,
        data=decision_data(criteria=[], **overrides),
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    return services.triage_sign_off(actor=world["coordinator"], decision=decision)


@pytest.fixture
def notice(world, investigation) -> StakeholderNotice:
    decision = in_effect(
        world,
        investigation,
        outcome="notify",
        notify=[world.municipality.code],
        notice_text="Please plan for a return to your municipality.",
    )
    return StakeholderNotice.objects.get(decision=decision)


@pytest.fixture
def review(world, investigation) -> MonitoringReview:
    decision = in_effect(
        world,
        investigation,
        outcome="monitor",
        review_on=timezone.localdate() + timedelta(days=30),
    )
    return MonitoringReview.objects.get(decision=decision)


@pytest.mark.parametrize("role", ROLES)
def test_listing_stakeholder_notices(client, world, notice, role):
    shown = listed(get(client, world[role], "stakeholder-notices"))
    assert shown == ({notice.reference} if role in NOTIFIED else set())


@pytest.mark.parametrize("role", ROLES)
def test_acknowledging_a_stakeholder_notice(client, world, notice, role):
    response = post(client, world[role], f"stakeholder-notices/{notice.reference}/acknowledge")
    assert response.status_code == expect(role, NOTIFIED)
    notice.refresh_from_db()
    assert (notice.acknowledged_at is not None) == (role in NOTIFIED)


@pytest.mark.parametrize("role", ROLES)
def test_listing_monitoring_reviews(client, world, review, role):
    shown = listed(get(client, world[role], "monitoring-reviews"))
    assert shown == ({review.reference} if role in BUREAU_AND_COORDINATION else set())


@pytest.mark.parametrize("role", ROLES)
def test_completing_a_monitoring_review(client, world, review, role):
    response = post(
        client, world[role], f"monitoring-reviews/{review.reference}/complete", {"note": "Quiet."}
    )
    assert response.status_code == expect(role, BUREAU_AND_COORDINATION)
    review.refresh_from_db()
    assert (review.status == "done") == (role in BUREAU_AND_COORDINATION)


# --- without a token -------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "signals/S-1"),
    ("post", "signals/S-1/attachments"),
    ("post", "signals/S-1/investigate"),
    ("post", "signals/S-1/dismiss"),
    ("get", "investigations"),
    ("get", "investigations/I-1"),
    ("post", "investigations/I-1/findings"),
    ("post", "investigations/I-1/measures"),
    ("post", "investigations/I-1/triage-decisions"),
    ("get", "measures"),
    ("post", "measures/M-1/authorise"),
    ("post", "measures/M-1/renew"),
    ("post", "measures/M-1/end"),
    ("get", "triage-decisions"),
    ("post", "triage-decisions/T-1/sign-off"),
    ("post", "triage-decisions/T-1/withdraw"),
    ("get", "stakeholder-notices"),
    ("post", "stakeholder-notices/N-1/acknowledge"),
    ("get", "monitoring-reviews"),
    ("post", "monitoring-reviews/R-1/complete"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_without_a_token_the_api_answers_401(client, db, method, path):
    response = getattr(client, method)(f"/api/v1/{path}")
    assert response.status_code == 401


def test_every_new_endpoint_is_in_the_table():
    """Every intake route of the API is in ENDPOINTS (``signals`` itself, POST and GET, is in
    test_authorisation.py)."""

    def shape(path: str) -> str:
        parts = path.split("/")
        if len(parts) > 1:
            parts[1] = "{}"
        return "/".join(parts)

    routes = {
        shape(str(pattern.pattern))
        for pattern in api_urls.urlpatterns
        if pattern.callback.view_class.__module__ == "continuum.intake.api"  # type: ignore[attr-defined]
    }
    assert routes - {"signals"} == {shape(path) for _method, path in ENDPOINTS}
