"""Reads of the intake app, always scoped by the access policy."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from continuum.access import policy
from continuum.core.models import Agency, Membership, Role
from continuum.intake.models import ContactPointTraining, Routing, Signal, SignalStatus


def _with_relations(signals: QuerySet[Signal]) -> QuerySet[Signal]:
    return signals.select_related("person", "reporting_agency", "routed_to").order_by(
        "-created_at", "-id"
    )


def signal_list(*, actor: Membership) -> QuerySet[Signal]:
    return _with_relations(policy.scope_signals(actor))


def signal_get(*, actor: Membership, reference: str) -> Signal:
    return policy.get_signal(actor, reference)


def signal_queue(*, actor: Membership) -> QuerySet[Signal]:
    """Signals awaiting assessment routed to the actor's agency (for a bureau, also those
    passed on to its institution)."""
    if not policy.can_receive_signals(actor):
        return Signal.objects.none()
    routed_here = [actor.agency_id]
    if actor.role == Role.BUREAU_ANALYST and actor.agency.parent_id:
        routed_here.append(actor.agency.parent_id)
    return _with_relations(
        policy.scope_signals(actor).filter(
            status=SignalStatus.AWAITING_ASSESSMENT, routed_to__in=routed_here
        )
    )


def signals_passed_on(*, actor: Membership) -> QuerySet[Signal]:
    """For coordination: external signals passed on to the institution holding the person."""
    if not policy.sees_everything(actor):
        return Signal.objects.none()
    return _with_relations(
        policy.scope_signals(actor).filter(
            routing=Routing.PASSED_ON, status=SignalStatus.AWAITING_ASSESSMENT
        )
    )


def contact_point_register(*, actor: Membership) -> list[tuple[Agency, list[ContactPointTraining]]]:
    """Per institution the actor may read, its contact points' trainings, newest first."""
    institutions = list(policy.contact_point_institutions(actor).order_by("name"))
    trainings = (
        ContactPointTraining.objects.filter(membership__agency__in=institutions)
        .select_related("membership__user", "membership__agency")
        .order_by("membership__agency__name", "membership__user__last_name", "-expires_on")
    )
    by_institution: dict[int, list[ContactPointTraining]] = {i.pk: [] for i in institutions}
    for training in trainings:
        by_institution[training.membership.agency_id].append(training)
    return [(i, by_institution[i.pk]) for i in institutions]


def has_current_training(membership: Membership) -> bool:
    today = timezone.localdate()
    return ContactPointTraining.objects.filter(
        membership=membership, trained_on__lte=today, expires_on__gt=today
    ).exists()


def contact_points_of_institutions(*, actor: Membership) -> QuerySet[Membership]:
    """The active contact points of the institutions whose register the actor reads."""
    return (
        Membership.objects.filter(
            agency__in=policy.contact_point_institutions(actor),
            role=Role.CONTACT_POINT,
            is_active=True,
        )
        .select_related("user", "agency")
        .order_by("agency__name", "user__last_name")
    )
