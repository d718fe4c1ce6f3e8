"""The intake's periodic jobs, run by ``continuum periodic``: purges old idempotency records
(audited, idempotent) and summarises overdue measures and due monitoring reviews without
naming anyone."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from continuum.audit.models import AuditEntry
from continuum.core.models import Role
from continuum.intake import services
from continuum.intake.models import (
    Measure,
    MonitoringReview,
    SignalIntakeRequest,
)
from tests.factories import MembershipFactory, PersonFactory, PlacementFactory


def run(*args: str) -> str:
    out = StringIO()
    call_command("periodic", *args, stdout=out)
    return out.getvalue()


def intake_request(membership, key: str, hours_ago: float) -> SignalIntakeRequest:
    return SignalIntakeRequest.objects.create(
        membership=membership,
        key=key,
        fingerprint="0" * 64,
        response={"observed_behaviour": "Synthetic words of the reporter."},
        created_at=timezone.now() - timedelta(hours=hours_ago),
    )


@pytest.fixture
def requests_of_several_ages(world):
    police = world["police_liaison"]
    intake_request(police, "old-1", 100)
    intake_request(police, "old-2", 73)
    intake_request(police, "fresh", 71)


def test_it_purges_the_intake_records_older_than_72_hours_by_default(requests_of_several_ages):
    out = run()
    assert "older than 72 hours: purged 2." in out
    assert list(SignalIntakeRequest.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_purge_is_audited_once_and_without_the_reporters_words(requests_of_several_ages):
    run()
    entry = AuditEntry.objects.get(action="delete")
    assert entry.changes["object_type"] == "intake.signalintakerequest"
    assert entry.changes["purged"] == 2
    assert "Synthetic words" not in str(entry.changes)


def test_it_is_idempotent(requests_of_several_ages):
    run()
    out = run()
    assert "purged 0." in out
    assert SignalIntakeRequest.objects.count() == 1
    assert AuditEntry.objects.filter(action="delete").count() == 1


def test_it_honours_the_retention_setting(requests_of_several_ages, settings):
    settings.CONTINUUM_IDEMPOTENCY_RETENTION_HOURS = 200
    assert "older than 200 hours: purged 0." in run()
    settings.CONTINUUM_IDEMPOTENCY_RETENTION_HOURS = 1
    assert "purged 3." in run()


def test_a_dry_run_changes_nothing(requests_of_several_ages):
    assert "would purge 2." in run("--dry-run")
    assert SignalIntakeRequest.objects.count() == 3
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_a_nonsensical_retention_is_refused(settings, db):
    settings.CONTINUUM_IDEMPOTENCY_RETENTION_HOURS = 0
    with pytest.raises(CommandError, match="RETENTION_HOURS"):
        run()


@pytest.fixture
def reminders(world):
    """One overdue measure and one due monitoring review of PI Alpha's bureau, and a running
    measure and a review that are not yet due."""
    person = PersonFactory(registered_by=world.institution)
    PlacementFactory(person=person, institution=world.institution, ended_on=None)
    analyst, second = (
        world["bureau_analyst"],
        MembershipFactory(agency=world.bureau, role=Role.BUREAU_ANALYST),
    )
    signal = services.signal_record(
        actor=world["contact_point"],
        data={
            "person": person.reference,
            "category": "network",
            "observed_behaviour": "Synthetic: passed notes between wings during work.",
            "context": "work",
            "observed_at": timezone.now() - timedelta(hours=2),
            "source_reliability": "B",
            "information_credibility": "2",
            "rests_on_behaviour": True,
        },
    )
    investigation = services.signal_investigate(actor=analyst, signal=signal)
    today = timezone.localdate()
    measures = [
        services.measure_request(
            actor=analyst,
            investigation=investigation,
            data={
                "type": "visitor_review",
                "legal_basis": "Synthetic rule 7: review of visitors on a reasoned suspicion.",
                "starts_on": today,
                "ends_on": today + timedelta(days=10),
            },
        )
        for _ in range(2)
    ]
    for measure in measures:
        services.measure_authorise(actor=second, measure=measure)
    Measure.objects.filter(pk=measures[0].pk).update(
        starts_on=today - timedelta(days=10), ends_on=today - timedelta(days=1)
    )
    decision = services.triage_propose(
        actor=analyst,
        investigation=investigation,
        data={
            "outcome": "monitor",
            "rationale": "Synthetic: watch whether the notes continue.",
            "review_on": today + timedelta(days=30),
        },
    )
    services.triage_sign_off(actor=analyst, decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    return person


def test_it_summarises_overdue_measures_and_due_reviews_per_agency(world, reminders):
    out = run()
    assert "Overdue measures (past their end date, still running): 1 (bureau-a: 1)." in out
    assert "Monitoring reviews due: 0." in out
    MonitoringReview.objects.update(due_on=timezone.localdate())
    out = run()
    assert "Monitoring reviews due: 1 (bureau-a: 1)." in out
    assert reminders.reference not in out


def test_the_summary_changes_nothing(world, reminders):
    before = AuditEntry.objects.count()
    run()
    run()
    assert AuditEntry.objects.count() == before
    assert Measure.objects.filter(status="active").count() == 2
