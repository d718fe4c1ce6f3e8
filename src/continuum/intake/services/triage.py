"""The triage decision: proposed with its rationale and the inclusion criteria met, and in
effect only once the custodial side and the coordination programme both signed it off (two
different users of two different agencies). Taking effect carries out the outcome: close with
no further action, leave a monitoring review, notify stakeholders, or refer to MAR.

Sign-offs lock the decision row: of two concurrent sign-offs one waits for the other, sees
it, and carries out the outcome exactly once; the database's unique indexes back this up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.access import policy
from continuum.access.policy import intake as intake_policy
from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core import services as core_services
from continuum.core.exceptions import Conflict, InvalidInput, NotFound
from continuum.core.models import (
    Agency,
    Case,
    Membership,
    Person,
    Phase,
    unique_reference,
)
from continuum.intake.models import (
    NOTIFIABLE_AGENCY_TYPES,
    InclusionCriterion,
    Investigation,
    InvestigationStatus,
    MonitoringReview,
    ReviewStatus,
    SignalStatus,
    StakeholderNotice,
    TriageDecision,
    TriageOutcome,
    TriageSignOff,
    TriageStatus,
)
from continuum.intake.services.investigation import (
    locked_open_investigation,
    measures_end_with_investigation,
)
from continuum.intake.timeline import IntakeKind


def criteria_for(investigation: Investigation) -> QuerySet[InclusionCriterion]:
    """The inclusion criteria configured for the jurisdiction of the investigating bureau."""
    return InclusionCriterion.objects.filter(
        jurisdiction=investigation.bureau.jurisdiction, is_active=True
    )


def notifiable_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(type__in=NOTIFIABLE_AGENCY_TYPES, is_active=True)


# --- proposing -----------------------------------------------------------------------------


@transaction.atomic
def triage_propose(
    *, actor: Membership, investigation: Investigation, data: dict[str, Any]
) -> TriageDecision:
    """Propose a decision on an open investigation. ``data``: ``outcome``, ``rationale``,
    ``criteria`` (codes of the jurisdiction's criteria met), ``review_on`` (monitor),
    ``notify`` (agency codes) and ``notice_text`` (notify)."""
    investigation = locked_open_investigation(
        actor, investigation, intake_policy.can_propose_triage
    )
    if investigation.decisions.filter(status=TriageStatus.AWAITING_SIGN_OFF).exists():
        raise Conflict(
            _("A decision on this investigation already awaits sign-off; withdraw it first.")
        )
    decision, criteria, notify = _proposal(investigation, data)
    decision.reference = unique_reference(TriageDecision, "T")
    decision.proposed_by = actor
    decision.save()
    decision.criteria_met.set(criteria)
    decision.notify_agencies.set(notify)
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=decision,
        person=investigation.person,
        changes=audit.diff(
            {},
            {
                "outcome": decision.outcome,
                "criteria_met": sorted(c.code for c in criteria),
                "review_on": decision.review_on,
                "notify": sorted(a.code for a in notify),
            },
        ),
    )
    return decision


def _proposal(
    investigation: Investigation, data: dict[str, Any]
) -> tuple[TriageDecision, list[InclusionCriterion], list[Agency]]:
    """The decision (unsaved), its criteria and agencies, or every refusal at once."""
    errors: dict[str, list[str]] = {}
    outcome = data.get("outcome") or ""
    rationale = (data.get("rationale") or "").strip()
    if outcome not in TriageOutcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    if not rationale:
        errors["rationale"] = [_("Give the rationale for the decision.")]
    criteria, criteria_errors = _criteria(investigation, data.get("criteria") or [])
    errors.update(criteria_errors)
    if outcome == TriageOutcome.REFER and not criteria and "criteria" not in errors:
        errors["criteria"] = [_("A referral to MAR needs at least one inclusion criterion met.")]
    review_on = data.get("review_on") if outcome == TriageOutcome.MONITOR else None
    if outcome == TriageOutcome.MONITOR:
        errors.update(_review_errors(review_on))
    notify: list[Agency] = []
    text = ""
    if outcome == TriageOutcome.NOTIFY:
        notify, text, notify_errors = _notify(data)
        errors.update(notify_errors)
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors)
    decision = TriageDecision(
        investigation=investigation,
        outcome=outcome,
        rationale=rationale,
        review_on=review_on,
        notice_text=text,
    )
    return decision, criteria, notify


def _criteria(
    investigation: Investigation, codes: Iterable[str]
) -> tuple[list[InclusionCriterion], dict[str, list[str]]]:
    wanted = {str(code) for code in codes}
    criteria = list(criteria_for(investigation).filter(code__in=wanted))
    unknown = wanted - {c.code for c in criteria}
    if unknown:
        message = _("Not an inclusion criterion of this jurisdiction: %(codes)s.") % {
            "codes": ", ".join(sorted(unknown))
        }
        return criteria, {"criteria": [message]}
    return criteria, {}


def _review_errors(review_on: Any) -> dict[str, list[str]]:
    if not isinstance(review_on, date):
        return {"review_on": [_("A decision to monitor needs a review date.")]}
    if review_on <= timezone.localdate():
        return {"review_on": [_("The review date must be in the future.")]}
    return {}


def _notify(data: dict[str, Any]) -> tuple[list[Agency], str, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    codes = {str(code) for code in data.get("notify") or []}
    agencies = list(notifiable_agencies().filter(code__in=codes))
    if not codes:
        errors["notify"] = [_("Choose the agencies to notify.")]
    elif len(agencies) != len(codes):
        errors["notify"] = [
            _(
                "Choose municipalities, probation, police, prosecution, custodial "
                "institutions or health services to notify."
            )
        ]
    text = (data.get("notice_text") or "").strip()
    if not text:
        errors["notice_text"] = [
            _("Write what the notified agencies are told; they do not see the rationale.")
        ]
    return agencies, text, errors


@transaction.atomic
def triage_withdraw(*, actor: Membership, decision: TriageDecision) -> TriageDecision:
    """Withdraw a decision that is still awaiting sign-off, so another can be proposed."""
    decision = _locked_decision(actor, decision)
    if intake_policy.sign_off_side(actor, decision) is None:
        raise NotFound
    if decision.status != TriageStatus.AWAITING_SIGN_OFF:
        raise Conflict(_("Only a decision awaiting sign-off can be withdrawn."))
    decision.status = TriageStatus.WITHDRAWN
    decision.save(update_fields=["status"])
    audit.record(
        action=Action.CHANGE,
        actor=actor,
        obj=decision,
        person=decision.investigation.person,
        changes={"status": {"before": TriageStatus.AWAITING_SIGN_OFF, "after": decision.status}},
    )
    return decision


def _locked_decision(actor: Membership, decision: TriageDecision) -> TriageDecision:
    """The decision, locked for this transaction, if the actor sees it. On PostgreSQL the rows
    of its investigation, person and bureau are locked with it, before any audit entry (whose
    head row every write locks): a finding, measure or proposal on that investigation waits
    for the decision instead of deadlocking with it. (SQLite serialises every write.)"""
    return policy.lock_visible(
        intake_policy.scope_triage_decisions,
        actor,
        decision,
        related=("investigation__person", "investigation__bureau"),
    )


# --- signing off ---------------------------------------------------------------------------


@transaction.atomic
def triage_sign_off(*, actor: Membership, decision: TriageDecision) -> TriageDecision:
    """Sign a decision off for the actor's side. The second sign-off, by another user of
    another agency, makes it take effect."""
    decision = _locked_decision(actor, decision)
    side = intake_policy.sign_off_side(actor, decision)
    if side is None:
        raise NotFound
    if decision.status != TriageStatus.AWAITING_SIGN_OFF:
        raise Conflict(_("This decision is no longer awaiting sign-off."))
    if decision.outcome == TriageOutcome.MONITOR and _review_errors(decision.review_on):
        raise InvalidInput.on(
            "review_on",
            _("The review date has passed; withdraw the decision and propose it again."),
        )
    _refuse_second_sign_off(actor, decision, side)
    try:
        with transaction.atomic():
            TriageSignOff.objects.create(
                decision=decision,
                side=side,
                membership=actor,
                user=actor.user,
                agency=actor.agency,
            )
    except IntegrityError as error:  # the lock makes this a backstop only
        raise Conflict(_("This decision was signed off just now; reload it.")) from error
    audit.record(
        action=Action.SIGN_OFF,
        actor=actor,
        obj=decision,
        person=decision.investigation.person,
        changes={"side": side},
    )
    if decision.sign_offs.count() == 2:
        _take_effect(actor, decision)
    return decision


def _refuse_second_sign_off(actor: Membership, decision: TriageDecision, side: str) -> None:
    sign_offs = list(decision.sign_offs.all())
    if any(s.user_id == actor.user_id for s in sign_offs):
        raise InvalidInput.on(
            "sign_off",
            _(
                "You have already signed off this decision. The second sign-off must come "
                "from another person of the other side."
            ),
        )
    if any(s.agency_id == actor.agency_id for s in sign_offs):
        raise InvalidInput.on(
            "sign_off",
            _(
                "Your agency has already signed off this decision. The second sign-off must "
                "come from the other side."
            ),
        )
    if any(s.side == side for s in sign_offs):
        raise InvalidInput.on("sign_off", _("This side has already signed off this decision."))


# --- taking effect -------------------------------------------------------------------------


def _take_effect(actor: Membership, decision: TriageDecision) -> None:
    # Lock the investigation too: a finding or measure added at this moment either lands
    # before it closes (and its measures end with it) or is refused as closed.
    investigation = Investigation.objects.select_for_update().get(pk=decision.investigation_id)
    decision.investigation = investigation
    decision.status = TriageStatus.IN_EFFECT
    decision.took_effect_at = timezone.now()
    _settle_earlier_monitoring_reviews(actor, decision)
    signals_status = SignalStatus.ASSESSED
    close = True
    if decision.outcome == TriageOutcome.DOWNSCALE:
        signals_status = SignalStatus.DISMISSED
    elif decision.outcome == TriageOutcome.MONITOR:
        close = False
        assert decision.review_on is not None  # noqa: S101 - the database requires it
        MonitoringReview.objects.create(
            reference=unique_reference(MonitoringReview, "R"),
            decision=decision,
            agency=investigation.bureau,
            due_on=decision.review_on,
        )
    elif decision.outcome == TriageOutcome.NOTIFY:
        _send_stakeholder_notices(decision)
    elif decision.outcome == TriageOutcome.REFER:
        decision.case = _refer_to_mar(actor, decision)
    decision.save(update_fields=["status", "took_effect_at", "case"])
    # The latest decision decides: signals assessed under an earlier "monitor" decision are
    # dismissed when the investigation is downscaled after all. The decision's audit entry
    # names every signal whose status changed.
    changed_signals = investigation.signals.exclude(status=signals_status)
    signal_changes = dict(changed_signals.values_list("reference", "status"))
    changed_signals.update(status=signals_status)
    if close:
        measures_end_with_investigation(investigation, actor)
        investigation.status = InvestigationStatus.CLOSED
        investigation.closed_at = timezone.now()
        investigation.save(update_fields=["status", "closed_at"])
    core_services.timeline_add(
        person=investigation.person,
        kind=IntakeKind.TRIAGE_DECIDED,
        actor=actor,
        held_by=investigation.bureau,
        details={
            "reference": decision.reference,
            "outcome": decision.outcome,
            "review_on": str(decision.review_on or ""),
        },
    )
    audit.record(
        action=Action.CHANGE,
        actor=actor,
        obj=decision,
        person=investigation.person,
        case=decision.case,
        changes={
            "status": {"before": TriageStatus.AWAITING_SIGN_OFF, "after": decision.status},
            "investigation": investigation.status,
            "signals": {"before": signal_changes, "after": signals_status},
            # What the outcome left, so the entry alone shows who was told what was due.
            "notified": sorted(n.recipient.code for n in decision.stakeholder_notices.all()),
            "review_due_on": str(decision.review_on or "") or None,
        },
    )


def _settle_earlier_monitoring_reviews(actor: Membership, decision: TriageDecision) -> None:
    """A new decision on the investigation settles the monitoring reviews that earlier
    "monitor" decisions left open: nobody is asked to review what was decided again since."""
    open_reviews = MonitoringReview.objects.select_for_update().filter(
        decision__investigation=decision.investigation, status=ReviewStatus.DUE
    )
    for review in open_reviews:
        # Nobody did this review: the decision settled it. Its reference is the note, in no
        # one language; the audit entry says who signed the decision off.
        review.status = ReviewStatus.DONE
        review.completed_at = timezone.now()
        review.note = decision.reference
        review.save(update_fields=["status", "completed_at", "note"])
        audit.record(
            action=Action.CHANGE,
            actor=actor,
            obj=review,
            person=decision.investigation.person,
            changes={
                "status": {"before": ReviewStatus.DUE, "after": review.status},
                "settled_by": decision.reference,
            },
        )


def _send_stakeholder_notices(decision: TriageDecision) -> None:
    for agency in decision.notify_agencies.all():
        StakeholderNotice.objects.create(
            reference=unique_reference(StakeholderNotice, "N"),
            decision=decision,
            recipient=agency,
            person=decision.investigation.person,
            text=decision.notice_text,
        )


def _refer_to_mar(actor: Membership, decision: TriageDecision) -> Case:
    """Open the person's MAR case, or join the open one: the custodial institution and the
    referring bureau join the team (the bureau follows what it referred). The referral shows
    on the case's timeline (class ``case``), so the team sees that it happened, not why."""
    investigation = decision.investigation
    person = investigation.person
    institution = investigation.bureau.parent or investigation.bureau
    team = [institution, investigation.bureau]
    coordination = next(
        (s.agency for s in decision.sign_offs.select_related("agency") if s.side == "coordination"),
        None,
    )
    # Referrals of one person from two bureaux queue here: the second joins the first's case.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    case = person.cases.exclude(phase=Phase.CLOSED).first()
    joined = case is not None
    if case is None:
        assert coordination is not None  # noqa: S101 - two sign-offs include coordination
        case = core_services.case_create_on_referral(
            person=person, lead_agency=coordination, actor=actor, team=team
        )
    else:
        case = core_services.case_join_team_on_referral(actor=actor, case=case, agencies=team)
    core_services.timeline_add(
        person=person,
        case=case,
        kind=IntakeKind.REFERRED_TO_MAR,
        actor=actor,
        details={"case": case.reference, "joined": joined, "by": institution.name},
    )
    return case


@transaction.atomic
def monitoring_review_complete(
    *, actor: Membership, review: MonitoringReview, note: str
) -> MonitoringReview:
    """Record that the monitoring review was done. The investigation stays open for a new
    decision (which may again be to monitor)."""
    review = policy.lock_visible(
        intake_policy.scope_monitoring_reviews,
        actor,
        review,
        related=("decision__investigation__person",),
    )
    if not intake_policy.can_complete_monitoring_review(actor, review):
        raise NotFound
    if review.status == ReviewStatus.DONE:
        raise Conflict(_("This review has already been done."))
    note = (note or "").strip()
    if not note:
        raise InvalidInput.on("note", _("Write down what the review found."))
    review.status = ReviewStatus.DONE
    review.completed_by = actor
    review.completed_at = timezone.now()
    review.note = note
    review.save(update_fields=["status", "completed_by", "completed_at", "note"])
    audit.record(
        action=Action.CHANGE,
        actor=actor,
        obj=review,
        person=review.decision.investigation.person,
        changes={"status": {"before": ReviewStatus.DUE, "after": review.status}},
    )
    return review


@transaction.atomic
def stakeholder_notice_acknowledge(
    *, actor: Membership, notice: StakeholderNotice
) -> StakeholderNotice:
    notice = policy.lock_visible(intake_policy.scope_stakeholder_notices, actor, notice)
    if not intake_policy.can_acknowledge_stakeholder_notice(actor, notice):
        raise NotFound
    if notice.acknowledged_at is not None:
        return notice
    notice.acknowledged_by = actor
    notice.acknowledged_at = timezone.now()
    notice.save(update_fields=["acknowledged_by", "acknowledged_at"])
    audit.record(
        action=Action.CHANGE,
        actor=actor,
        obj=notice,
        person=notice.person,
        changes={"acknowledged": {"before": False, "after": True}},
    )
    return notice
