"""Reads of the intake app, always scoped by the access policy."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from continuum.access import policy
from continuum.access.policy import intake as intake_policy
from continuum.core.models import Agency, Membership, Role
from continuum.intake.models import (
    ContactPointTraining,
    Finding,
    Investigation,
    Measure,
    MeasureStatus,
    MonitoringReview,
    ReviewStatus,
    Routing,
    Signal,
    SignalStatus,
    StakeholderNotice,
    TriageDecision,
    TriageStatus,
)


def _with_relations(signals: QuerySet[Signal]) -> QuerySet[Signal]:
    return signals.select_related("person", "reporting_agency", "routed_to").order_by(
        "-created_at", "-id"
    )


def signal_list(*, actor: Membership) -> QuerySet[Signal]:
    """The signals the actor sees, each with ``visible_investigation`` (the reference of its
    investigation when the actor may read that, else None) and ``assessment_visible`` (see
    :func:`~continuum.access.policy.intake.may_see_assessment`), in one query for the whole list."""
    visible = (
        intake_policy.scope_investigations(actor)
        .filter(pk=OuterRef("investigation_id"))
        .values("reference")[:1]
    )
    return _with_relations(intake_policy.scope_signals(actor)).annotate(
        visible_investigation=Subquery(visible),
        assessment_visible=ExpressionWrapper(
            intake_policy.received_signals(actor), output_field=BooleanField()
        ),
    )


def signal_get(*, actor: Membership, reference: str) -> Signal:
    return intake_policy.get_signal(actor, reference)


def signal_queue(*, actor: Membership) -> QuerySet[Signal]:
    """Signals awaiting assessment routed to the actor's agency (for a bureau, also those
    passed on to its institution)."""
    if not intake_policy.can_receive_signals(actor):
        return Signal.objects.none()
    return _with_relations(
        intake_policy.scope_signals(actor).filter(
            status=SignalStatus.AWAITING_ASSESSMENT,
            routed_to__in=policy.holding_agency_ids(actor),
        )
    )


def signals_passed_on(*, actor: Membership) -> QuerySet[Signal]:
    """For coordination: external signals passed on to the institution holding the person."""
    if not intake_policy.can_see_passed_on_signals(actor):
        return Signal.objects.none()
    return _with_relations(
        intake_policy.scope_signals(actor).filter(
            routing=Routing.PASSED_ON, status=SignalStatus.AWAITING_ASSESSMENT
        )
    )


def contact_point_register(*, actor: Membership) -> list[tuple[Agency, list[ContactPointTraining]]]:
    """Per institution the actor may read, its contact points' trainings, newest first."""
    institutions = list(intake_policy.contact_point_institutions(actor).order_by("name"))
    trainings = (
        ContactPointTraining.objects.filter(membership__agency__in=institutions)
        .select_related("membership__user", "membership__agency")
        .order_by("membership__agency__name", "membership__user__last_name", "-expires_on")
    )
    by_institution: dict[int, list[ContactPointTraining]] = {i.pk: [] for i in institutions}
    for training in trainings:
        by_institution[training.membership.agency_id].append(training)
    return [(i, by_institution[i.pk]) for i in institutions]


def contact_points_of_institutions(*, actor: Membership) -> QuerySet[Membership]:
    """The active contact points of the institutions whose register the actor reads."""
    return (
        Membership.objects.filter(
            agency__in=intake_policy.contact_point_institutions(actor),
            role=Role.CONTACT_POINT,
            is_active=True,
        )
        .select_related("user", "agency")
        .order_by("agency__name", "user__last_name")
    )


# --- investigation and triage ----------------------------------------------------------------


def investigation_list(*, actor: Membership, status: str | None = None) -> QuerySet[Investigation]:
    investigations = intake_policy.scope_investigations(actor).select_related("person", "bureau")
    if status:
        investigations = investigations.filter(status=status)
    return investigations.order_by("-opened_at", "-id")


def investigation_get(*, actor: Membership, reference: str) -> Investigation:
    return intake_policy.get_investigation(actor, reference)


def investigation_signals(*, actor: Membership, investigation: Investigation) -> QuerySet[Signal]:
    return _with_relations(intake_policy.scope_signals(actor).filter(investigation=investigation))


def investigation_findings(*, actor: Membership, investigation: Investigation) -> QuerySet[Finding]:
    if not intake_policy.scope_investigations(actor).filter(pk=investigation.pk).exists():
        return Finding.objects.none()
    return investigation.findings.select_related("recorded_by__user", "recorded_by__agency")


def _flag(condition: Q) -> ExpressionWrapper[Q]:
    """A policy condition as a boolean column, so a list carries each row's right in the
    query that reads it, instead of one query per row."""
    return ExpressionWrapper(condition, output_field=BooleanField())


def investigation_measures(*, actor: Membership, investigation: Investigation) -> QuerySet[Measure]:
    """The investigation's measures, each with ``may_authorise`` (the actor may authorise or
    renew it: :func:`~continuum.access.policy.intake.authorisable_measures`)."""
    return (
        intake_policy.scope_measures(actor)
        .filter(investigation=investigation)
        .select_related("requested_by__user", "authorised_by__user", "ended_by__user")
        .annotate(may_authorise=_flag(intake_policy.authorisable_measures(actor)))
    )


def investigation_triage_decisions(
    *, actor: Membership, investigation: Investigation
) -> QuerySet[TriageDecision]:
    """The investigation's triage decisions, each with ``case_visible`` (the actor sees the
    MAR case a referral opened or joined)."""
    return (
        intake_policy.scope_triage_decisions(actor)
        .filter(investigation=investigation)
        .select_related("proposed_by__user", "proposed_by__agency", "case")
        .prefetch_related("criteria_met", "notify_agencies", "sign_offs__membership__user")
        .annotate(case_visible=_flag(Q(case__in=policy.scope_cases(actor).values("pk"))))
    )


def measure_get(*, actor: Membership, reference: str) -> Measure:
    return intake_policy.get_measure(actor, reference)


def measures_overdue(*, actor: Membership) -> QuerySet[Measure]:
    """Running measures past their end date: to be renewed or ended."""
    return (
        intake_policy.scope_measures(actor)
        .filter(status=MeasureStatus.ACTIVE, ends_on__lt=timezone.localdate())
        .select_related("investigation__person", "investigation__bureau", "authorised_by__user")
        .order_by("ends_on", "id")
    )


def measures_running(*, actor: Membership) -> QuerySet[Measure]:
    """Measures awaiting authorisation or running, soonest end first (overdue ones lead)."""
    return (
        intake_policy.scope_measures(actor)
        .filter(status__in=[MeasureStatus.REQUESTED, MeasureStatus.ACTIVE])
        .select_related("investigation__person", "investigation__bureau", "requested_by__user")
        .order_by("ends_on", "id")
    )


def triage_decision_get(*, actor: Membership, reference: str) -> TriageDecision:
    return intake_policy.get_triage_decision(actor, reference)


def triage_decision_list(*, actor: Membership) -> QuerySet[TriageDecision]:
    """The decisions on the investigations the actor may read, newest first."""
    return intake_policy.scope_triage_decisions(actor).order_by("-proposed_at", "-id")


def triage_decisions_awaiting_sign_off(*, actor: Membership) -> QuerySet[TriageDecision]:
    """Decisions the actor's side has still to sign off."""
    pending = (
        intake_policy.scope_triage_decisions(actor)
        .filter(status=TriageStatus.AWAITING_SIGN_OFF)
        .select_related("investigation__person", "investigation__bureau", "proposed_by__user")
        .prefetch_related("sign_offs")
        .order_by("proposed_at", "id")
    )
    return pending.exclude(sign_offs__agency=actor.agency_id)


def monitoring_reviews_open(*, actor: Membership) -> QuerySet[MonitoringReview]:
    """Open monitoring reviews, soonest first, each with ``may_complete`` (the actor may record
    it: :func:`~continuum.access.policy.intake.completable_monitoring_reviews`)."""
    return (
        intake_policy.scope_monitoring_reviews(actor)
        .filter(status=ReviewStatus.DUE)
        .select_related("decision__investigation__person", "agency")
        .annotate(may_complete=_flag(intake_policy.completable_monitoring_reviews(actor)))
        .order_by("due_on", "id")
    )


def monitoring_review_get(*, actor: Membership, reference: str) -> MonitoringReview:
    return intake_policy.get_monitoring_review(actor, reference)


def stakeholder_notice_list(*, actor: Membership) -> QuerySet[StakeholderNotice]:
    return (
        intake_policy.scope_stakeholder_notices(actor)
        .select_related("person", "decision", "acknowledged_by__user")
        .order_by("acknowledged_at", "-created_at", "-id")
    )


def stakeholder_notice_get(*, actor: Membership, reference: str) -> StakeholderNotice:
    return intake_policy.get_stakeholder_notice(actor, reference)


def measures_to_authorise(*, actor: Membership) -> QuerySet[Measure]:
    """Measures awaiting authorisation that the actor may authorise: requested in its bureau
    by someone else (:func:`~continuum.access.policy.intake.authorisable_measures`)."""
    return (
        intake_policy.scope_measures(actor)
        .filter(intake_policy.authorisable_measures(actor), status=MeasureStatus.REQUESTED)
        .select_related("investigation__person", "requested_by__user")
        .order_by("starts_on", "id")
    )


def monitoring_reviews_due(*, actor: Membership) -> QuerySet[MonitoringReview]:
    """Monitoring reviews due today or earlier that the actor may record."""
    return monitoring_reviews_open(actor=actor).filter(
        intake_policy.completable_monitoring_reviews(actor), due_on__lte=timezone.localdate()
    )


def notices_unacknowledged(*, actor: Membership) -> QuerySet[StakeholderNotice]:
    """Stakeholder notices to the actor's agency that nobody there has acknowledged yet."""
    return (
        intake_policy.scope_stakeholder_notices(actor)
        .filter(acknowledged_at__isnull=True)
        .select_related("person", "decision")
        .order_by("created_at", "id")
    )
