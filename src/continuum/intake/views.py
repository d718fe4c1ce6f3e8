"""Pages of the intake app: parse the form, get the object through the access policy, call one
service, render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from continuum.access import policy
from continuum.access.policy import intake as intake_policy
from continuum.audit import services as audit
from continuum.core.exceptions import ApplicationError, Conflict, InvalidInput
from continuum.core.middleware import acting_membership
from continuum.core.models import Membership
from continuum.core.views import acting
from continuum.intake import selectors, services
from continuum.intake.forms import (
    ActionForm,
    DismissForm,
    FindingForm,
    MeasureForm,
    MonitoringReviewForm,
    RenewForm,
    SignalForm,
    TrainingForm,
    TriageForm,
    apply_error,
)
from continuum.intake.models import (
    Investigation,
    InvestigationStatus,
    Measure,
    MeasureStatus,
    MonitoringReview,
    Signal,
    SignalStatus,
    TriageDecision,
    TriageStatus,
)

# What a refused write answers: the page again, with the service's message on the form.
REFUSED = (InvalidInput, Conflict)


@acting
def signal_new(request: HttpRequest) -> HttpResponse:
    actor = acting_membership(request)
    if not intake_policy.can_record_signal(actor):
        raise Http404
    form = SignalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            signal = services.signal_record(
                actor=actor,
                data=form.signal_data(),
                new_person=form.new_person(),
                attachments=form.cleaned_data["attachments"],
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(
                request,
                _("Signal %(reference)s recorded and routed to %(agency)s.")
                % {"reference": signal.reference, "agency": signal.routed_to.name},
            )
            return redirect("intake:signal-detail", reference=signal.reference)
    return render(request, "intake/signal_form.html", {"form": form})


@acting
def signal_queue(request: HttpRequest) -> HttpResponse:
    actor = acting_membership(request)
    if not intake_policy.can_receive_signals(actor):
        raise Http404
    queue = list(selectors.signal_queue(actor=actor)[:200])
    passed_on = list(selectors.signals_passed_on(actor=actor)[:200])
    audit.record_list(
        actor=actor,
        object_type="intake.signal",
        shown=sorted({s.reference for s in [*queue, *passed_on]}),
        query={"queue": actor.agency.code},
    )
    context = {
        "queue": queue,
        "passed_on": passed_on,
        "sees_passed_on": intake_policy.can_see_passed_on_signals(actor),
        "reads_investigations": intake_policy.can_read_investigations(actor),
        "training_missing": actor.role == "contact_point"
        and not intake_policy.has_current_training(actor),
    }
    return render(request, "intake/signal_queue.html", context)


@acting
def signal_detail(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    signal = selectors.signal_get(actor=actor, reference=reference)
    return _signal_page(request, actor, signal)


def _signal_page(
    request: HttpRequest,
    actor: Membership,
    signal: Signal,
    *,
    status: int = 200,
    dismiss_form: DismissForm | None = None,
    investigate_form: ActionForm | None = None,
) -> HttpResponse:
    audit.record_read(actor=actor, obj=signal, person=signal.person)
    awaiting = signal.status == SignalStatus.AWAITING_ASSESSMENT
    context = {
        "signal": signal,
        "attachments": signal.attachments.all(),
        "investigation": _visible_investigation(actor, signal),
        "may_investigate": awaiting and intake_policy.can_take_into_investigation(actor, signal),
        "may_see_assessment": intake_policy.may_see_assessment(actor, signal),
        "person_visible": policy.scope_persons(actor).filter(pk=signal.person_id).exists(),
        "investigate_form": investigate_form or ActionForm(),
        "may_dismiss": intake_policy.can_dismiss_signal(actor, signal),
        "dismiss_form": dismiss_form or DismissForm(),
    }
    return render(request, "intake/signal_detail.html", context, status=status)


def _visible_investigation(actor: Membership, signal: Signal) -> Investigation | None:
    if signal.investigation_id is None:
        return None
    return intake_policy.scope_investigations(actor).filter(pk=signal.investigation_id).first()


@acting
@require_POST
def signal_investigate(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    signal = selectors.signal_get(actor=actor, reference=reference)
    if not intake_policy.can_investigate(actor):
        raise Http404
    try:
        investigation = services.signal_investigate(actor=actor, signal=signal)
    except REFUSED as error:
        form = ActionForm.refusing(error)
        return _signal_page(request, actor, signal, status=error.status_code, investigate_form=form)
    messages.success(
        request,
        _("Signal %(signal)s is part of investigation %(investigation)s.")
        % {"signal": signal.reference, "investigation": investigation.reference},
    )
    return redirect("intake:investigation-detail", reference=investigation.reference)


@acting
@require_POST
def signal_dismiss(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    signal = selectors.signal_get(actor=actor, reference=reference)
    if not intake_policy.can_dismiss_signals(actor):
        raise Http404
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _signal_page(request, actor, signal, status=400, dismiss_form=form)
    try:
        services.signal_dismiss(actor=actor, signal=signal, reason=form.cleaned_data["reason"])
    except REFUSED as error:
        apply_error(form, error)
        return _signal_page(request, actor, signal, status=error.status_code, dismiss_form=form)
    messages.success(request, _("Signal %(reference)s dismissed.") % {"reference": reference})
    return redirect("intake:signal-detail", reference=reference)


@acting
def attachment_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """An attachment, to those who see its signal; the download is recorded as a read."""
    actor = acting_membership(request)
    signal = selectors.signal_get(actor=actor, reference=reference)
    attachment = signal.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    audit.record_read(actor=actor, obj=attachment, person=signal.person)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    # ``acting`` is typed for HttpResponse; it only sets headers, which a streamed file has too.
    return cast(HttpResponse, response)


@acting
def contact_points(request: HttpRequest) -> HttpResponse:
    actor = acting_membership(request)
    if not intake_policy.can_receive_signals(actor):
        raise Http404
    keeps = intake_policy.can_keep_contact_points(actor, None)
    if request.method == "POST" and not keeps:
        raise Http404
    candidates = selectors.contact_points_of_institutions(actor=actor)
    form = TrainingForm(request.POST or None, contact_points=candidates) if keeps else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.contact_point_training_add(
                actor=actor,
                contact_point=form.cleaned_data["contact_point"],
                trained_on=form.cleaned_data["trained_on"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Training recorded."))
            return redirect("intake:contact-points")
    register = selectors.contact_point_register(actor=actor)
    audit.record_list(
        actor=actor,
        object_type="intake.contactpointtraining",
        shown=[str(t.pk) for _institution, trainings in register for t in trainings],
        query={},
    )
    return render(request, "intake/contact_points.html", {"register": register, "form": form})


# --- investigation ---------------------------------------------------------------------------


@acting
def investigation_list(request: HttpRequest) -> HttpResponse:
    actor = acting_membership(request)
    if not intake_policy.can_read_investigations(actor):
        raise Http404
    status = request.GET.get("status", "")
    if status not in InvestigationStatus.values:
        status = ""
    investigations = list(selectors.investigation_list(actor=actor, status=status or None)[:200])
    audit.record_list(
        actor=actor,
        object_type="intake.investigation",
        shown=[i.reference for i in investigations],
        query={"status": status},
    )
    context = {
        "investigations": investigations,
        "status": status,
        "statuses": InvestigationStatus.choices,
    }
    return render(request, "intake/investigation_list.html", context)


@acting
def investigation_detail(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    investigation = selectors.investigation_get(actor=actor, reference=reference)
    return _investigation_page(request, actor, investigation)


def _investigation_page(
    request: HttpRequest,
    actor: Membership,
    investigation: Investigation,
    *,
    status: int = 200,
    failed: tuple[str, int, forms.Form] | None = None,
    **forms_: forms.Form,
) -> HttpResponse:
    """The investigation with everything on it. ``failed`` is a refused per-row action:
    (``"measure"`` or ``"decision"``, its pk, the form carrying the refusal)."""
    audit.record_read(actor=actor, obj=investigation, person=investigation.person)
    may_work = investigation.is_open and intake_policy.can_work_on_investigation(
        actor, investigation
    )
    may_propose = investigation.is_open and intake_policy.can_propose_triage(actor, investigation)
    decisions = _decisions(actor, investigation, failed)
    context: dict[str, Any] = {
        "investigation": investigation,
        "signals": selectors.investigation_signals(actor=actor, investigation=investigation),
        "findings": selectors.investigation_findings(actor=actor, investigation=investigation),
        "measures": _measures(actor, investigation, may_work, failed),
        "decisions": decisions,
        "has_pending": any(r.decision.status == TriageStatus.AWAITING_SIGN_OFF for r in decisions),
        "may_work": may_work,
        "may_propose": may_propose,
        "finding_form": forms_.get("finding_form") or FindingForm(prefix="finding"),
        "measure_form": forms_.get("measure_form") or MeasureForm(prefix="measure"),
        "triage_form": forms_.get("triage_form")
        or TriageForm(prefix="triage", investigation=investigation),
    }
    return render(request, "intake/investigation_detail.html", context, status=status)


@dataclass
class MeasureRow:
    measure: Measure
    may_authorise: bool
    may_renew: bool
    may_end: bool
    renew_form: forms.Form
    refusal: forms.Form | None = None


@dataclass
class DecisionRow:
    decision: TriageDecision
    may_sign_off: bool
    may_withdraw: bool
    case_visible: bool
    refusal: forms.Form | None = None


def _measures(
    actor: Membership,
    investigation: Investigation,
    may_work: bool,
    failed: tuple[str, int, forms.Form] | None,
) -> list[MeasureRow]:
    rows = []
    for measure in selectors.investigation_measures(actor=actor, investigation=investigation):
        may_authorise = may_work and measure.may_authorise  # type: ignore[attr-defined]
        row = MeasureRow(
            measure=measure,
            may_authorise=may_authorise and measure.status == MeasureStatus.REQUESTED,
            may_renew=may_authorise and measure.status == MeasureStatus.ACTIVE,
            may_end=may_work and measure.status != MeasureStatus.ENDED,
            renew_form=RenewForm(prefix=f"renew-{measure.reference}"),
        )
        if failed and failed[:2] == ("measure", measure.pk):
            if isinstance(failed[2], RenewForm):
                row.renew_form = failed[2]
            else:
                row.refusal = failed[2]
        rows.append(row)
    return rows


def _decisions(
    actor: Membership, investigation: Investigation, failed: tuple[str, int, forms.Form] | None
) -> list[DecisionRow]:
    rows = []
    decisions = list(
        selectors.investigation_triage_decisions(actor=actor, investigation=investigation)
    )
    pending = any(d.status == TriageStatus.AWAITING_SIGN_OFF for d in decisions)
    # The side is the same for every decision of the investigation: asked once.
    side_here = intake_policy.sign_off_side_on(actor, investigation) if pending else None
    for decision in decisions:
        side = side_here if decision.status == TriageStatus.AWAITING_SIGN_OFF else None
        signed_sides = {s.side for s in decision.sign_offs.all()}
        row = DecisionRow(
            decision=decision,
            may_sign_off=side is not None and side not in signed_sides,
            may_withdraw=side is not None,
            case_visible=decision.case_visible,  # type: ignore[attr-defined]
        )
        if failed and failed[:2] == ("decision", decision.pk):
            row.refusal = failed[2]
        rows.append(row)
    return rows


def _workable_investigation(request: HttpRequest, reference: str) -> Investigation:
    """The investigation, when the actor may record findings and measures on it; else 404."""
    actor = acting_membership(request)
    investigation = selectors.investigation_get(actor=actor, reference=reference)
    if not intake_policy.can_work_on_investigation(actor, investigation):
        raise Http404
    return investigation


@acting
@require_POST
def finding_add(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    investigation = _workable_investigation(request, reference)
    form = FindingForm(request.POST, prefix="finding")
    if not form.is_valid():
        return _investigation_page(request, actor, investigation, status=400, finding_form=form)
    try:
        services.finding_add(
            actor=actor, investigation=investigation, text=form.cleaned_data["text"]
        )
    except REFUSED as error:
        apply_error(form, error)
        return _investigation_page(
            request, actor, investigation, status=error.status_code, finding_form=form
        )
    messages.success(request, _("Finding recorded."))
    return redirect("intake:investigation-detail", reference=reference)


@acting
@require_POST
def measure_request(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    investigation = _workable_investigation(request, reference)
    form = MeasureForm(request.POST, prefix="measure")
    if not form.is_valid():
        return _investigation_page(request, actor, investigation, status=400, measure_form=form)
    try:
        services.measure_request(actor=actor, investigation=investigation, data=form.cleaned_data)
    except REFUSED as error:
        apply_error(form, error)
        return _investigation_page(
            request, actor, investigation, status=error.status_code, measure_form=form
        )
    messages.success(request, _("Measure requested; another analyst authorises it."))
    return redirect("intake:investigation-detail", reference=reference)


def _measure_of_own_bureau(request: HttpRequest, reference: str) -> Measure:
    """The measure, when the actor works on its investigation; else 404."""
    actor = acting_membership(request)
    measure = selectors.measure_get(actor=actor, reference=reference)
    if not intake_policy.can_work_on_investigation(actor, measure.investigation):
        raise Http404
    return measure


def _measure_refused(
    request: HttpRequest, measure: Measure, form: forms.Form, status: int
) -> HttpResponse:
    actor = acting_membership(request)
    failed = ("measure", measure.pk, form)
    return _investigation_page(request, actor, measure.investigation, status=status, failed=failed)


def _back_to(measure: Measure, message: str, request: HttpRequest) -> HttpResponse:
    messages.success(request, message)
    return redirect("intake:investigation-detail", reference=measure.investigation.reference)


@acting
@require_POST
def measure_authorise(request: HttpRequest, reference: str) -> HttpResponse:
    measure = _measure_of_own_bureau(request, reference)
    try:
        services.measure_authorise(actor=acting_membership(request), measure=measure)
    except REFUSED as error:
        form = ActionForm.refusing(error)
        return _measure_refused(request, measure, form, error.status_code)
    return _back_to(measure, _("Measure authorised."), request)


@acting
@require_POST
def measure_renew(request: HttpRequest, reference: str) -> HttpResponse:
    measure = _measure_of_own_bureau(request, reference)
    form = RenewForm(request.POST, prefix=f"renew-{measure.reference}")
    if not form.is_valid():
        return _measure_refused(request, measure, form, 400)
    try:
        services.measure_renew(
            actor=acting_membership(request), measure=measure, ends_on=form.cleaned_data["ends_on"]
        )
    except REFUSED as error:
        apply_error(form, error)
        return _measure_refused(request, measure, form, error.status_code)
    return _back_to(measure, _("Measure renewed."), request)


@acting
@require_POST
def measure_end(request: HttpRequest, reference: str) -> HttpResponse:
    measure = _measure_of_own_bureau(request, reference)
    try:
        services.measure_end(actor=acting_membership(request), measure=measure)
    except REFUSED as error:
        form = ActionForm.refusing(error)
        return _measure_refused(request, measure, form, error.status_code)
    return _back_to(measure, _("Measure ended."), request)


@acting
def measure_list(request: HttpRequest) -> HttpResponse:
    """Running measures, and those awaiting authorisation; overdue ones first."""
    actor = acting_membership(request)
    if not intake_policy.can_read_investigations(actor):
        raise Http404
    overdue = list(selectors.measures_overdue(actor=actor)[:200])
    others = [m for m in selectors.measures_running(actor=actor)[:200] if not m.is_overdue]
    audit.record_list(
        actor=actor,
        object_type="intake.measure",
        shown=[m.reference for m in [*overdue, *others]],
        query={"running": True},
    )
    return render(request, "intake/measure_list.html", {"overdue": overdue, "others": others})


# --- triage ----------------------------------------------------------------------------------


@acting
@require_POST
def triage_decision_propose(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    investigation = selectors.investigation_get(actor=actor, reference=reference)
    if not intake_policy.can_propose_triage(actor, investigation):
        raise Http404
    form = TriageForm(request.POST, prefix="triage", investigation=investigation)
    if not form.is_valid():
        return _investigation_page(request, actor, investigation, status=400, triage_form=form)
    try:
        decision = services.triage_propose(
            actor=actor, investigation=investigation, data=form.cleaned_data
        )
    except REFUSED as error:
        apply_error(form, error)
        return _investigation_page(
            request, actor, investigation, status=error.status_code, triage_form=form
        )
    messages.success(
        request,
        _("Triage decision %(reference)s proposed; it takes effect with two sign-offs.")
        % {"reference": decision.reference},
    )
    return redirect("intake:investigation-detail", reference=reference)


def _triage_decision_to_sign(request: HttpRequest, reference: str) -> TriageDecision:
    """The triage decision, when the actor signs for one of its sides; else 404."""
    actor = acting_membership(request)
    decision = selectors.triage_decision_get(actor=actor, reference=reference)
    if intake_policy.sign_off_side(actor, decision) is None:
        raise Http404
    return decision


def _triage_decision_refused(
    request: HttpRequest, decision: TriageDecision, error: ApplicationError
) -> HttpResponse:
    form = ActionForm.refusing(error)
    actor = acting_membership(request)
    investigation = selectors.investigation_get(
        actor=actor, reference=decision.investigation.reference
    )
    failed = ("decision", decision.pk, form)
    return _investigation_page(
        request, actor, investigation, status=error.status_code, failed=failed
    )


@acting
@require_POST
def triage_decision_sign_off(request: HttpRequest, reference: str) -> HttpResponse:
    decision = _triage_decision_to_sign(request, reference)
    try:
        decision = services.triage_sign_off(actor=acting_membership(request), decision=decision)
    except REFUSED as error:
        return _triage_decision_refused(request, decision, error)
    if decision.status == TriageStatus.IN_EFFECT:
        message = _("Triage decision %(reference)s signed off; it is now in effect.")
    else:
        message = _(
            "Triage decision %(reference)s signed off; it awaits the other side's sign-off."
        )
    messages.success(request, message % {"reference": reference})
    return redirect("intake:investigation-detail", reference=decision.investigation.reference)


@acting
@require_POST
def triage_decision_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    decision = _triage_decision_to_sign(request, reference)
    try:
        services.triage_withdraw(actor=acting_membership(request), decision=decision)
    except REFUSED as error:
        return _triage_decision_refused(request, decision, error)
    messages.success(
        request, _("Triage decision %(reference)s withdrawn.") % {"reference": reference}
    )
    return redirect("intake:investigation-detail", reference=decision.investigation.reference)


@acting
def triage_decision_queue(request: HttpRequest) -> HttpResponse:
    """The triage decisions awaiting the sign-off of the actor's side."""
    actor = acting_membership(request)
    if not intake_policy.can_read_investigations(actor):
        raise Http404
    decisions = list(selectors.triage_decisions_awaiting_sign_off(actor=actor)[:200])
    audit.record_list(
        actor=actor,
        object_type="intake.triagedecision",
        shown=[d.reference for d in decisions],
        query={"awaiting_sign_off": actor.agency.code},
    )
    return render(request, "intake/triage_decision_queue.html", {"decisions": decisions})


# --- monitoring reviews and stakeholder notices ---------------------------------------------


@acting
def monitoring_review_list(request: HttpRequest) -> HttpResponse:
    actor = acting_membership(request)
    if not intake_policy.can_read_investigations(actor):
        raise Http404
    return _monitoring_reviews_page(request, actor)


@dataclass
class MonitoringReviewRow:
    review: MonitoringReview
    may_complete: bool
    form: MonitoringReviewForm


def _monitoring_reviews_page(
    request: HttpRequest,
    actor: Membership,
    *,
    status: int = 200,
    failed: tuple[str, MonitoringReviewForm] | None = None,
) -> HttpResponse:
    reviews = list(selectors.monitoring_reviews_open(actor=actor)[:200])
    rows = [
        MonitoringReviewRow(
            review=review,
            may_complete=review.may_complete,  # type: ignore[attr-defined]
            form=failed[1]
            if failed and failed[0] == review.reference
            else MonitoringReviewForm(prefix=f"monitoring-review-{review.reference}"),
        )
        for review in reviews
    ]
    audit.record_list(
        actor=actor,
        object_type="intake.monitoringreview",
        shown=[r.reference for r in reviews],
        query={"status": "due"},
    )
    return render(request, "intake/monitoring_review_list.html", {"rows": rows}, status=status)


@acting
@require_POST
def monitoring_review_complete(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    review = selectors.monitoring_review_get(actor=actor, reference=reference)
    if not intake_policy.can_complete_monitoring_review(actor, review):
        raise Http404
    form = MonitoringReviewForm(request.POST, prefix=f"monitoring-review-{review.reference}")
    if not form.is_valid():
        failed = (review.reference, form)
        return _monitoring_reviews_page(request, actor, status=400, failed=failed)
    try:
        services.monitoring_review_complete(
            actor=actor, review=review, note=form.cleaned_data["note"]
        )
    except REFUSED as error:
        apply_error(form, error)
        failed = (review.reference, form)
        return _monitoring_reviews_page(request, actor, status=error.status_code, failed=failed)
    messages.success(request, _("Monitoring review recorded."))
    return redirect("intake:monitoring-review-list")


@acting
def stakeholder_notice_list(request: HttpRequest) -> HttpResponse:
    actor = acting_membership(request)
    if not intake_policy.can_receive_stakeholder_notices(actor):
        raise Http404
    notices = list(selectors.stakeholder_notice_list(actor=actor)[:200])
    audit.record_list(
        actor=actor,
        object_type="intake.stakeholdernotice",
        shown=[n.reference for n in notices],
        query={"recipient": actor.agency.code},
    )
    return render(request, "intake/stakeholder_notice_list.html", {"notices": notices})


@acting
@require_POST
def stakeholder_notice_acknowledge(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    notice = selectors.stakeholder_notice_get(actor=actor, reference=reference)
    services.stakeholder_notice_acknowledge(actor=actor, notice=notice)
    messages.success(request, _("Stakeholder notice acknowledged."))
    return redirect("intake:stakeholder-notice-list")
