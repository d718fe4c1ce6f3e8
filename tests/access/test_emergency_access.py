"""Break-glass access: justified, time-limited, read-only, announced, reviewed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from continuum.access import policy, selectors, services
from continuum.access.models import EmergencyAccess
from continuum.audit.models import AuditEntry
from continuum.core.exceptions import InvalidInput
from tests.factories import CaseFactory

REASON = "Person reported missing after leave; police need current placement details now."


@pytest.fixture
def far_case(world):
    """A case the police liaison is not on."""
    return CaseFactory(lead_agency=world.coordination, team=[world.other_municipality])


def test_without_emergency_access_the_case_does_not_exist(act_as, world, far_case):
    response = act_as(world["police_liaison"]).get(
        reverse("core:case-detail", args=[far_case.reference])
    )
    assert response.status_code == 404


def test_emergency_access_opens_the_case_with_a_banner_and_an_audit_entry(act_as, world, far_case):
    client = act_as(world["police_liaison"])
    response = client.post(
        reverse("access:emergency-start"), {"case": far_case.reference, "justification": REASON}
    )
    assert response["Location"] == reverse("core:case-detail", args=[far_case.reference])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Emergency access to" in page.content.decode()
    entry = AuditEntry.objects.get(action="emergency_access")
    assert (entry.case_reference, entry.justification) == (far_case.reference, REASON)
    read = AuditEntry.objects.get(action="read", case_reference=far_case.reference)
    assert read.justification == REASON
    access = EmergencyAccess.objects.get()
    assert access.expires_at - access.started_at == timedelta(hours=4)


def test_emergency_access_expires_on_time(world, far_case):
    police = world["police_liaison"]
    access = services.emergency_access_start(
        actor=police, case_reference=far_case.reference, justification=REASON
    )
    assert policy.scope_cases(police).filter(pk=far_case.pk).exists()
    EmergencyAccess.objects.filter(pk=access.pk).update(
        started_at=timezone.now() - timedelta(hours=4, seconds=1),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert not policy.scope_cases(police).filter(pk=far_case.pk).exists()
    assert not policy.scope_persons(police).filter(pk=far_case.person_id).exists()


def test_emergency_access_is_read_only_even_for_the_lead_agency(act_as, world):
    """A case manager of the lead municipality, restricted away from the case, breaks glass:
    they may read it, but neither change it nor its person, nor its lists."""
    manager, coordinator = world["case_manager"], world["coordinator"]
    case = CaseFactory(lead_agency=world.municipality, team=[world.institution])
    services.case_restrict_to(actor=coordinator, case=case, users=[coordinator.user])
    assert not policy.scope_cases(manager).filter(pk=case.pk).exists()
    services.emergency_access_start(
        actor=manager, case_reference=case.reference, justification=REASON
    )
    assert policy.scope_cases(manager).filter(pk=case.pk).exists()
    assert not policy.can_change_case(manager, case)
    assert not policy.can_change_person(manager, case.person)
    client = act_as(manager)
    phase = client.post(reverse("core:case-phase", args=[case.reference]), {"phase": "aftercare"})
    lift = client.post(reverse("access:case-restrict", args=[case.reference]), {"users": []})
    assert (phase.status_code, lift.status_code) == (404, 404)
    case.refresh_from_db()
    assert case.phase != "aftercare"
    assert case.restrictions.exists()


def test_every_emergency_access_is_in_the_review_queue_until_reviewed(act_as, world, far_case):
    services.emergency_access_start(
        actor=world["police_liaison"], case_reference=far_case.reference, justification=REASON
    )
    client = act_as(world["data_protection_officer"])
    queue = client.get(reverse("access:emergency-queue"))
    assert REASON in queue.content.decode()
    access = EmergencyAccess.objects.get()
    client.post(reverse("access:emergency-review", args=[access.pk]), {"note": "Confirmed."})
    access.refresh_from_db()
    assert access.reviewed_by == world["data_protection_officer"]
    assert access.review_note == "Confirmed."
    assert REASON not in client.get(reverse("access:emergency-queue")).content.decode()
    assert AuditEntry.objects.filter(action="emergency_access_reviewed").count() == 1


def test_an_expired_access_stays_in_the_queue(world, far_case):
    access = services.emergency_access_start(
        actor=world["police_liaison"], case_reference=far_case.reference, justification=REASON
    )
    EmergencyAccess.objects.filter(pk=access.pk).update(
        started_at=timezone.now() - timedelta(hours=5),
        expires_at=timezone.now() - timedelta(hours=1),
    )
    queue = selectors.emergency_review_queue(actor=world["data_protection_officer"])
    assert list(queue) == [access]


def test_a_short_justification_is_refused(act_as, world, far_case):
    response = act_as(world["police_liaison"]).post(
        reverse("access:emergency-start"), {"case": far_case.reference, "justification": "now"}
    )
    assert response.context["form"].errors["justification"] == [
        "Explain in at least 30 characters why this is needed."
    ]
    assert not EmergencyAccess.objects.exists()


def test_an_unknown_reference_and_an_excluded_case_get_the_same_answer(world, far_case):
    police = world["police_liaison"]
    services.case_exclude_user(
        actor=world["coordinator"], case=far_case, user=police.user, reason=REASON
    )
    messages = []
    for reference in (far_case.reference, "MAR-NOSUCH"):
        with pytest.raises(InvalidInput) as refused:
            services.emergency_access_start(
                actor=police, case_reference=reference, justification=REASON
            )
        messages.append(refused.value.fields)
    assert messages[0] == messages[1]
    assert not EmergencyAccess.objects.exists()


def test_emergency_access_passes_a_restriction_but_not_an_exclusion(world, far_case):
    police, coordinator = world["police_liaison"], world["coordinator"]
    services.case_restrict_to(actor=coordinator, case=far_case, users=[coordinator.user])
    services.emergency_access_start(
        actor=police, case_reference=far_case.reference, justification=REASON
    )
    assert policy.scope_cases(police).filter(pk=far_case.pk).exists()
    services.case_exclude_user(actor=coordinator, case=far_case, user=police.user, reason=REASON)
    assert not policy.scope_cases(police).filter(pk=far_case.pk).exists()


@pytest.mark.parametrize(
    "role", ["mentor", "evaluator", "administrator", "data_protection_officer"]
)
def test_roles_without_case_work_cannot_break_glass(act_as, world, far_case, role):
    response = act_as(world[role]).post(
        reverse("access:emergency-start"), {"case": far_case.reference, "justification": REASON}
    )
    assert response.status_code == 404
    assert not EmergencyAccess.objects.exists()


def test_an_exclusion_ends_what_the_banner_shows(act_as, world, far_case):
    police = world["police_liaison"]
    services.emergency_access_start(
        actor=police, case_reference=far_case.reference, justification=REASON
    )
    client = act_as(police)
    assert far_case.reference in client.get(reverse("access:emergency-start")).content.decode()
    services.case_exclude_user(
        actor=world["coordinator"], case=far_case, user=police.user, reason=REASON
    )
    assert far_case.reference not in client.get(reverse("access:emergency-start")).content.decode()
