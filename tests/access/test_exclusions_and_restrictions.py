"""Per-case exclusion and restriction lists, as probation systems have them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from continuum.access import policy, services
from continuum.access.models import CaseExclusion
from continuum.audit.models import AuditEntry
from continuum.core.exceptions import InvalidInput
from tests.factories import CaseFactory, PersonFactory, PlacementFactory

REASON = "Knows the person privately from their neighbourhood."


@pytest.fixture
def team_case(world):
    person = PersonFactory(registered_by=world.institution)
    PlacementFactory(person=person, institution=world.institution)
    return CaseFactory(
        person=person,
        lead_agency=world.coordination,
        team=[world.institution, world.municipality, world.probation],
    )


def test_an_excluded_user_sees_neither_the_case_nor_the_person(act_as, world, team_case):
    manager = world["case_manager"]
    services.case_exclude_user(
        actor=world["coordinator"], case=team_case, user=manager.user, reason=REASON
    )
    client = act_as(manager)
    assert client.get(reverse("core:case-detail", args=[team_case.reference])).status_code == 404
    person_url = reverse("core:person-detail", args=[team_case.person.reference])
    assert client.get(person_url).status_code == 404
    listing = client.get(reverse("core:case-list")).content.decode()
    assert team_case.reference not in listing


def test_exclusion_applies_even_to_the_holding_institution_and_coordination(world, team_case):
    contact, coordinator = world["contact_point"], world["coordinator"]
    services.case_exclude_user(actor=coordinator, case=team_case, user=contact.user, reason=REASON)
    assert not policy.scope_persons(contact).filter(pk=team_case.person_id).exists()
    other = world["coordinator"]
    assert policy.scope_cases(other).filter(pk=team_case.pk).exists()


def test_others_on_the_team_still_see_the_case(world, team_case):
    services.case_exclude_user(
        actor=world["coordinator"],
        case=team_case,
        user=world["case_manager"].user,
        reason=REASON,
    )
    assert policy.scope_cases(world["probation_officer"]).filter(pk=team_case.pk).exists()


def test_a_restricted_case_is_visible_only_to_named_users(world, team_case):
    coordinator, probation = world["coordinator"], world["probation_officer"]
    services.case_restrict_to(actor=coordinator, case=team_case, users=[probation.user])
    assert policy.scope_cases(probation).filter(pk=team_case.pk).exists()
    assert policy.scope_cases(coordinator).filter(pk=team_case.pk).exists()  # kept on the list
    for role in ("case_manager", "contact_point", "bureau_analyst"):
        assert not policy.scope_cases(world[role]).filter(pk=team_case.pk).exists(), role
        assert not policy.scope_persons(world[role]).filter(pk=team_case.person_id).exists(), role


def test_lifting_a_restriction_restores_the_team(world, team_case):
    coordinator, manager = world["coordinator"], world["case_manager"]
    services.case_restrict_to(actor=coordinator, case=team_case, users=[coordinator.user])
    services.case_restrict_to(actor=coordinator, case=team_case, users=[])
    assert policy.scope_cases(manager).filter(pk=team_case.pk).exists()
    changes = [e.changes for e in AuditEntry.objects.filter(action="change")]
    assert len(changes) == 2


def test_excluding_twice_or_oneself_is_refused(world, team_case):
    coordinator = world["coordinator"]
    services.case_exclude_user(
        actor=coordinator, case=team_case, user=world["case_manager"].user, reason=REASON
    )
    with pytest.raises(InvalidInput, match="already excluded"):
        services.case_exclude_user(
            actor=coordinator, case=team_case, user=world["case_manager"].user, reason=REASON
        )
    with pytest.raises(InvalidInput, match="cannot exclude yourself"):
        services.case_exclude_user(
            actor=coordinator, case=team_case, user=coordinator.user, reason=REASON
        )
    assert CaseExclusion.objects.count() == 1


def test_managing_the_lists_through_the_page(act_as, world, team_case):
    client = act_as(world["coordinator"])
    url = reverse("access:case-exclude", args=[team_case.reference])
    response = client.post(url, {"user": world["mentor"].user.pk, "reason": REASON})
    assert response.status_code == 302
    exclusion = CaseExclusion.objects.get()
    assert exclusion.created_by == world["coordinator"]
    assert AuditEntry.objects.filter(action="create", justification=REASON).exists()
    remove = reverse("access:case-exclusion-remove", args=[team_case.reference, exclusion.pk])
    assert client.post(remove).status_code == 302
    assert not CaseExclusion.objects.exists()
    removed = AuditEntry.objects.get(action="delete")
    assert (removed.object_type, removed.object_id) == ("access.caseexclusion", str(exclusion.pk))


def test_an_exclusion_without_a_reason_is_refused_on_the_page(act_as, world, team_case):
    response = act_as(world["coordinator"]).post(
        reverse("access:case-exclude", args=[team_case.reference]),
        {"user": world["mentor"].user.pk, "reason": ""},
    )
    assert response.status_code == 400
    assert response.context["exclusion_form"].errors["reason"] == ["This field is required."]
