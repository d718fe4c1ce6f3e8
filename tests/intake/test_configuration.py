"""Intake configuration per jurisdiction, kept by the administrator on the admin site:
inclusion criteria and the central signals unit. Every change is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from continuum.audit.models import AuditEntry
from continuum.core.models import Role
from continuum.intake.models import InclusionCriterion, JurisdictionSetting


@pytest.fixture
def admin_client(act_as, world):
    user = world["administrator"].user
    user.is_staff = user.is_superuser = True
    user.save()
    return act_as(world["administrator"])


def test_the_administrator_adds_an_inclusion_criterion_and_it_is_audited(admin_client):
    response = admin_client.post(
        reverse("admin:intake_inclusioncriterion_add"),
        {
            "jurisdiction": "NL",
            "code": "recruitment",
            "label": "Recruitment of others",
            "description": "",
            "position": "3",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    criterion = InclusionCriterion.objects.get(jurisdiction="NL", code="recruitment")
    entry = AuditEntry.objects.get(action="create", object_type="intake.inclusioncriterion")
    assert entry.object_id == str(criterion.pk)
    assert entry.changes["label"] == {"before": None, "after": "Recruitment of others"}


def test_a_code_is_unique_within_its_jurisdiction(admin_client):
    InclusionCriterion.objects.create(jurisdiction="NL", code="ideology", label="Ideology")
    response = admin_client.post(
        reverse("admin:intake_inclusioncriterion_add"),
        {"jurisdiction": "NL", "code": "ideology", "label": "Again", "position": "0"},
    )
    assert response.status_code == 200
    assert InclusionCriterion.objects.filter(code="ideology").count() == 1


def test_the_central_signals_unit_must_be_a_bureau(admin_client, world):
    response = admin_client.post(
        reverse("admin:intake_jurisdictionsetting_add"),
        {"jurisdiction": "NL", "central_signals_unit": world.municipality.pk},
    )
    assert response.status_code == 200
    assert not JurisdictionSetting.objects.exists()
    response = admin_client.post(
        reverse("admin:intake_jurisdictionsetting_add"),
        {"jurisdiction": "NL", "central_signals_unit": world.bureau.pk},
    )
    assert response.status_code == 302
    assert JurisdictionSetting.objects.get().central_signals_unit == world.bureau


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize(
    "route", ["admin:intake_inclusioncriterion_changelist", "admin:intake_jurisdictionsetting_add"]
)
def test_only_the_administrator_reaches_the_configuration(act_as, world, role, route):
    administrator = world["administrator"].user
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    response = act_as(world[role]).get(reverse(route))
    if role == Role.ADMINISTRATOR:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_criterion_is_switched_off_never_deleted_and_keeps_its_code(admin_client):
    criterion = InclusionCriterion.objects.create(
        jurisdiction="NL", code="ideology", label="Ideology", position=1
    )
    delete = reverse("admin:intake_inclusioncriterion_delete", args=[criterion.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        reverse("admin:intake_inclusioncriterion_change", args=[criterion.pk]),
        {
            "jurisdiction": "Elsewhere",
            "code": "renamed",
            "label": "Ideological motive",
            "description": "",
            "position": "1",
        },
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.jurisdiction, criterion.code) == ("NL", "ideology")
    assert (criterion.label, criterion.is_active) == ("Ideological motive", False)
