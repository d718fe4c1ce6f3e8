"""Shared test setup: a small world with one membership for every role (the personas), and
helpers to act as one of them in pages and in the API."""

from __future__ import annotations

import os
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from continuum.core import services
from continuum.core.middleware import SESSION_KEY
from continuum.core.models import Agency, AgencyType, Membership, Role
from tests.factories import AgencyFactory, MembershipFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def checkpoints_of_this_test(settings, tmp_path) -> None:
    """Audit checkpoints (written by the application and by ``continuum periodic``) go to a
    file of the test's own: a checkpoint of one test's log must not meet another's."""
    settings.CONTINUUM_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Hashing strength is asserted where it matters; elsewhere it only slows the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    institution: Agency
    bureau: Agency
    coordination: Agency
    municipality: Agency
    probation: Agency
    police: Agency
    prosecution: Agency
    ngo: Agency
    other_institution: Agency
    other_municipality: Agency
    members: dict[str, Membership]

    def __getitem__(self, role: str) -> Membership:
        return self.members[role]


ROLE_HOMES = {
    Role.CONTACT_POINT: "institution",
    Role.BUREAU_ANALYST: "bureau",
    Role.COORDINATOR: "coordination",
    Role.CASE_MANAGER: "municipality",
    Role.PROBATION_OFFICER: "probation",
    Role.POLICE_LIAISON: "police",
    Role.PROSECUTOR: "prosecution",
    Role.MENTOR: "ngo",
    Role.DATA_PROTECTION_OFFICER: "coordination",
    Role.EVALUATOR: "coordination",
    Role.ADMINISTRATOR: "coordination",
}


@pytest.fixture
def world(db: None) -> World:
    institution = AgencyFactory(code="pi-a", name="PI Alpha", type=AgencyType.CUSTODIAL_INSTITUTION)
    agencies = {
        "institution": institution,
        "bureau": AgencyFactory(
            code="bureau-a", type=AgencyType.INTELLIGENCE_BUREAU, parent=institution
        ),
        "coordination": AgencyFactory(code="coord", type=AgencyType.COORDINATION_PROGRAMME),
        "municipality": AgencyFactory(code="gem-a", type=AgencyType.MUNICIPALITY),
        "probation": AgencyFactory(code="prob", type=AgencyType.PROBATION),
        "police": AgencyFactory(code="pol", type=AgencyType.POLICE),
        "prosecution": AgencyFactory(code="om", type=AgencyType.PROSECUTION),
        "ngo": AgencyFactory(code="ngo", type=AgencyType.NGO),
        "other_institution": AgencyFactory(
            code="pi-b", name="PI Beta", type=AgencyType.CUSTODIAL_INSTITUTION
        ),
        "other_municipality": AgencyFactory(code="gem-b", type=AgencyType.MUNICIPALITY),
    }
    members = {
        role: MembershipFactory(
            role=role, agency=agencies[home], user__username=role.replace("_", "-")
        )
        for role, home in ROLE_HOMES.items()
    }
    return World(**agencies, members=members)


def sign_in(client: Client, membership: Membership) -> Client:
    """Sign ``client`` in as the membership's user, acting in that membership."""
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.pk
    session.save()
    return client


@pytest.fixture
def act_as(client: Client):
    def _act_as(membership: Membership) -> Client:
        return sign_in(client, membership)

    return _act_as


def bearer(membership: Membership) -> dict[str, str]:
    issued = services.token_issue(membership=membership)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}


@pytest.fixture
def seeded(db) -> str:
    """The whole demo world, seeded as ``continuum demo --seed-only`` does; its output."""
    out = StringIO()
    call_command("demo", "--seed-only", stdout=out)
    return out.getvalue()
