"""Authorisation rows for the access app's pages: every role, allowed or refused (404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from continuum.access import services
from continuum.access.models import CaseExclusion, CaseRestriction, EmergencyAccess
from continuum.core.models import Role
from tests.factories import CaseFactory

REASON = "A justification long enough to be accepted by the service."
ROLES = list(Role.values)

BREAK_GLASS = {
    "contact_point",
    "bureau_analyst",
    "coordinator",
    "case_manager",
    "probation_officer",
    "police_liaison",
    "prosecutor",
}
REVIEWS = {"data_protection_officer"}
# The case below is led by the coordination programme: its coordinator keeps the lists.
KEEPS_LISTS = {"coordinator"}


@pytest.fixture
def case(world):
    return CaseFactory(lead_agency=world.coordination, team=[world.institution, world.municipality])


@pytest.mark.parametrize("role", ROLES)
def test_emergency_access_page(act_as, world, role):
    response = act_as(world[role]).get(reverse("access:emergency-start"))
    assert response.status_code == (200 if role in BREAK_GLASS else 404)


@pytest.mark.parametrize("role", ROLES)
def test_emergency_review_queue(act_as, world, role):
    response = act_as(world[role]).get(reverse("access:emergency-queue"))
    assert response.status_code == (200 if role in REVIEWS else 404)


@pytest.mark.parametrize("role", ROLES)
def test_marking_an_emergency_access_reviewed(act_as, world, case, role):
    access = services.emergency_access_start(
        actor=world["police_liaison"], case_reference=case.reference, justification=REASON
    )
    response = act_as(world[role]).post(reverse("access:emergency-review", args=[access.pk]))
    access.refresh_from_db()
    if role in REVIEWS:
        assert response.status_code == 302
        assert access.reviewed_at is not None
    else:
        assert response.status_code == 404
        assert access.reviewed_at is None


@pytest.mark.parametrize("role", ROLES)
def test_case_access_page(act_as, world, case, role):
    response = act_as(world[role]).get(reverse("access:case-access", args=[case.reference]))
    assert response.status_code == (200 if role in KEEPS_LISTS else 404)


@pytest.mark.parametrize("role", ROLES)
def test_excluding_a_user(act_as, world, case, role):
    target = world["mentor"] if role != "mentor" else world["evaluator"]
    response = act_as(world[role]).post(
        reverse("access:case-exclude", args=[case.reference]),
        {"user": target.user.pk, "reason": REASON},
    )
    stored = CaseExclusion.objects.filter(case=case).exists()
    assert (response.status_code, stored) == ((302, True) if role in KEEPS_LISTS else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_removing_an_exclusion(act_as, world, case, role):
    exclusion = services.case_exclude_user(
        actor=world["coordinator"], case=case, user=world["prosecutor"].user, reason=REASON
    )
    url = reverse("access:case-exclusion-remove", args=[case.reference, exclusion.pk])
    response = act_as(world[role]).post(url)
    stored = CaseExclusion.objects.filter(pk=exclusion.pk).exists()
    if role in KEEPS_LISTS:
        assert (response.status_code, stored) == (302, False)
    else:
        assert (response.status_code, stored) == (404, True)


@pytest.mark.parametrize("role", ROLES)
def test_restricting_a_case(act_as, world, case, role):
    response = act_as(world[role]).post(
        reverse("access:case-restrict", args=[case.reference]),
        {"users": [world["case_manager"].user.pk]},
    )
    stored = CaseRestriction.objects.filter(case=case).exists()
    assert (response.status_code, stored) == ((302, True) if role in KEEPS_LISTS else (404, False))


@pytest.mark.parametrize("role", ROLES)
def test_starting_emergency_access(act_as, world, case, role):
    response = act_as(world[role]).post(
        reverse("access:emergency-start"), {"case": case.reference, "justification": REASON}
    )
    started = EmergencyAccess.objects.exists()
    if role in BREAK_GLASS:
        assert (response.status_code, started) == (302, True)
    else:
        assert (response.status_code, started) == (404, False)
