"""Writes of the access app: emergency access and its review, exclusion and restriction lists.
Each is one transaction with its audit entry."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.access import policy
from continuum.access.models import CaseExclusion, CaseRestriction, EmergencyAccess
from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core.exceptions import Conflict, InvalidInput, NotFound
from continuum.core.models import Case, Membership, Phase, User

MIN_JUSTIFICATION = 30


def _justified(field: str, text: str) -> str:
    text = text.strip()
    if len(text) < MIN_JUSTIFICATION:
        message = _("Explain in at least %(count)d characters why this is needed.") % {
            "count": MIN_JUSTIFICATION
        }
        raise InvalidInput(message, {field: [message]})
    return text


def _case_for_emergency(actor: Membership, reference: str) -> Case:
    """The case by reference, unless the actor is excluded from it: an excluded user gets the
    same answer as for a reference that does not exist."""
    case = (
        Case.objects.select_related("person")
        .filter(reference=reference.strip().upper())
        .exclude(phase=Phase.CLOSED)
        .exclude(exclusions__user=actor.user_id)
        .first()
    )
    if case is None:
        message = _("There is no open case with this reference that you may access.")
        raise InvalidInput(message, {"case": [message]})
    return case


@transaction.atomic
def emergency_access_start(
    *, actor: Membership, case_reference: str, justification: str
) -> EmergencyAccess:
    """Break glass: read access to one case for a limited time, for the data-protection
    officer to review. Starting it is recorded in the audit log with the justification."""
    if not policy.can_break_glass(actor):
        raise NotFound
    justification = _justified("justification", justification)
    case = _case_for_emergency(actor, case_reference)
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        membership=actor,
        case=case,
        justification=justification,
        started_at=now,
        expires_at=now + timedelta(hours=settings.CONTINUUM_EMERGENCY_ACCESS_HOURS),
    )
    audit.record(
        action=Action.EMERGENCY_ACCESS,
        actor=actor,
        obj=access,
        person=case.person,
        case=case,
        justification=justification,
        changes={"expires_at": access.expires_at.isoformat()},
    )
    return access


@transaction.atomic
def emergency_access_review(
    *, actor: Membership, access: EmergencyAccess, note: str
) -> EmergencyAccess:
    access = policy.lock_visible(
        policy.scope_emergency_accesses_to_review, actor, access, related=("case__person",)
    )
    if access.reviewed_at is not None:
        raise Conflict(_("This emergency access has already been reviewed."))
    access.reviewed_at = timezone.now()
    access.reviewed_by = actor
    access.review_note = note.strip()
    access.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    audit.record(
        action=Action.EMERGENCY_ACCESS_REVIEWED,
        actor=actor,
        obj=access,
        person=access.case.person,
        case=access.case,
        changes={"review_note": access.review_note},
    )
    return access


@transaction.atomic
def case_exclude_user(*, actor: Membership, case: Case, user: User, reason: str) -> CaseExclusion:
    """Exclude a named user from one case. They can then no longer see it, or its person."""
    if not policy.can_manage_case_access(actor, case):
        raise NotFound
    reason = _justified("reason", reason)
    if user.pk == actor.user_id:
        message = _("You cannot exclude yourself.")
        raise InvalidInput(message, {"user": [message]})
    try:
        with transaction.atomic():
            exclusion = CaseExclusion.objects.create(
                case=case, user=user, reason=reason, created_by=actor
            )
    except IntegrityError as error:
        message = _("This user is already excluded from the case.")
        raise InvalidInput(message, {"user": [message]}) from error
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=exclusion,
        person=case.person,
        case=case,
        justification=reason,
        changes={"excluded_user": user.get_username()},
    )
    return exclusion


@transaction.atomic
def case_exclusion_remove(*, actor: Membership, exclusion: CaseExclusion) -> None:
    case = exclusion.case
    if not policy.can_manage_case_access(actor, case):
        raise NotFound
    audit.record(
        action=Action.DELETE,
        actor=actor,
        obj=exclusion,
        person=case.person,
        case=case,
        changes={"excluded_user": {"before": exclusion.user.get_username(), "after": None}},
    )
    exclusion.delete()


@transaction.atomic
def case_restrict_to(*, actor: Membership, case: Case, users: list[User]) -> list[User]:
    """Replace the case's restriction list. An empty list lifts the restriction. The user who
    sets a restriction stays on it, so nobody locks themselves out by mistake."""
    # Lock the case so that two saves of the list queue instead of racing on the rows.
    case = policy.lock_visible(policy.scope_cases, actor, case)
    if not policy.can_manage_case_access(actor, case):
        raise NotFound
    wanted = {user.pk: user for user in users}
    if wanted:
        wanted.setdefault(actor.user_id, actor.user)
    before = sorted(CaseRestriction.objects.filter(case=case).values_list("user_id", flat=True))
    CaseRestriction.objects.filter(case=case).exclude(user__in=list(wanted)).delete()
    for user in wanted.values():
        CaseRestriction.objects.get_or_create(case=case, user=user, defaults={"created_by": actor})
    after = sorted(wanted)
    if before != after:
        audit.record(
            action=Action.CHANGE,
            actor=actor,
            obj=case,
            person=case.person,
            case=case,
            changes={"restricted_to": {"before": before, "after": after}},
        )
    return list(wanted.values())
