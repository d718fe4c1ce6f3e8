"""Pages of the intake app: parse the form, get the object through the access policy, call one
service, render."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from continuum.access import policy
from continuum.audit import services as audit
from continuum.core.exceptions import ApplicationError
from continuum.core.middleware import acting_membership
from continuum.core.views import acting
from continuum.intake import selectors, services
from continuum.intake.forms import SignalForm, TrainingForm, apply_error


@acting
def signal_new(request: HttpRequest) -> HttpResponse:
    actor = acting_membership(request)
    if not policy.can_record_signal(actor):
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
    if not policy.can_receive_signals(actor):
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
        "is_coordination": policy.sees_everything(actor),
        "training_missing": actor.role == "contact_point"
        and not selectors.has_current_training(actor),
    }
    return render(request, "intake/signal_queue.html", context)


@acting
def signal_detail(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    signal = selectors.signal_get(actor=actor, reference=reference)
    audit.record_read(actor=actor, obj=signal, person=signal.person)
    context = {"signal": signal, "attachments": signal.attachments.all()}
    return render(request, "intake/signal_detail.html", context)


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
    if not policy.can_receive_signals(actor):
        raise Http404
    keeps = policy.can_keep_contact_points(actor, None)
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
