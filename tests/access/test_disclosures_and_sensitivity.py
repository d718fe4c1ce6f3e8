"""The disclosure hook, sensitivity classes and the mentor's minimum."""

from __future__ import annotations

import pytest
from django.urls import reverse

from continuum.access import disclosures, policy
from continuum.core import services as core_services
from continuum.core.models import Sensitivity, TimelineEvent
from tests.conftest import bearer
from tests.factories import CaseFactory, PersonFactory


@pytest.fixture
def far_case(world):
    return CaseFactory(lead_agency=world.coordination, team=[world.other_municipality])


def test_a_case_disclosed_to_an_agency_becomes_visible_to_it(world, far_case):
    prosecutor = world["prosecutor"]
    disclosed_to = {world.prosecution.pk: [far_case.pk]}  # a disclosure made in this test

    def source(membership):
        return disclosed_to.get(membership.agency_id, [])

    assert not policy.scope_cases(prosecutor).filter(pk=far_case.pk).exists()
    with disclosures.source_registered(source):
        assert policy.scope_cases(prosecutor).filter(pk=far_case.pk).exists()
        assert policy.scope_persons(prosecutor).filter(pk=far_case.person_id).exists()
        assert not policy.can_change_case(prosecutor, far_case)
        assert not policy.scope_cases(world["police_liaison"]).filter(pk=far_case.pk).exists()
    assert not policy.scope_cases(prosecutor).filter(pk=far_case.pk).exists()


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("coordinator", {"intelligence", "case", "mentor"}),
        ("bureau_analyst", {"intelligence", "case", "mentor"}),
        ("contact_point", {"case", "mentor"}),
        ("case_manager", {"case", "mentor"}),
        ("probation_officer", {"case", "mentor"}),
        ("mentor", {"mentor"}),
    ],
)
def test_sensitivity_classes_decide_which_records_show(world, role, sees):
    person = PersonFactory(registered_by=world.institution)
    case = CaseFactory(
        person=person,
        lead_agency=world.coordination,
        team=[world.institution, world.bureau, world.municipality, world.probation],
    )
    case.team_members.add(world["mentor"])
    for sensitivity in Sensitivity.values:
        TimelineEvent.objects.create(
            person=person,
            case=case,
            kind="person_registered",
            sensitivity=sensitivity,
            held_by=world.bureau if sensitivity == Sensitivity.INTELLIGENCE else None,
        )
    shown = policy.scope_timeline(world[role], person.timeline.all())
    assert set(shown.values_list("sensitivity", flat=True)) == sees


def test_intelligence_that_no_agency_holds_is_read_by_coordination_only(world):
    person = PersonFactory(registered_by=world.institution)
    CaseFactory(person=person, lead_agency=world.coordination, team=[world.bureau])
    TimelineEvent.objects.create(
        person=person, kind="signal_recorded", sensitivity=Sensitivity.INTELLIGENCE
    )
    for role, shown in (("coordinator", 1), ("bureau_analyst", 0)):
        assert policy.scope_timeline(world[role], person.timeline.all()).count() == shown


def test_a_mentor_reads_only_the_reference_and_the_name(act_as, client, world):
    person = PersonFactory(registered_by=world.institution, national_identifier="999111222")
    case = CaseFactory(person=person, lead_agency=world.coordination)
    case.team_members.add(world["mentor"])
    page = act_as(world["mentor"]).get(reverse("core:person-detail", args=[person.reference]))
    html = page.content.decode()
    assert person.family_name in html
    assert "999111222" not in html
    assert "Placements" not in html
    api = client.get(f"/api/v1/persons/{person.reference}", **bearer(world["mentor"]))
    assert set(api.json()) == {"reference", "given_names", "family_name"}


def test_a_mentors_search_shows_no_custody_status(act_as, world):
    person = PersonFactory(registered_by=world.institution, custody_status="sentenced")
    case = CaseFactory(person=person, lead_agency=world.coordination)
    case.team_members.add(world["mentor"])
    html = act_as(world["mentor"]).get(reverse("core:person-search")).content.decode()
    assert person.reference in html
    assert "Serving a sentence" not in html


@pytest.mark.parametrize("role", ["evaluator", "coordinator", "data_protection_officer"])
def test_aggregate_figures_are_for_evaluation_and_oversight(world, role):
    assert policy.may_read_aggregates(world[role])


@pytest.mark.parametrize("role", ["administrator", "mentor", "case_manager", "police_liaison"])
def test_others_do_not_read_aggregate_figures(world, role):
    assert not policy.may_read_aggregates(world[role])


def test_intelligence_cannot_be_added_to_a_timeline_without_its_holder(world):
    """The kind's registered sensitivity decides; a kind registered as intelligence needs the
    agency that holds it."""
    person = PersonFactory(registered_by=world.institution)
    with pytest.raises(ValueError, match="which agency holds it"):
        core_services.timeline_add(
            person=person, kind="signal_recorded", actor=world["bureau_analyst"]
        )
    assert not TimelineEvent.objects.filter(person=person, sensitivity="intelligence").exists()


def test_a_kind_nobody_registered_is_refused(world):
    person = PersonFactory(registered_by=world.institution)
    with pytest.raises(LookupError, match="not registered"):
        core_services.timeline_add(person=person, kind="no_such_kind", actor=world["coordinator"])
    assert not TimelineEvent.objects.filter(person=person, kind="no_such_kind").exists()
