"""Refusals of the measure services: requesting (legal basis, dates, the longest duration of
the type), authorising (by another analyst of the bureau, never the requester), renewing and
ending; who may act at all; and that a refusal stores nothing and adds no audit entry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from continuum.audit.models import AuditEntry
from continuum.core.exceptions import Conflict, InvalidInput, NotFound
from continuum.core.models import Role, TimelineEvent
from continuum.intake import selectors, services
from continuum.intake.models import Measure, MeasureStatus, MeasureType
from continuum.intake.timeline import IntakeKind
from tests.factories import AgencyFactory, MembershipFactory
from tests.intake.conftest import decision_data, measure_data
from tests.intake.test_investigation import EVERY_ROLE, nothing_changes, refused_with

REAL_NOW = timezone.now
OTHER_THAN_REQUESTER = "A measure must be authorised by someone other than the requester."


@contextmanager
def days_later(days: int) -> Iterator[date]:
    """The services' clock, ``days`` on."""
    with mock.patch("django.utils.timezone.now", lambda: REAL_NOW() + timedelta(days=days)):
        yield timezone.localdate()


def request(world, investigation, **overrides: Any) -> Measure:
    return services.measure_request(
        actor=world["bureau_analyst"], investigation=investigation, data=measure_data(**overrides)
    )


@pytest.fixture
def requested(world, investigation) -> Measure:
    return request(world, investigation)


@pytest.fixture
def running(requested, second_analyst) -> Measure:
    return services.measure_authorise(actor=second_analyst, measure=requested)


# --- requesting ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in EVERY_ROLE if r != Role.BUREAU_ANALYST])
def test_only_the_bureaus_analysts_request_measures(world, investigation, role):
    with nothing_changes(), pytest.raises(NotFound):
        services.measure_request(
            actor=world[role], investigation=investigation, data=measure_data()
        )


def today() -> date:
    return timezone.localdate()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"type": ""}, "type", "Choose the type of measure."),
        ({"type": None}, "type", "Choose the type of measure."),
        ({"legal_basis": ""}, "legal_basis", "State the legal basis of the measure."),
        ({"legal_basis": "  \n"}, "legal_basis", "State the legal basis of the measure."),
        ({"starts_on": None}, "starts_on", "Enter the start date."),
        ({"ends_on": None}, "ends_on", "Enter the end date."),
        (
            {"starts_on": "soon"},
            "starts_on",
            "“soon” value has an invalid date format. It must be in YYYY-MM-DD format.",
        ),
    ],
)
def test_a_measure_request_needs_every_field(world, investigation, overrides, field, message):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        request(world, investigation, **overrides)
    assert refused.value.message == message
    assert refused.value.fields[field] == [message]


def test_an_unknown_type_is_refused(world, investigation):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        request(world, investigation, type="strip_search")
    assert refused.value.fields == {"type": ["Value 'strip_search' is not a valid choice."]}


def test_a_measure_cannot_end_before_it_starts(world, investigation):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        request(world, investigation, starts_on=today(), ends_on=today() - timedelta(days=1))
    refused_with(refused, "ends_on", "The measure cannot end before it starts.")


def test_a_measure_cannot_start_or_end_in_the_past(world, investigation):
    starts = today() - timedelta(days=5)
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        request(world, investigation, starts_on=starts, ends_on=today() - timedelta(days=1))
    assert refused.value.fields == {
        "starts_on": ["A measure cannot start in the past."],
        "ends_on": ["The end date has passed."],
    }


def test_a_request_authorised_after_its_start_date_runs_from_the_authorisation(
    world, investigation, second_analyst
):
    measure = request(world, investigation, ends_on=today() + timedelta(days=10))
    Measure.objects.filter(pk=measure.pk).update(starts_on=today() - timedelta(days=2))
    measure.refresh_from_db()
    authorised = services.measure_authorise(actor=second_analyst, measure=measure)
    assert authorised.starts_on == today()
    entry = AuditEntry.objects.filter(action="change", object_type="intake.measure").latest("id")
    assert entry.changes["starts_on"] == {
        "before": (today() - timedelta(days=2)).isoformat(),
        "after": today().isoformat(),
    }


@pytest.mark.parametrize("kind", MeasureType.values)
def test_the_longest_duration_of_each_type(world, investigation, kind):
    """Up to the configured number of days, counting the first and the last, and not a day
    more."""
    days = services.max_days(kind)
    longest = today() + timedelta(days=days - 1)
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        request(world, investigation, type=kind, ends_on=longest + timedelta(days=1))
    refused_with(refused, "ends_on", most(days))
    measure = request(world, investigation, type=kind, ends_on=longest)
    assert measure.status == MeasureStatus.REQUESTED


def test_the_longest_duration_follows_the_configuration(settings, world, investigation):
    settings.CONTINUUM_MEASURE_MAX_DAYS = {
        **settings.CONTINUUM_MEASURE_MAX_DAYS,
        "visitor_review": 7,
    }
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        request(world, investigation, type="visitor_review", ends_on=today() + timedelta(days=7))
    refused_with(refused, "ends_on", "A measure of this type may run at most 7 days.")


def test_every_refused_field_is_reported_at_once(world, investigation):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        request(world, investigation, type="", legal_basis="", ends_on=None)
    assert set(refused.value.fields) == {"type", "legal_basis", "ends_on"}


def test_a_request_is_audited_but_not_on_the_timeline(world, investigation):
    entries, events = AuditEntry.objects.count(), TimelineEvent.objects.count()
    measure = request(world, investigation)
    assert (measure.status, measure.authorised_by) == (MeasureStatus.REQUESTED, None)
    assert AuditEntry.objects.count() == entries + 1
    assert TimelineEvent.objects.count() == events


# --- authorising ---------------------------------------------------------------------------


def test_the_requester_cannot_authorise_their_own_measure(world, requested):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.measure_authorise(actor=world["bureau_analyst"], measure=requested)
    refused_with(refused, "authorised_by", OTHER_THAN_REQUESTER)


@pytest.mark.parametrize("role", [r for r in EVERY_ROLE if r != Role.BUREAU_ANALYST])
def test_only_the_bureaus_analysts_authorise(world, requested, role):
    with nothing_changes(), pytest.raises(NotFound):
        services.measure_authorise(actor=world[role], measure=requested)


def test_the_requester_in_another_bureau_gets_not_found(world, requested):
    """The same user, acting as an analyst of another bureau, does not see the measure."""
    bureau = AgencyFactory(
        code="bureau-b", type="intelligence_bureau", parent=world.other_institution
    )
    same_user = MembershipFactory(
        user=world["bureau_analyst"].user, agency=bureau, role=Role.BUREAU_ANALYST
    )
    with nothing_changes(), pytest.raises(NotFound):
        services.measure_authorise(actor=same_user, measure=requested)


def test_a_measure_is_authorised_once(world, running, second_analyst):
    assert running.status == MeasureStatus.ACTIVE
    assert running.authorised_by == second_analyst
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.measure_authorise(actor=second_analyst, measure=running)
    assert refused.value.message == "This measure is not awaiting authorisation."


def test_an_ended_request_cannot_be_authorised(world, requested, second_analyst):
    services.measure_end(actor=world["bureau_analyst"], measure=requested)
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.measure_authorise(actor=second_analyst, measure=requested)
    assert refused.value.message == "This measure is not awaiting authorisation."


def test_a_request_whose_end_date_passed_cannot_be_authorised(world, requested, second_analyst):
    with days_later(14), nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.measure_authorise(actor=second_analyst, measure=requested)
    refused_with(refused, "ends_on", "The end date has passed; request the measure again.")


def test_authorisation_puts_the_measure_on_the_intelligence_timeline(running):
    event = TimelineEvent.objects.get(kind=IntakeKind.MEASURE_AUTHORISED)
    assert event.sensitivity == "intelligence"
    assert event.case is None


# --- renewing ------------------------------------------------------------------------------


def test_only_a_running_measure_is_renewed(world, requested, second_analyst):
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.measure_renew(
            actor=second_analyst, measure=requested, ends_on=today() + timedelta(days=20)
        )
    assert refused.value.message == "Only a running measure can be renewed."


def test_the_requester_cannot_renew(world, running):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.measure_renew(
            actor=world["bureau_analyst"], measure=running, ends_on=today() + timedelta(days=20)
        )
    refused_with(refused, "authorised_by", OTHER_THAN_REQUESTER)


@pytest.mark.parametrize("role", [r for r in EVERY_ROLE if r != Role.BUREAU_ANALYST])
def test_only_the_bureaus_analysts_renew(world, running, role):
    with nothing_changes(), pytest.raises(NotFound):
        services.measure_renew(
            actor=world[role], measure=running, ends_on=today() + timedelta(days=20)
        )


@pytest.mark.parametrize("ends_on", [None, "next week"])
def test_a_renewal_needs_a_new_end_date(running, second_analyst, ends_on):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.measure_renew(actor=second_analyst, measure=running, ends_on=ends_on)
    refused_with(refused, "ends_on", "Enter the new end date.")


@pytest.mark.parametrize("shift", [0, -1])
def test_a_renewal_must_end_later(running, second_analyst, shift):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.measure_renew(
            actor=second_analyst, measure=running, ends_on=running.ends_on + timedelta(days=shift)
        )
    refused_with(refused, "ends_on", "The new end date must be later than the current one.")


def test_a_renewal_runs_at_most_the_longest_duration_from_today(running, second_analyst):
    days = services.max_days(running.type)
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        services.measure_renew(
            actor=second_analyst, measure=running, ends_on=today() + timedelta(days=days)
        )
    refused_with(refused, "ends_on", most(days))
    renewed = services.measure_renew(
        actor=second_analyst, measure=running, ends_on=today() + timedelta(days=days - 1)
    )
    assert renewed.renewals == 1


def test_an_overdue_measure_is_listed_and_renewed_from_today(world, running, second_analyst):
    with days_later(20) as later:
        running.refresh_from_db()
        assert running.is_overdue
        assert list(selectors.measures_overdue(actor=world["bureau_analyst"])) == [running]
        with nothing_changes(), pytest.raises(InvalidInput) as refused:
            services.measure_renew(
                actor=second_analyst, measure=running, ends_on=later - timedelta(days=1)
            )
        refused_with(refused, "ends_on", "The new end date must be later than the current one.")
        renewed = services.measure_renew(actor=second_analyst, measure=running, ends_on=later)
        assert not renewed.is_overdue
        assert renewed.authorised_by == second_analyst
        assert timezone.localdate(renewed.authorised_at) == later
        assert not selectors.measures_overdue(actor=world["bureau_analyst"]).exists()


def test_an_analyst_who_did_not_request_renews_and_becomes_the_authoriser(
    world, running, second_analyst
):
    third = MembershipFactory(agency=world.bureau, role=Role.BUREAU_ANALYST)
    renewed = services.measure_renew(
        actor=third, measure=running, ends_on=today() + timedelta(days=20)
    )
    assert (renewed.authorised_by, renewed.renewals) == (third, 1)


# --- ending --------------------------------------------------------------------------------


def test_a_measure_ends_once(world, running):
    services.measure_end(actor=world["bureau_analyst"], measure=running)
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.measure_end(actor=world["bureau_analyst"], measure=running)
    assert refused.value.message == "This measure has already ended."


@pytest.mark.parametrize("role", [r for r in EVERY_ROLE if r != Role.BUREAU_ANALYST])
def test_only_the_bureaus_analysts_end_measures(world, running, role):
    with nothing_changes(), pytest.raises(NotFound):
        services.measure_end(actor=world[role], measure=running)


def test_withdrawing_a_request_leaves_no_timeline_event(world, requested):
    ended = services.measure_end(actor=world["bureau_analyst"], measure=requested)
    assert ended.status == MeasureStatus.ENDED
    assert ended.authorised_by is None
    assert not TimelineEvent.objects.filter(kind=IntakeKind.MEASURE_ENDED).exists()


def test_ending_a_running_measure_is_on_the_intelligence_timeline(world, running):
    services.measure_end(actor=world["bureau_analyst"], measure=running)
    event = TimelineEvent.objects.get(kind=IntakeKind.MEASURE_ENDED)
    assert event.sensitivity == "intelligence"


@pytest.mark.usefixtures("criteria")
def test_a_closed_investigation_takes_no_measure_work(
    world, investigation, running, second_analyst
):
    requested = request(world, investigation, type="cell_inspection", ends_on=today())
    decision = services.triage_propose(
        actor=world["coordinator"],
        investigation=investigation,
        data=decision_data(outcome="downscale", criteria=[]),
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    assert set(Measure.objects.values_list("status", flat=True)) == {MeasureStatus.ENDED}
    later = today() + timedelta(days=5)
    closed = "This investigation is closed."
    attempts = [
        lambda: request(world, investigation),
        lambda: services.measure_authorise(actor=second_analyst, measure=requested),
        lambda: services.measure_renew(actor=second_analyst, measure=running, ends_on=later),
        lambda: services.measure_end(actor=world["bureau_analyst"], measure=running),
    ]
    for attempt in attempts:
        with nothing_changes(), pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.message == closed


def most(days: int) -> str:
    unit = "day" if days == 1 else "days"
    return f"A measure of this type may run at most {days} {unit}."
