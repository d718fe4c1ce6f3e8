"""The pages of investigation and triage: what each shows to those allowed, that each form
stores its change, and that each refusal shows the service's message on the page (never a
500) with nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from continuum.audit.models import AuditEntry
from continuum.core.models import Case, CustodyStatus
from continuum.intake import services
from continuum.intake.models import (
    Finding,
    Investigation,
    InvestigationStatus,
    Measure,
    MeasureStatus,
    MonitoringReview,
    ReviewStatus,
    SignalStatus,
    StakeholderNotice,
    TriageDecision,
    TriageStatus,
)
from tests.factories import CaseFactory, PersonFactory
from tests.intake.conftest import decision_data, measure_data, signal_data

pytestmark = pytest.mark.usefixtures("criteria")

TODAY = timezone.localdate


def detail(investigation: Investigation) -> str:
    return reverse("intake:investigation-detail", args=[investigation.reference])


def propose(world, investigation, **overrides) -> TriageDecision:
    return services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data(**overrides)
    )


def both_sign(world, decision: TriageDecision) -> TriageDecision:
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    return services.triage_sign_off(actor=world["coordinator"], decision=decision)


def requested(world, investigation, by: str = "bureau_analyst", **overrides) -> Measure:
    return services.measure_request(
        actor=world[by], investigation=investigation, data=measure_data(**overrides)
    )


# --- signal page -----------------------------------------------------------------------------


def test_it_offers_the_bureau_to_take_a_signal_into_investigation(act_as, world, held_person):
    signal = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    url = reverse("intake:signal-detail", args=[signal.reference])
    assert "Take into investigation" in act_as(world["bureau_analyst"]).get(url).text
    assert "Take into investigation" not in act_as(world["coordinator"]).get(url).text


def test_the_signal_page_is_titled_with_its_reference_and_its_forms_are_in_the_body(
    act_as, world, held_person
):
    signal = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    url = reverse("intake:signal-detail", args=[signal.reference])
    page = act_as(world["bureau_analyst"]).get(url).text
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == f"{signal.reference} — Continuum"
    body = page.split("<body", 1)[1]
    assert body.count('id="investigate-heading"') == 1


def test_it_takes_a_signal_into_investigation(act_as, world, held_person):
    signal = services.signal_record(actor=world["contact_point"], data=signal_data(held_person))
    client = act_as(world["bureau_analyst"])
    response = client.post(reverse("intake:signal-investigate", args=[signal.reference]))
    investigation = Investigation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(investigation)
    signal.refresh_from_db()
    assert (signal.investigation, signal.status) == (
        investigation,
        SignalStatus.UNDER_INVESTIGATION,
    )
    page = client.get(reverse("intake:signal-detail", args=[signal.reference])).text
    assert detail(investigation) in page


def test_a_signal_already_under_investigation_is_refused_with_a_message(
    act_as, world, investigation
):
    signal = investigation.signals.get()
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:signal-investigate", args=[signal.reference])
    )
    assert response.status_code == 409
    assert "This signal is no longer awaiting assessment." in response.text
    assert Investigation.objects.count() == 1


@pytest.fixture
def coordination_signal(world):
    free = PersonFactory(
        registered_by=world.probation,
        custody_status=CustodyStatus.NOT_IN_CUSTODY,
        sentence_start=None,
        expected_release=None,
    )
    return services.signal_record(actor=world["probation_officer"], data=signal_data(free))


def test_coordination_dismisses_a_signal_in_its_queue_with_a_reason(
    act_as, world, coordination_signal
):
    client = act_as(world["coordinator"])
    url = reverse("intake:signal-detail", args=[coordination_signal.reference])
    assert "Dismiss with no further action" in client.get(url).text
    response = client.post(
        reverse("intake:signal-dismiss", args=[coordination_signal.reference]),
        {"reason": "The behaviour was a dispute over debts, not ideology."},
    )
    assert response.status_code == 302
    coordination_signal.refresh_from_db()
    assert coordination_signal.status == SignalStatus.DISMISSED


def test_a_dismissal_without_a_reason_is_refused_on_the_field(act_as, world, coordination_signal):
    response = act_as(world["coordinator"]).post(
        reverse("intake:signal-dismiss", args=[coordination_signal.reference]), {"reason": " "}
    )
    assert response.status_code == 400
    assert "Give the reason for dismissing the signal." in response.text
    assert 'id="id_reason_error"' in response.text
    coordination_signal.refresh_from_db()
    assert coordination_signal.status == SignalStatus.AWAITING_ASSESSMENT


# --- investigations --------------------------------------------------------------------------


def test_the_list_shows_the_bureau_its_investigations_filtered_by_status(
    act_as, world, investigation
):
    client = act_as(world["bureau_analyst"])
    url = reverse("intake:investigation-list")
    assert investigation.reference in client.get(url).text
    assert investigation.reference in client.get(url, {"status": "open"}).text
    assert investigation.reference not in client.get(url, {"status": "closed"}).text
    assert AuditEntry.objects.filter(action="list", username="bureau-analyst").count() == 3


def test_the_page_shows_the_investigation_and_records_the_read(act_as, world, investigation):
    services.finding_add(
        actor=world["bureau_analyst"], investigation=investigation, text="Met twice in the yard."
    )
    requested(world, investigation)
    propose(world, investigation)
    text = act_as(world["coordinator"]).get(detail(investigation)).text
    assert investigation.person.reference in text
    assert investigation.signals.get().reference in text
    assert "Met twice in the yard." in text
    assert "Telephone monitoring" in text
    assert "Awaiting authorisation" in text
    assert "Ideological motive" in text and "Readiness to use violence" in text
    assert "Repeated recruitment attempts" in text
    assert "Awaiting sign-off" in text
    assert AuditEntry.objects.filter(
        action="read", object_id=investigation.reference, username="coordinator"
    ).exists()


def test_the_forms_show_the_longest_duration_of_each_measure_type(act_as, world, investigation):
    text = act_as(world["bureau_analyst"]).get(detail(investigation)).text
    assert "Telephone monitoring (at most 28 days)" in text
    assert "Cell inspection (at most 1 days)" in text


def test_it_records_a_finding(act_as, world, investigation):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:finding-add", args=[investigation.reference]),
        {"finding-text": "Correspondence with a known recruiter."},
    )
    assert response.status_code == 302
    assert Finding.objects.get().text == "Correspondence with a known recruiter."


def test_an_empty_finding_is_refused_on_the_field(act_as, world, investigation):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:finding-add", args=[investigation.reference]), {"finding-text": ""}
    )
    assert response.status_code == 400
    assert "Write down the finding." in response.text
    assert 'id="id_finding-text_error"' in response.text
    assert not Finding.objects.exists()


def measure_post(**overrides) -> dict[str, str]:
    data = {key: str(value) for key, value in measure_data(**overrides).items()}
    return {f"measure-{key}": value for key, value in data.items()}


def test_it_requests_a_measure(act_as, world, investigation):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:measure-request", args=[investigation.reference]), measure_post()
    )
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert (measure.status, measure.requested_by) == (
        MeasureStatus.REQUESTED,
        world["bureau_analyst"],
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"legal_basis": ""}, "legal_basis", "State the legal basis of the measure."),
        ({"type": ""}, "type", "Choose the type of measure."),
        (
            {"ends_on": TODAY() + timedelta(days=60)},
            "ends_on",
            "A measure of this type may run at most 28 days.",
        ),
        ({"ends_on": "not a date"}, "ends_on", "Enter a valid date."),
    ],
)
def test_a_refused_measure_shows_the_message_on_its_field(
    act_as, world, investigation, overrides, field, message
):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:measure-request", args=[investigation.reference]),
        measure_post(**overrides),
    )
    assert response.status_code == 400
    assert message in response.text
    assert f'id="id_measure-{field}_error"' in response.text
    assert not Measure.objects.exists()


def test_another_analyst_authorises_a_measure(act_as, world, investigation, second_analyst):
    measure = requested(world, investigation, by="bureau_analyst")
    response = act_as(second_analyst).post(
        reverse("intake:measure-authorise", args=[measure.reference])
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.status, measure.authorised_by) == (MeasureStatus.ACTIVE, second_analyst)


def test_the_requester_cannot_authorise_their_own_measure(act_as, world, investigation):
    measure = requested(world, investigation)
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:measure-authorise", args=[measure.reference])
    )
    assert response.status_code == 400
    assert "A measure must be authorised by someone other than the requester." in response.text
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.REQUESTED


@pytest.fixture
def running(world, investigation, second_analyst) -> Measure:
    measure = requested(world, investigation, by="bureau_analyst")
    return services.measure_authorise(actor=second_analyst, measure=measure)


def test_it_renews_a_running_measure(act_as, investigation, running, second_analyst):
    new_end = TODAY() + timedelta(days=20)
    response = act_as(second_analyst).post(
        reverse("intake:measure-renew", args=[running.reference]),
        {f"renew-{running.reference}-ends_on": new_end.isoformat()},
    )
    assert response.status_code == 302
    running.refresh_from_db()
    assert (running.ends_on, running.renewals) == (new_end, 1)


@pytest.mark.parametrize(
    ("ends_on", "message"),
    [
        ("", "Enter the new end date."),
        ("yesterday", "Enter a valid date."),
        (None, "The new end date must be later than the current one."),
    ],
)
def test_a_refused_renewal_shows_the_message_on_the_field(
    act_as, investigation, running, second_analyst, ends_on, message
):
    value = running.ends_on.isoformat() if ends_on is None else ends_on
    response = act_as(second_analyst).post(
        reverse("intake:measure-renew", args=[running.reference]),
        {f"renew-{running.reference}-ends_on": value},
    )
    assert response.status_code == 400
    assert message in response.text
    assert f'id="id_renew-{running.reference}-ends_on_error"' in response.text
    before = running.ends_on
    running.refresh_from_db()
    assert (running.ends_on, running.renewals) == (before, 0)


def test_it_ends_a_measure_and_refuses_to_end_it_twice(act_as, world, running):
    client = act_as(world["bureau_analyst"])
    url = reverse("intake:measure-end", args=[running.reference])
    assert client.post(url).status_code == 302
    running.refresh_from_db()
    assert running.status == MeasureStatus.ENDED
    response = client.post(url)
    assert response.status_code == 409
    assert "This measure has already ended." in response.text


def test_the_measures_page_lists_overdue_measures_first(act_as, world, investigation, running):
    later = requested(world, investigation, ends_on=TODAY() + timedelta(days=3))
    Measure.objects.filter(pk=running.pk).update(
        starts_on=TODAY() - timedelta(days=20), ends_on=TODAY() - timedelta(days=2)
    )
    text = act_as(world["coordinator"]).get(reverse("intake:measure-list")).text
    assert "To be renewed or ended" in text
    assert "Overdue" in text
    overdue_at = text.index("To be renewed or ended")
    assert overdue_at < text.index("Running and awaiting authorisation")
    assert text.index(investigation.reference, overdue_at) < text.index(
        "Running and awaiting authorisation"
    )
    assert later.get_type_display() in text
    assert AuditEntry.objects.filter(action="list", username="coordinator").exists()


# --- triage ----------------------------------------------------------------------------------


def triage_post(**data) -> dict[str, object]:
    return {f"triage-{key}": value for key, value in data.items()}


def test_it_proposes_a_referral_with_its_criteria(act_as, world, investigation):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:triage-decision-propose", args=[investigation.reference]),
        triage_post(outcome="refer", rationale="Recruiting on the wing.", criteria=["ideology"]),
    )
    assert response.status_code == 302
    decision = TriageDecision.objects.get()
    assert decision.outcome == "refer"
    assert [c.code for c in decision.criteria_met.all()] == ["ideology"]


def test_the_propose_form_offers_the_jurisdictions_criteria_and_notifiable_agencies(
    act_as, world, investigation
):
    text = act_as(world["coordinator"]).get(detail(investigation)).text
    assert 'value="ideology"' in text and 'value="violence"' in text
    assert 'value="elsewhere"' not in text
    assert f'value="{world.municipality.code}"' in text
    assert f'value="{world.bureau.code}"' not in text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"outcome": "refer", "rationale": "Recruiting."},
            "criteria",
            "A referral to MAR needs at least one inclusion criterion met.",
        ),
        ({"outcome": "refer", "criteria": ["ideology"]}, "rationale", "Give the rationale"),
        ({"rationale": "Recruiting."}, "outcome", "Choose the outcome."),
        (
            {"outcome": "monitor", "rationale": "Watch."},
            "review_on",
            "A decision to monitor needs a review date.",
        ),
        (
            {"outcome": "notify", "rationale": "Tell them.", "notice_text": "Be aware."},
            "notify",
            "Choose the agencies to notify.",
        ),
        (
            {"outcome": "notify", "rationale": "Tell them.", "notify": ["gem-a"]},
            "notice_text",
            "Write what the notified agencies are told",
        ),
    ],
)
def test_a_refused_proposal_shows_the_message_on_its_field(
    act_as, world, investigation, data, field, message
):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:triage-decision-propose", args=[investigation.reference]),
        triage_post(**data),
    )
    assert response.status_code == 400
    assert message in response.text
    assert f'id="id_triage-{field}_error"' in response.text
    assert not TriageDecision.objects.exists()


def test_a_second_pending_proposal_is_refused_with_a_message(act_as, world, investigation):
    propose(world, investigation)
    response = act_as(world["coordinator"]).post(
        reverse("intake:triage-decision-propose", args=[investigation.reference]),
        triage_post(outcome="downscale", rationale="Nothing further."),
    )
    assert response.status_code == 409
    assert "already awaits sign-off" in response.text
    assert TriageDecision.objects.count() == 1


def test_two_sign_offs_on_the_pages_refer_the_person_to_mar(act_as, world, investigation):
    decision = propose(world, investigation)
    url = reverse("intake:triage-decision-sign-off", args=[decision.reference])
    assert (
        f"Sign off {decision.reference}"
        in act_as(world["bureau_analyst"]).get(detail(investigation)).text
    )
    assert act_as(world["bureau_analyst"]).post(url).status_code == 302
    response = act_as(world["coordinator"]).post(url)
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == TriageStatus.IN_EFFECT
    case = Case.objects.get(person=investigation.person)
    text = act_as(world["coordinator"]).get(detail(investigation)).text
    assert reverse("core:case-detail", args=[case.reference]) in text
    assert "Custodial institution" in text and "Coordination programme" in text


def test_a_second_sign_off_by_the_same_user_is_refused_with_a_message(act_as, world, investigation):
    decision = propose(world, investigation)
    client = act_as(world["bureau_analyst"])
    url = reverse("intake:triage-decision-sign-off", args=[decision.reference])
    client.post(url)
    response = client.post(url)
    assert response.status_code == 400
    assert "You have already signed off this decision." in response.text
    assert decision.sign_offs.count() == 1


def test_it_withdraws_a_pending_decision(act_as, world, investigation):
    decision = propose(world, investigation)
    response = act_as(world["coordinator"]).post(
        reverse("intake:triage-decision-withdraw", args=[decision.reference])
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == TriageStatus.WITHDRAWN


def test_the_sign_off_queue_shows_what_each_side_has_still_to_sign(act_as, world, investigation):
    decision = propose(world, investigation)
    url = reverse("intake:triage-decision-queue")
    assert decision.reference in act_as(world["bureau_analyst"]).get(url).text
    assert decision.reference in act_as(world["coordinator"]).get(url).text
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    assert decision.reference not in act_as(world["bureau_analyst"]).get(url).text
    assert decision.reference in act_as(world["coordinator"]).get(url).text


# --- monitoring reviews and stakeholder notices -----------------------------------------------


@pytest.fixture
def review(world, investigation) -> MonitoringReview:
    decision = propose(
        world, investigation, outcome="monitor", criteria=[], review_on=TODAY() + timedelta(days=1)
    )
    both_sign(world, decision)
    MonitoringReview.objects.update(due_on=TODAY())
    return MonitoringReview.objects.get()


def test_the_monitoring_reviews_page_flags_due_reviews(act_as, world, review):
    text = act_as(world["coordinator"]).get(reverse("intake:monitoring-review-list")).text
    assert review.decision.investigation.person.reference in text
    assert "Due" in text


def test_it_completes_a_review_with_a_note(act_as, world, review):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:monitoring-review-complete", args=[review.reference]),
        {f"monitoring-review-{review.reference}-note": "No further contact with the network."},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.note) == (
        ReviewStatus.DONE,
        "No further contact with the network.",
    )


def test_a_review_without_a_note_is_refused_on_the_field(act_as, world, review):
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:monitoring-review-complete", args=[review.reference]),
        {f"monitoring-review-{review.reference}-note": ""},
    )
    assert response.status_code == 400
    assert "Write down what the review found." in response.text
    assert f'id="id_monitoring-review-{review.reference}-note_error"' in response.text
    review.refresh_from_db()
    assert review.status == ReviewStatus.DUE


@pytest.fixture
def notice(world, investigation) -> StakeholderNotice:
    decision = propose(
        world,
        investigation,
        outcome="notify",
        criteria=[],
        notify=[world.municipality.code],
        notice_text="Please invite the person to an intake talk after release.",
    )
    both_sign(world, decision)
    return StakeholderNotice.objects.get()


def test_the_stakeholder_notices_page_shows_the_person_and_the_agreed_text(act_as, world, notice):
    text = act_as(world["case_manager"]).get(reverse("intake:stakeholder-notice-list")).text
    person = notice.person
    assert person.reference in text
    assert person.full_name in text
    assert "Please invite the person to an intake talk after release." in text
    assert "Repeated recruitment attempts" not in text  # never the rationale


def test_it_acknowledges_a_stakeholder_notice(act_as, world, notice):
    response = act_as(world["case_manager"]).post(
        reverse("intake:stakeholder-notice-acknowledge", args=[notice.reference])
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.acknowledged_by == world["case_manager"]


def test_a_closed_investigation_offers_no_forms(act_as, world, investigation):
    both_sign(world, propose(world, investigation))
    investigation.refresh_from_db()
    assert investigation.status == InvestigationStatus.CLOSED
    text = act_as(world["bureau_analyst"]).get(detail(investigation)).text
    assert "Record the finding" not in text
    assert "Propose the triage decision" not in text


def test_a_finding_on_a_closed_investigation_is_refused_with_a_message(
    act_as, world, investigation
):
    both_sign(world, propose(world, investigation))
    response = act_as(world["bureau_analyst"]).post(
        reverse("intake:finding-add", args=[investigation.reference]),
        {"finding-text": "Too late."},
    )
    assert response.status_code == 409
    assert "This investigation is closed." in response.text
    assert not Finding.objects.exists()


def test_the_signal_queue_links_the_bureau_to_its_investigations(act_as, world):
    url = reverse("intake:investigation-list")
    assert url in act_as(world["bureau_analyst"]).get(reverse("intake:signal-queue")).text
    assert url not in act_as(world["contact_point"]).get(reverse("intake:signal-queue")).text


def test_the_reporter_sees_the_reference_of_a_person_it_no_longer_sees_without_a_link(
    act_as, world
):
    """The municipality reported while on the person's case team; once off the team it still
    sees its own signal, but not the person, so the reference is not a link."""
    case = CaseFactory(lead_agency=world.coordination, team=[world.municipality])
    manager = world["case_manager"]
    signal = services.signal_record(actor=manager, data=signal_data(case.person))
    url = reverse("intake:signal-detail", args=[signal.reference])
    person_url = reverse("core:person-detail", args=[case.person.reference])
    assert person_url in act_as(manager).get(url).text
    case.team_agencies.remove(world.municipality)
    page = act_as(manager).get(url).text
    assert case.person.reference in page
    assert person_url not in page
    assert "not among the persons you see" in page
