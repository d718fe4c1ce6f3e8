"""The investigation and triage API over real HTTP: from a signal to a referral, and every
refusal with its message and field ({"message", "fields"}, status 400 or 409, nothing stored)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from continuum.audit.models import AuditEntry
from continuum.core.models import Case, Membership
from continuum.intake.models import (
    Finding,
    Investigation,
    Measure,
    MeasureStatus,
    MonitoringReview,
    Signal,
    StakeholderNotice,
    TriageDecision,
)
from tests.conftest import bearer
from tests.factories import MembershipFactory
from tests.intake.test_api import api_data

pytestmark = pytest.mark.usefixtures("criteria")


def call(client, membership: Membership, path: str, data: dict[str, Any] | None = None):
    """POST ``data`` as JSON (or GET without data) as ``membership``, with its own token."""
    if data is None:
        return client.get(f"/api/v1/{path}", **bearer(membership))
    return client.post(
        f"/api/v1/{path}", data, content_type="application/json", **bearer(membership)
    )


def day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def measure_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "telephone_monitoring",
        "legal_basis": "Synthetic penitentiary rule 12: monitoring on a reasoned suspicion.",
        "starts_on": day(0),
        "ends_on": day(13),
    }
    body.update(overrides)
    return body


def decision_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "outcome": "refer",
        "rationale": "Repeated recruitment attempts on the wing, confirmed by two sources.",
        "criteria": ["ideology", "violence"],
    }
    body.update(overrides)
    return body


def test_from_a_signal_to_a_referral(client, world, held_person, second_analyst):
    analyst, coordinator = world["bureau_analyst"], world["coordinator"]
    recorded = call(client, world["contact_point"], "signals", api_data(held_person))
    assert recorded.status_code == 201, recorded.json()
    signal = recorded.json()["reference"]

    taken = call(client, analyst, f"signals/{signal}/investigate", {})
    assert taken.status_code == 200, taken.json()
    investigation = taken.json()["reference"]
    assert taken.json()["status"] == "open"
    assert taken.json()["bureau"] == world.bureau.code

    # The bureau sees which investigation the signal is in, and its status; the reporter
    # neither.
    seen_by_bureau = call(client, analyst, f"signals/{signal}").json()
    assert seen_by_bureau["investigation"] == investigation
    assert seen_by_bureau["status"] == "under_investigation"
    seen_by_reporter = call(client, world["contact_point"], f"signals/{signal}").json()
    assert seen_by_reporter["status"] is None
    assert seen_by_reporter["investigation"] is None

    finding = call(
        client,
        analyst,
        f"investigations/{investigation}/findings",
        {"text": "Two visitors linked to a known network."},
    )
    assert finding.status_code == 201, finding.json()
    measure = call(client, analyst, f"investigations/{investigation}/measures", measure_body())
    assert measure.status_code == 201, measure.json()
    assert measure.json()["status"] == "requested"
    authorised = call(
        client, second_analyst, f"measures/{measure.json()['reference']}/authorise", {}
    )
    assert authorised.status_code == 200, authorised.json()
    assert authorised.json()["status"] == "active"

    proposed = call(
        client, analyst, f"investigations/{investigation}/triage-decisions", decision_body()
    )
    assert proposed.status_code == 201, proposed.json()
    decision = proposed.json()["reference"]
    assert proposed.json()["criteria"] == ["ideology", "violence"]
    assert proposed.json()["status"] == "awaiting_sign_off"

    first = call(client, analyst, f"triage-decisions/{decision}/sign-off", {})
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "awaiting_sign_off"
    assert [s["side"] for s in first.json()["sign_offs"]] == ["custodial"]
    awaiting = call(client, coordinator, "triage-decisions?awaiting=true").json()["results"]
    assert [row["reference"] for row in awaiting] == [decision]

    second = call(client, coordinator, f"triage-decisions/{decision}/sign-off", {})
    assert second.status_code == 200, second.json()
    body = second.json()
    assert body["status"] == "in_effect"
    case = Case.objects.get(person=held_person)
    assert body["case"] == case.reference
    assert case.lead_agency == world.coordination
    assert world.institution in case.team_agencies.all()

    detail = call(client, coordinator, f"investigations/{investigation}")
    assert detail.status_code == 200
    shown = detail.json()
    assert shown["investigation"]["status"] == "closed"
    assert shown["signals"] == [signal]
    assert [f["text"] for f in shown["findings"]] == ["Two visitors linked to a known network."]
    assert [m["status"] for m in shown["measures"]] == ["ended"]
    assert [d["reference"] for d in shown["triage_decisions"]] == [decision]
    assert {(s["side"], s["agency"]) for s in shown["triage_decisions"][0]["sign_offs"]} == {
        ("custodial", world.bureau.code),
        ("coordination", world.coordination.code),
    }
    assert Signal.objects.get(reference=signal).status == "assessed"
    reads = AuditEntry.objects.filter(action="read", object_type="intake.investigation")
    assert reads.filter(role="coordinator").exists()


def test_the_lists_are_audited(client, world, investigation):
    for path, object_type in (
        ("investigations", "intake.investigation"),
        ("measures", "intake.measure"),
        ("triage-decisions", "intake.triagedecision"),
        ("monitoring-reviews", "intake.monitoringreview"),
        ("stakeholder-notices", "intake.stakeholdernotice"),
    ):
        response = call(client, world["coordinator"], path)
        assert response.status_code == 200, path
        entry = AuditEntry.objects.filter(action="list").latest("sequence")
        assert entry.changes["object_type"] == object_type
    listed = call(client, world["coordinator"], "investigations").json()["results"]
    assert [row["reference"] for row in listed] == [investigation.reference]


# --- measures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param(
            {"legal_basis": "  "},
            "legal_basis",
            "State the legal basis of the measure.",
            id="without-legal-basis",
        ),
        pytest.param({"type": ""}, "type", "Choose the type of measure.", id="without-type"),
        pytest.param(
            {"starts_on": day(5), "ends_on": day(2)},
            "ends_on",
            "The measure cannot end before it starts.",
            id="end-before-start",
        ),
        pytest.param(
            {"starts_on": day(0), "ends_on": day(28)},
            "ends_on",
            "A measure of this type may run at most 28 days.",
            id="longer-than-max-days",
        ),
        pytest.param({"ends_on": None}, "ends_on", "Enter the end date.", id="without-end-date"),
    ],
)
def test_a_refused_measure(client, world, investigation, overrides, field, message):
    response = call(
        client,
        world["bureau_analyst"],
        f"investigations/{investigation.reference}/measures",
        measure_body(**overrides),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["fields"][field] == [message]
    assert body["message"] == message
    assert not Measure.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("type", "wiretap"), ("starts_on", "tomorrow"), ("ends_on", "2025-13-45")],
)
def test_a_wrongly_typed_measure_is_a_field_error(client, world, investigation, field, value):
    response = call(
        client,
        world["bureau_analyst"],
        f"investigations/{investigation.reference}/measures",
        measure_body(**{field: value}),
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Measure.objects.exists()


def request_measure(client, world, investigation, **overrides: Any) -> dict[str, Any]:
    response = call(
        client,
        world["bureau_analyst"],
        f"investigations/{investigation.reference}/measures",
        measure_body(**overrides),
    )
    assert response.status_code == 201, response.json()
    body: dict[str, Any] = response.json()
    return body


def test_nobody_authorises_their_own_measure(client, world, investigation):
    measure = request_measure(client, world, investigation)
    response = call(
        client, world["bureau_analyst"], f"measures/{measure['reference']}/authorise", {}
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "authorised_by": ["A measure must be authorised by someone other than the requester."]
    }
    assert Measure.objects.get().status == MeasureStatus.REQUESTED


def test_a_measure_is_renewed_by_another_analyst_and_ended(
    client, world, investigation, second_analyst
):
    measure = request_measure(client, world, investigation)
    call(client, second_analyst, f"measures/{measure['reference']}/authorise", {})
    refused = call(client, world["bureau_analyst"], f"measures/{measure['reference']}/renew", {})
    assert refused.status_code == 400
    assert refused.json()["fields"] == {
        "authorised_by": ["A measure must be authorised by someone other than the requester."]
    }
    missing = call(client, second_analyst, f"measures/{measure['reference']}/renew", {})
    assert missing.json()["fields"] == {"ends_on": ["Enter the new end date."]}
    earlier = call(
        client, second_analyst, f"measures/{measure['reference']}/renew", {"ends_on": day(5)}
    )
    assert earlier.json()["fields"] == {
        "ends_on": ["The new end date must be later than the current one."]
    }
    wrong = call(
        client, second_analyst, f"measures/{measure['reference']}/renew", {"ends_on": "soon"}
    )
    assert wrong.status_code == 400
    assert "ends_on" in wrong.json()["fields"]
    renewed = call(
        client, second_analyst, f"measures/{measure['reference']}/renew", {"ends_on": day(20)}
    )
    assert renewed.status_code == 200, renewed.json()
    assert (renewed.json()["ends_on"], renewed.json()["renewals"]) == (day(20), 1)
    ended = call(client, world["bureau_analyst"], f"measures/{measure['reference']}/end", {})
    assert ended.status_code == 200
    assert ended.json()["status"] == "ended"
    again = call(client, world["bureau_analyst"], f"measures/{measure['reference']}/end", {})
    assert again.status_code == 409
    assert again.json()["message"] == "This measure has already ended."


def test_the_overdue_measures(client, world, investigation, second_analyst):
    overdue = request_measure(client, world, investigation)
    call(client, second_analyst, f"measures/{overdue['reference']}/authorise", {})
    Measure.objects.filter(reference=overdue["reference"]).update(
        starts_on=timezone.localdate() - timedelta(days=10),
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    running = request_measure(client, world, investigation, type="cell_inspection", ends_on=day(0))
    listed = call(client, world["bureau_analyst"], "measures?overdue=true").json()["results"]
    assert [(row["reference"], row["is_overdue"]) for row in listed] == [
        (overdue["reference"], True)
    ]
    everything = call(client, world["bureau_analyst"], "measures").json()["results"]
    assert {row["reference"] for row in everything} == {overdue["reference"], running["reference"]}
    wrong = call(client, world["bureau_analyst"], "measures?overdue=perhaps")
    assert wrong.status_code == 400
    assert "overdue" in wrong.json()["fields"]


# --- triage decisions -------------------------------------------------------------------------

REFUSED_DECISIONS = [
    pytest.param(
        {"rationale": ""},
        "rationale",
        "Give the rationale for the decision.",
        id="without-rationale",
    ),
    pytest.param(
        {"outcome": "monitor", "criteria": []},
        "review_on",
        "A decision to monitor needs a review date.",
        id="monitor-without-review-date",
    ),
    pytest.param(
        {"outcome": "monitor", "criteria": [], "review_on": day(0)},
        "review_on",
        "The review date must be in the future.",
        id="monitor-review-today",
    ),
    pytest.param(
        {"criteria": ["ideology", "nonsense"]},
        "criteria",
        "Not an inclusion criterion of this jurisdiction: nonsense.",
        id="unknown-criterion",
    ),
    pytest.param(
        {"criteria": ["elsewhere"]},
        "criteria",
        "Not an inclusion criterion of this jurisdiction: elsewhere.",
        id="criterion-of-another-jurisdiction",
    ),
    pytest.param(
        {"criteria": []},
        "criteria",
        "A referral to MAR needs at least one inclusion criterion met.",
        id="referral-without-criteria",
    ),
    pytest.param(
        {"outcome": "notify", "criteria": [], "notice_text": "Plan for a return."},
        "notify",
        "Choose the agencies to notify.",
        id="notify-without-agencies",
    ),
    pytest.param(
        {"outcome": "notify", "criteria": [], "notify": ["gem-a"]},
        "notice_text",
        "Write what the notified agencies are told; they do not see the rationale.",
        id="notify-without-text",
    ),
    pytest.param(
        {"outcome": "notify", "criteria": [], "notify": ["ngo"], "notice_text": "Hi."},
        "notify",
        "Choose municipalities, probation, police, prosecution, custodial institutions or "
        "health services to notify.",
        id="notify-an-ngo",
    ),
    pytest.param({"outcome": ""}, "outcome", "Choose the outcome.", id="without-outcome"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), REFUSED_DECISIONS)
def test_a_refused_decision(client, world, investigation, overrides, field, message):
    response = call(
        client,
        world["bureau_analyst"],
        f"investigations/{investigation.reference}/triage-decisions",
        decision_body(**overrides),
    )
    assert response.status_code == 400
    assert response.json()["fields"][field] == [message]
    assert response.json()["message"]
    assert not TriageDecision.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("criteria", "ideology"),
        ("notify", "gem-a"),
        ("review_on", "next week"),
        ("outcome", "escalate"),
    ],
)
def test_a_wrongly_typed_decision_is_a_field_error(client, world, investigation, field, value):
    response = call(
        client,
        world["bureau_analyst"],
        f"investigations/{investigation.reference}/triage-decisions",
        decision_body(**{field: value}),
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert response.json()["message"] == "Some fields need correcting."
    assert not TriageDecision.objects.exists()


def propose(client, world, investigation, **overrides: Any) -> str:
    response = call(
        client,
        world["bureau_analyst"],
        f"investigations/{investigation.reference}/triage-decisions",
        decision_body(**overrides),
    )
    assert response.status_code == 201, response.json()
    reference: str = response.json()["reference"]
    return reference


def test_a_second_pending_decision_is_a_conflict(client, world, investigation):
    propose(client, world, investigation)
    response = call(
        client,
        world["coordinator"],
        f"investigations/{investigation.reference}/triage-decisions",
        decision_body(),
    )
    assert response.status_code == 409
    assert response.json()["message"] == (
        "A decision on this investigation already awaits sign-off; withdraw it first."
    )
    assert TriageDecision.objects.count() == 1


def test_a_withdrawn_decision_makes_way_for_another(client, world, investigation):
    decision = propose(client, world, investigation)
    withdrawn = call(client, world["coordinator"], f"triage-decisions/{decision}/withdraw", {})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    again = call(client, world["coordinator"], f"triage-decisions/{decision}/withdraw", {})
    assert again.status_code == 409
    propose(client, world, investigation)
    assert TriageDecision.objects.count() == 2


SAME_USER = (
    "You have already signed off this decision. The second sign-off must come from another "
    "person of the other side."
)
SAME_AGENCY = (
    "Your agency has already signed off this decision. The second sign-off must come from the "
    "other side."
)


def test_the_same_user_cannot_sign_off_twice(client, world, investigation):
    decision = propose(client, world, investigation)
    call(client, world["bureau_analyst"], f"triage-decisions/{decision}/sign-off", {})
    response = call(client, world["bureau_analyst"], f"triage-decisions/{decision}/sign-off", {})
    assert response.status_code == 400
    assert response.json() == {"message": SAME_USER, "fields": {"sign_off": [SAME_USER]}}
    # Not in another membership either: the same person acting for coordination.
    as_coordinator = MembershipFactory(
        user=world["bureau_analyst"].user, agency=world.coordination, role="coordinator"
    )
    response = call(client, as_coordinator, f"triage-decisions/{decision}/sign-off", {})
    assert response.status_code == 400
    assert response.json()["fields"] == {"sign_off": [SAME_USER]}
    assert TriageDecision.objects.get().sign_offs.count() == 1
    assert TriageDecision.objects.get().status == "awaiting_sign_off"


def test_the_same_agency_cannot_sign_off_twice(client, world, investigation, second_analyst):
    decision = propose(client, world, investigation)
    call(client, world["bureau_analyst"], f"triage-decisions/{decision}/sign-off", {})
    response = call(client, second_analyst, f"triage-decisions/{decision}/sign-off", {})
    assert response.status_code == 400
    assert response.json()["fields"] == {"sign_off": [SAME_AGENCY]}
    assert TriageDecision.objects.get().sign_offs.count() == 1


def sign_both(client, world, decision: str) -> dict[str, Any]:
    call(client, world["bureau_analyst"], f"triage-decisions/{decision}/sign-off", {})
    response = call(client, world["coordinator"], f"triage-decisions/{decision}/sign-off", {})
    assert response.status_code == 200, response.json()
    body: dict[str, Any] = response.json()
    return body


def test_monitor_leaves_a_review_completed_over_the_api(client, world, investigation):
    decision = propose(client, world, investigation, outcome="monitor", review_on=day(60))
    assert sign_both(client, world, decision)["status"] == "in_effect"
    reviews = call(client, world["bureau_analyst"], "monitoring-reviews").json()["results"]
    assert [(r["triage_decision"], r["due_on"]) for r in reviews] == [(decision, day(60))]
    review = reviews[0]["reference"]
    empty = call(
        client, world["bureau_analyst"], f"monitoring-reviews/{review}/complete", {"note": " "}
    )
    assert empty.status_code == 400
    assert empty.json()["fields"] == {"note": ["Write down what the review found."]}
    done = call(
        client,
        world["bureau_analyst"],
        f"monitoring-reviews/{review}/complete",
        {"note": "No new signs; contacts unchanged."},
    )
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    again = call(
        client, world["coordinator"], f"monitoring-reviews/{review}/complete", {"note": "Again."}
    )
    assert again.status_code == 409
    assert MonitoringReview.objects.get().completed_by == world["bureau_analyst"]


def test_notify_reaches_the_municipality_which_acknowledges(client, world, investigation):
    decision = propose(
        client,
        world,
        investigation,
        outcome="notify",
        criteria=[],
        notify=[world.municipality.code],
        notice_text="Please plan for a return to your municipality next spring.",
    )
    sign_both(client, world, decision)
    listed = call(client, world["case_manager"], "stakeholder-notices").json()["results"]
    assert len(listed) == 1
    notice = listed[0]
    assert notice["text"] == "Please plan for a return to your municipality next spring."
    assert notice["person"]["reference"] == investigation.person.reference
    assert "rationale" not in notice
    acknowledged = call(
        client, world["case_manager"], f"stakeholder-notices/{notice['reference']}/acknowledge", {}
    )
    assert acknowledged.status_code == 200
    assert acknowledged.json()["acknowledged_at"]
    assert StakeholderNotice.objects.get().acknowledged_by == world["case_manager"]


# --- signals ---------------------------------------------------------------------------------


def test_coordination_dismisses_a_signal_in_its_queue(client, world, free_person):
    recorded = call(client, world["police_liaison"], "signals", api_data(free_person))
    signal = recorded.json()["reference"]
    empty = call(client, world["coordinator"], f"signals/{signal}/dismiss", {"reason": ""})
    assert empty.status_code == 400
    assert empty.json()["fields"] == {"reason": ["Give the reason for dismissing the signal."]}
    dismissed = call(
        client,
        world["coordinator"],
        f"signals/{signal}/dismiss",
        {"reason": "Known dispute between neighbours; no sign of radicalisation."},
    )
    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    again = call(client, world["coordinator"], f"signals/{signal}/dismiss", {"reason": "Again."})
    assert again.status_code == 409


def test_a_signal_taken_up_cannot_be_investigated_again(client, world, investigation):
    signal = investigation.signals.get()
    response = call(client, world["bureau_analyst"], f"signals/{signal.reference}/investigate", {})
    assert response.status_code == 409
    assert response.json()["message"] == "This signal is no longer awaiting assessment."
    assert Investigation.objects.count() == 1


def test_a_finding_needs_text(client, world, investigation):
    response = call(
        client,
        world["bureau_analyst"],
        f"investigations/{investigation.reference}/findings",
        {"text": "   "},
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"text": ["Write down the finding."]}
    assert not Finding.objects.exists()


def test_the_openapi_schema_draws_the_intake_api_without_warnings(db, tmp_path):
    target = tmp_path / "schema.json"
    # --fail-on-warn: an unresolvable enum name or an undescribed view fails the test.
    call_command(
        "spectacular",
        "--file",
        str(target),
        "--format",
        "openapi-json",
        "--validate",
        "--fail-on-warn",
    )
    paths = json.loads(target.read_text())["paths"]
    for path in (
        "/api/v1/signals/{reference}",
        "/api/v1/signals/{reference}/attachments",
        "/api/v1/signals/{reference}/investigate",
        "/api/v1/signals/{reference}/dismiss",
        "/api/v1/investigations",
        "/api/v1/investigations/{reference}",
        "/api/v1/investigations/{reference}/findings",
        "/api/v1/investigations/{reference}/measures",
        "/api/v1/investigations/{reference}/triage-decisions",
        "/api/v1/measures",
        "/api/v1/measures/{reference}/authorise",
        "/api/v1/measures/{reference}/renew",
        "/api/v1/measures/{reference}/end",
        "/api/v1/triage-decisions",
        "/api/v1/triage-decisions/{reference}/sign-off",
        "/api/v1/triage-decisions/{reference}/withdraw",
        "/api/v1/stakeholder-notices",
        "/api/v1/stakeholder-notices/{reference}/acknowledge",
        "/api/v1/monitoring-reviews",
        "/api/v1/monitoring-reviews/{reference}/complete",
    ):
        assert path in paths, path
    upload = paths["/api/v1/signals/{reference}/attachments"]["post"]["requestBody"]
    assert list(upload["content"]) == ["multipart/form-data"]
