"""What waits for whom in intake comes back on My work: triage decisions to sign off, measures
to authorise, measures past their end date, due monitoring reviews, and new stakeholder
notices for the agencies notified. The navigation shows one count, and the intake's links only
to those the policy allows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from continuum.access import services as access_services
from continuum.core import navigation
from continuum.core.models import Membership
from continuum.intake import selectors, services
from continuum.intake.models import Measure, MonitoringReview
from tests.factories import CaseFactory
from tests.intake.conftest import decision_data, measure_data

pytestmark = pytest.mark.usefixtures("criteria")


def nav(client) -> str:
    page = client.get(reverse("core:person-search"), follow=True)
    return page.text.split("<nav", 1)[1].split("</nav>", 1)[0]


def sources(membership) -> list[str]:
    return [task.source for task in navigation.tasks_for(membership)]


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
    assert sources(world["bureau_analyst"]) == ["intake-overdue-measure", "intake-sign-off"]
    assert sources(world["coordinator"]) == ["intake-sign-off"]
    assert "My work (2)" in nav(act_as(world["bureau_analyst"]))
    assert "My work (1)" in nav(act_as(world["coordinator"]))


def test_a_measure_waits_for_another_analyst_to_authorise_it(world, investigation, second_analyst):
    """Missing from the navigation's count before My work: measures to authorise."""
    services.measure_request(
        actor=world["bureau_analyst"], investigation=investigation, data=measure_data()
    )
    assert sources(second_analyst) == ["intake-authorise"]
    assert sources(world["bureau_analyst"]) == []
    assert navigation.task_count(second_analyst) == 1
    assert navigation.task_count(world["bureau_analyst"]) == 0


def test_a_due_monitoring_review_comes_back_as_a_task(act_as, world, investigation):
    decision = services.triage_propose(
        actor=world["bureau_analyst"],
        investigation=investigation,
        data=decision_data(outcome="monitor", review_on=timezone.localdate() + timedelta(days=7)),
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    assert "My work (0)" in nav(act_as(world["bureau_analyst"]))
    MonitoringReview.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    assert "My work (1)" in nav(act_as(world["bureau_analyst"]))
    (task,) = navigation.tasks_for(world["bureau_analyst"])
    assert task.source == "intake-monitoring-review"
    assert task.overdue
    page = act_as(world["bureau_analyst"]).get(reverse("core:my-work")).text
    assert decision.reference in page
    assert investigation.person.reference in page


def test_a_notified_agency_sees_its_new_stakeholder_notices(act_as, world, investigation):
    decision = services.triage_propose(
        actor=world["coordinator"],
        investigation=investigation,
        data=decision_data(
            outcome="notify",
            notify=[world.municipality.code],
            notice_text="Please expect a return to your municipality in spring.",
        ),
    )
    services.triage_sign_off(actor=world["bureau_analyst"], decision=decision)
    services.triage_sign_off(actor=world["coordinator"], decision=decision)
    assert sources(world["case_manager"]) == ["intake-stakeholder-notice"]
    assert sources(world["probation_officer"]) == []
    assert "My work (1)" in nav(act_as(world["case_manager"]))
    links = nav(act_as(world["probation_officer"]))
    assert "My work (0)" in links
    assert "Stakeholder notices" in links


@pytest.mark.parametrize(
    "role", ["mentor", "evaluator", "administrator", "data_protection_officer"]
)
def test_roles_without_intake_work_see_no_intake_link(act_as, world, role):
    links = nav(act_as(world[role]))
    assert "Investigations" not in links
    assert "Stakeholder notices" not in links
    assert "Signals" not in links


def test_a_task_is_only_what_the_user_may_do(world, investigation, second_analyst):
    """An analyst who sees a person only through emergency access (their case is restricted)
    may read the investigation but not act on it: no task to authorise or sign off, though the
    queue page still lists the decision."""
    services.measure_request(
        actor=world["bureau_analyst"], investigation=investigation, data=measure_data()
    )
    services.triage_propose(
        actor=world["coordinator"], investigation=investigation, data=decision_data()
    )
    assert sources(second_analyst) == ["intake-authorise", "intake-sign-off"]
    case = CaseFactory(person=investigation.person, lead_agency=world.coordination)
    access_services.case_restrict_to(
        actor=world["coordinator"], case=case, users=[world["coordinator"].user]
    )
    assert sources(second_analyst) == []
    access_services.emergency_access_start(
        actor=second_analyst,
        case_reference=case.reference,
        justification="Synthetic: the night shift needs the file urgently.",
    )
    assert selectors.triage_decisions_awaiting_sign_off(actor=second_analyst).exists()
    assert sources(second_analyst) == []
    assert navigation.task_count(second_analyst) == 0


def test_the_count_and_the_list_agree_for_every_demo_membership(seeded):
    for membership in Membership.objects.select_related("agency", "user"):
        count = navigation.task_count(membership)
        if count is None:
            assert not navigation.has_tasks(membership)
        else:
            assert count == len(navigation.tasks_for(membership)), membership
