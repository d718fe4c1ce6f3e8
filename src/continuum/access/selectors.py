"""Reads of the access app."""

from __future__ import annotations

from django.db.models import QuerySet

from continuum.access import policy
from continuum.access.models import CaseExclusion, CaseRestriction, EmergencyAccess
from continuum.core.exceptions import NotFound
from continuum.core.models import Case, Membership, User

REVIEWED_SHOWN = 50


def active_emergency_accesses(membership: Membership) -> QuerySet[EmergencyAccess]:
    """The membership's running emergency accesses to cases it still may see (an exclusion
    made meanwhile ends what the banner shows, as it ends the access)."""
    return (
        EmergencyAccess.objects.active(membership)
        .filter(case__in=policy.scope_cases(membership).values("pk"))
        .select_related("case")
    )


def emergency_review_queue(*, actor: Membership) -> QuerySet[EmergencyAccess]:
    """Unreviewed emergency accesses, oldest first: the data-protection officer's queue."""
    if not policy.can_review_emergency_access(actor):
        raise NotFound
    return (
        EmergencyAccess.objects.filter(reviewed_at__isnull=True)
        .select_related("case", "membership__user", "membership__agency")
        .order_by("started_at")
    )


def emergency_recently_reviewed(*, actor: Membership) -> QuerySet[EmergencyAccess]:
    if not policy.can_review_emergency_access(actor):
        raise NotFound
    return (
        EmergencyAccess.objects.filter(reviewed_at__isnull=False)
        .select_related("case", "membership__user", "membership__agency", "reviewed_by__user")
        .order_by("-reviewed_at")[:REVIEWED_SHOWN]
    )


def emergency_access_get(*, actor: Membership, pk: int) -> EmergencyAccess:
    access = emergency_review_queue(actor=actor).filter(pk=pk).first()
    if access is None:
        raise NotFound
    return access


def case_exclusions(*, actor: Membership, case: Case) -> QuerySet[CaseExclusion]:
    if not policy.can_manage_case_access(actor, case):
        raise NotFound
    return (
        CaseExclusion.objects.filter(case=case)
        .select_related("user", "created_by__user")
        .order_by("created_at")
    )


def case_restricted_to(*, actor: Membership, case: Case) -> QuerySet[User]:
    if not policy.can_manage_case_access(actor, case):
        raise NotFound
    ids = CaseRestriction.objects.filter(case=case).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("username")


def people_to_name() -> QuerySet[User]:
    """Accounts that can be put on an exclusion or restriction list."""
    return User.objects.filter(is_active=True, is_system_account=False).order_by(
        "last_name", "first_name", "username"
    )
