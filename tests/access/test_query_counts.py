"""The access pages cost a number of queries that does not grow with their rows."""

from __future__ import annotations

from django.urls import reverse

from continuum.access import services
from continuum.core.models import Role
from tests.factories import CaseFactory, MembershipFactory, PersonFactory
from tests.querycount import assert_flat


def test_the_emergency_access_review_queue(act_as, world):
    def accesses(n: int) -> None:
        for _ in range(n):
            case = CaseFactory(person=PersonFactory(registered_by=world.police))
            police = MembershipFactory(agency=world.police, role=Role.POLICE_LIAISON)
            services.emergency_access_start(
                actor=police,
                case_reference=case.reference,
                justification="Synthetic: an urgent question from the night shift.",
            )

    url = reverse("access:emergency-queue")
    assert_flat(act_as(world["data_protection_officer"]), url, accesses)


def test_the_case_access_page(act_as, world):
    case = CaseFactory(person=PersonFactory(registered_by=world.institution))
    case.lead_agency = world.coordination
    case.save(update_fields=["lead_agency"])

    def exclusions(n: int) -> None:
        for _ in range(n):
            member = MembershipFactory(agency=world.municipality, role=Role.CASE_MANAGER)
            services.case_exclude_user(
                actor=world["coordinator"],
                case=case,
                user=member.user,
                reason="Synthetic: a family relation of the person.",
            )

    url = reverse("access:case-access", args=[case.reference])
    assert_flat(act_as(world["coordinator"]), url, exclusions)
