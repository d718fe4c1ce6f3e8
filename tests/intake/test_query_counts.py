"""The intake's pages and API lists cost a number of queries that does not grow with their
rows: each is asked with one row and again with ten. Permissions are worked out in bulk (the
selectors annotate each row's ``may_*`` flags), never row by row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from continuum.core.models import Membership, Role
from continuum.intake import services
from continuum.intake.models import Investigation, MonitoringReview, Signal
from tests.conftest import bearer
from tests.factories import MembershipFactory, PersonFactory, PlacementFactory
from tests.intake.conftest import decision_data, measure_data, signal_data
from tests.intake.factories import ContactPointTrainingFactory
from tests.querycount import assert_flat

pytestmark = pytest.mark.usefixtures("criteria")

AddRows = Callable[[int], Any]


def new_signal(world, *, by: str = "contact_point") -> Signal:
    person = PersonFactory(registered_by=world.institution)
    PlacementFactory(person=person, institution=world.institution, ended_on=None)
    return services.signal_record(actor=world[by], data=signal_data(person))


def new_investigation(world) -> Investigation:
    return services.signal_investigate(actor=world["bureau_analyst"], signal=new_signal(world))


@pytest.fixture
def second(world) -> Membership:
    return MembershipFactory(agency=world.bureau, role=Role.BUREAU_ANALYST)


@pytest.fixture
def trained(world) -> None:
    ContactPointTrainingFactory(membership=world["contact_point"])


def measures_on(world, second: Membership, investigation: Investigation) -> AddRows:
    """Measures of both kinds a row can be: awaiting authorisation (by the other analyst) and
    running; and withdrawn triage decisions."""

    def add(n: int) -> None:
        for i in range(n):
            requester = world["bureau_analyst"] if i % 2 else second
            measure = services.measure_request(
                actor=requester, investigation=investigation, data=measure_data()
            )
            if i % 3 == 0:
                other = second if requester == world["bureau_analyst"] else world["bureau_analyst"]
                services.measure_authorise(actor=other, measure=measure)
            decision = services.triage_propose(
                actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
            )
            services.triage_withdraw(actor=world["bureau_analyst"], decision=decision)

    return add


@pytest.mark.parametrize("role", ["bureau_analyst", "coordinator"])
def test_the_investigation_page(act_as, world, second, investigation, role):
    url = reverse("intake:investigation-detail", args=[investigation.reference])
    assert_flat(act_as(world[role]), url, measures_on(world, second, investigation))


def test_the_api_investigation(client, world, second, investigation):
    url = f"/api/v1/investigations/{investigation.reference}"
    add = measures_on(world, second, investigation)
    assert_flat(client, url, add, **bearer(world["bureau_analyst"]))


def test_the_signal_page(act_as, world, trained):
    signal = new_signal(world)

    def attachments(n: int) -> None:
        uploads = [
            SimpleUploadedFile(f"note-{i}.pdf", b"%PDF-1.4\n% synthetic\n") for i in range(n)
        ]
        services.signal_attach(actor=world["contact_point"], signal=signal, uploads=uploads)

    url = reverse("intake:signal-detail", args=[signal.reference])
    assert_flat(act_as(world["bureau_analyst"]), url, attachments)


@pytest.mark.parametrize("role", ["contact_point", "bureau_analyst", "coordinator"])
def test_the_signal_queue(act_as, world, trained, role):
    def signals(n: int) -> None:
        for _ in range(n):
            new_signal(world)

    assert_flat(act_as(world[role]), reverse("intake:signal-queue"), signals)


@pytest.mark.parametrize("role", ["bureau_analyst", "coordinator"])
def test_the_investigation_list(act_as, world, role):
    def investigations(n: int) -> None:
        for _ in range(n):
            new_investigation(world)

    assert_flat(act_as(world[role]), reverse("intake:investigation-list"), investigations)


def test_the_measure_list(act_as, world, second, investigation):
    add = measures_on(world, second, investigation)
    assert_flat(act_as(world["bureau_analyst"]), reverse("intake:measure-list"), add)


def pending_decisions(world) -> AddRows:
    def add(n: int) -> None:
        for _ in range(n):
            services.triage_propose(
                actor=world["bureau_analyst"],
                investigation=new_investigation(world),
                data=decision_data(),
            )

    return add


@pytest.mark.parametrize("role", ["bureau_analyst", "coordinator"])
def test_the_triage_decision_queue(act_as, world, role):
    assert_flat(
        act_as(world[role]), reverse("intake:triage-decision-queue"), pending_decisions(world)
    )


def monitor_decisions(world, *, due: bool = True) -> AddRows:
    def add(n: int) -> None:
        for _ in range(n):
            review_on = timezone.localdate() + timedelta(days=7)
            decision = services.triage_propose(
                actor=world["bureau_analyst"],
                investigation=new_investigation(world),
                data=decision_data(outcome="monitor", review_on=review_on),
            )
            services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
            services.triage_sign_off(actor=world["coordinator"], decision=decision)
        if due:
            MonitoringReview.objects.update(due_on=timezone.localdate())

    return add


@pytest.mark.parametrize("role", ["bureau_analyst", "coordinator"])
def test_the_monitoring_review_list(act_as, world, role):
    assert_flat(
        act_as(world[role]), reverse("intake:monitoring-review-list"), monitor_decisions(world)
    )


def notices(world) -> AddRows:
    def add(n: int) -> None:
        for _ in range(n):
            decision = services.triage_propose(
                actor=world["coordinator"],
                investigation=new_investigation(world),
                data=decision_data(
                    outcome="notify",
                    notify=[world.municipality.code],
                    notice_text="Synthetic: expect a return to the municipality.",
                ),
            )
            services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
            services.triage_sign_off(actor=world["coordinator"], decision=decision)

    return add


def test_the_stakeholder_notice_list(act_as, world):
    assert_flat(
        act_as(world["case_manager"]), reverse("intake:stakeholder-notice-list"), notices(world)
    )


def test_the_contact_point_register(act_as, world):
    def trainings(n: int) -> None:
        for _ in range(n):
            ContactPointTrainingFactory(
                membership=MembershipFactory(agency=world.institution, role=Role.CONTACT_POINT),
                recorded_by=world["bureau_analyst"],
            )

    url = reverse("intake:contact-points")
    assert_flat(act_as(world["bureau_analyst"]), url, trainings)


@pytest.mark.parametrize("role", ["bureau_analyst", "coordinator"])
def test_my_work_with_every_kind_of_intake_task(act_as, world, second, role):
    """Sign-offs, measures to authorise, overdue measures and due reviews, ten of each."""

    def tasks(n: int) -> None:
        pending_decisions(world)(n)
        monitor_decisions(world)(n)
        for _ in range(n):
            services.measure_request(
                actor=second, investigation=new_investigation(world), data=measure_data()
            )

    assert_flat(act_as(world[role]), reverse("core:my-work"), tasks)


def test_my_work_with_stakeholder_notices(act_as, world):
    assert_flat(act_as(world["case_manager"]), reverse("core:my-work"), notices(world))


def signals(world) -> AddRows:
    return lambda n: [new_signal(world) for _ in range(n)]


def investigations(world) -> AddRows:
    return lambda n: [new_investigation(world) for _ in range(n)]


API_LISTS = [
    ("/api/v1/signals", "bureau_analyst", signals),
    ("/api/v1/investigations", "coordinator", investigations),
    ("/api/v1/triage-decisions", "coordinator", pending_decisions),
    ("/api/v1/monitoring-reviews", "bureau_analyst", monitor_decisions),
    ("/api/v1/stakeholder-notices", "case_manager", notices),
    ("/api/v1/tasks", "bureau_analyst", pending_decisions),
]  # fmt: skip


@pytest.mark.parametrize(("url", "role", "rows"), API_LISTS, ids=[u for u, _r, _f in API_LISTS])
def test_the_api_lists(client, world, url, role, rows):
    assert_flat(client, url, rows(world), **bearer(world[role]))


def test_the_api_measure_list(client, world, second, investigation):
    add = measures_on(world, second, investigation)
    assert_flat(client, "/api/v1/measures", add, **bearer(world["bureau_analyst"]))
