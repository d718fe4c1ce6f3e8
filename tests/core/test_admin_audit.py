"""Changes made on the admin site are audited like any other write."""

from __future__ import annotations

import pytest
from django.urls import reverse

from continuum.audit.models import AuditEntry
from continuum.core.models import Membership, Role


@pytest.fixture
def admin_client(act_as, world):
    user = world["administrator"].user
    user.is_staff = user.is_superuser = True
    user.save()
    return act_as(world["administrator"])


def test_adding_a_membership_is_recorded(admin_client, world):
    target = world["case_manager"].user
    response = admin_client.post(
        reverse("admin:core_membership_add"),
        {
            "user": target.pk,
            "agency": world.other_municipality.pk,
            "role": Role.CASE_MANAGER,
            "is_active": "on",
            "created_at_0": "2026-11-29",
            "created_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=target, agency=world.other_municipality)
    entry = AuditEntry.objects.get(action="create", object_type="core.membership")
    assert entry.object_id == str(membership.pk)
    assert entry.username == "administrator"
    assert entry.changes["role"] == {"before": None, "after": "case_manager"}


def test_changing_an_agency_records_before_and_after(admin_client, world):
    agency = world.municipality
    response = admin_client.post(
        reverse("admin:core_agency_change", args=[agency.pk]),
        {
            "code": agency.code,
            "name": "Renamed Municipality",
            "type": agency.type,
            "jurisdiction": agency.jurisdiction,
            "safety_house": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="change", object_type="core.agency")
    assert entry.changes["name"]["after"] == "Renamed Municipality"


def test_deleting_a_membership_is_recorded(admin_client, world):
    membership = world["prosecutor"]
    response = admin_client.post(
        reverse("admin:core_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    entry = AuditEntry.objects.get(action="delete", object_type="core.membership")
    assert entry.object_id == str(membership.pk)
