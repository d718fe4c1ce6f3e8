"""What waits for whom in intake comes back in the navigation: decisions to sign off, overdue
measures and due monitoring reviews for the bureau and coordination, new notifications for
the agencies notified."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from continuum.intake import selectors, services
from continuum.intake.models import Measure, MonitoringReview
from tests.intake.conftest import decision_data, measure_data

pytestmark = pytest.mark.usefixtures("criteria")


def nav(client) -> str:
    page = client.get(reverse("core:home"), follow=True)
    return page.text.split("<nav", 1)[1].split("</nav>", 1)[0]


def test_the_bureau_and_coordination_see_what_waits_for_them(
    act_as, world, investigation, second_analyst
):
    services.triage_propose(
        actor=world["bureau_analyst"], investigation=investigation, data=decision_data()
    )
    measure = services.measure_request(
        actor=world["bureau_analyst"], investigation=investigation, data=measure_data()
    )
    services.measure_authorise(actor=second_analyst, measure=measure)
    Measure.objects.filter(pk=measure.pk).update(
        starts_on=timezone.localdate() - timedelta(days=10),
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    tasks = selectors.intake_tasks(actor=world["bureau_analyst"])
    assert tasks is not None
    assert (tasks.sign_offs, tasks.overdue_measures, tasks.reviews_due) == (1, 1, 0)
    assert "Investigations (2 to do)" in nav(act_as(world["bureau_analyst"]))
    assert "Investigations (2 to do)" in nav(act_as(world["coordinator"]))


def test_a_due_monitoring_review_comes_back_as_a_task(act_as, world, investigation):
    decision = services.triage_propose(
        actor=world["bureau_analyst"],
        investigation=investigation,
        data=decision_data(outcome="monitor", review_on=timezone.localdate() + timedelta(days=7)),
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    assert "Investigations (0 to do)" in nav(act_as(world["bureau_analyst"]))
    MonitoringReview.objects.update(due_on=timezone.localdate())
    assert "Investigations (1 to do)" in nav(act_as(world["bureau_analyst"]))
    listed = act_as(world["bureau_analyst"]).get(reverse("intake:investigation-list")).text
    assert "1 monitoring review due" in listed


def test_a_notified_agency_sees_its_new_notifications(act_as, world, investigation):
    decision = services.triage_propose(
        actor=world["coordinator"],
        investigation=investigation,
        data=decision_data(
            outcome="notify",
            notify=[world.municipality.code],
            notification_text="Please expect a return to your municipality in spring.",
        ),
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    assert "Notifications (1 new)" in nav(act_as(world["case_manager"]))
    assert "Notifications (0 new)" in nav(act_as(world["probation_officer"]))


@pytest.mark.parametrize(
    "role", ["mentor", "evaluator", "administrator", "data_protection_officer"]
)
def test_roles_without_intake_work_see_neither_link(act_as, world, role):
    links = nav(act_as(world[role]))
    assert "Investigations (" not in links
    assert "Notifications (" not in links
