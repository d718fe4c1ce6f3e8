"""Pages of the access app: break-glass access, its review queue, and a case's exclusion and
restriction lists."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from continuum.access import policy, selectors, services
from continuum.access.forms import (
    EmergencyAccessForm,
    EmergencyAccessReviewForm,
    ExclusionForm,
    RestrictionForm,
)
from continuum.audit import services as audit
from continuum.core import selectors as core_selectors
from continuum.core.exceptions import ApplicationError
from continuum.core.forms import apply_error
from continuum.core.middleware import acting_membership
from continuum.core.models import Case, Membership
from continuum.core.views import acting


@acting
def emergency_start(request: HttpRequest) -> HttpResponse:
    actor = acting_membership(request)
    if not policy.can_break_glass(actor):
        raise Http404
    form = EmergencyAccessForm(request.POST or None, initial={"case": request.GET.get("case")})
    if request.method == "POST" and form.is_valid():
        try:
            access = services.emergency_access_start(
                actor=actor,
                case_reference=form.cleaned_data["case"],
                justification=form.cleaned_data["justification"],
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.warning(
                request,
                _("Emergency access to %(case)s until %(until)s. Everything you do is recorded.")
                % {
                    "case": access.case.reference,
                    "until": f"{timezone.localtime(access.expires_at):%H:%M}",
                },
            )
            return redirect("core:case-detail", reference=access.case.reference)
    context = {"form": form, "hours": settings.CONTINUUM_EMERGENCY_ACCESS_HOURS}
    return render(request, "access/emergency_start.html", context)


@acting
def emergency_queue(request: HttpRequest) -> HttpResponse:
    actor = acting_membership(request)
    context = {
        "queue": selectors.emergency_review_queue(actor=actor),
        "reviewed": selectors.emergency_recently_reviewed(actor=actor),
        "form": EmergencyAccessReviewForm(),
    }
    return render(request, "access/emergency_queue.html", context)


@acting
@require_POST
def emergency_review(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_membership(request)
    access = selectors.emergency_access_get(actor=actor, pk=pk)
    form = EmergencyAccessReviewForm(request.POST)
    if form.is_valid():
        try:
            services.emergency_access_review(
                actor=actor, access=access, note=form.cleaned_data["note"]
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Marked as reviewed."))
    return redirect("access:emergency-queue")


def _case_access_context(actor: Membership, case: Case, **forms: Any) -> dict[str, Any]:
    restricted_to = selectors.case_restricted_to(actor=actor, case=case)
    return {
        "case": case,
        "exclusions": selectors.case_exclusions(actor=actor, case=case),
        "restricted_to": restricted_to,
        "exclusion_form": forms.get("exclusion_form") or ExclusionForm(),
        "restriction_form": forms.get("restriction_form")
        or RestrictionForm(initial={"users": restricted_to}),
    }


def _managed_case(request: HttpRequest, reference: str) -> Case:
    case = core_selectors.case_get(actor=acting_membership(request), reference=reference)
    if not policy.can_manage_case_access(acting_membership(request), case):
        raise Http404
    return case


@acting
def case_access(request: HttpRequest, reference: str) -> HttpResponse:
    case = _managed_case(request, reference)
    audit.record_read(actor=acting_membership(request), obj=case, person=case.person, case=case)
    return render(
        request, "access/case_access.html", _case_access_context(acting_membership(request), case)
    )


@acting
@require_POST
def case_exclude(request: HttpRequest, reference: str) -> HttpResponse:
    actor, case = acting_membership(request), _managed_case(request, reference)
    form = ExclusionForm(request.POST)
    if form.is_valid():
        try:
            services.case_exclude_user(actor=actor, case=case, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("User excluded from the case."))
            return redirect("access:case-access", reference=case.reference)
    context = _case_access_context(actor, case, exclusion_form=form)
    return render(request, "access/case_access.html", context, status=400)


@acting
@require_POST
def case_exclusion_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    actor, case = acting_membership(request), _managed_case(request, reference)
    exclusion = selectors.case_exclusions(actor=actor, case=case).filter(pk=pk).first()
    if exclusion is None:
        raise Http404
    services.case_exclusion_remove(actor=actor, exclusion=exclusion)
    messages.success(request, _("Exclusion removed."))
    return redirect("access:case-access", reference=case.reference)


@acting
@require_POST
def case_restrict(request: HttpRequest, reference: str) -> HttpResponse:
    actor, case = acting_membership(request), _managed_case(request, reference)
    form = RestrictionForm(request.POST)
    if form.is_valid():
        services.case_restrict_to(actor=actor, case=case, users=list(form.cleaned_data["users"]))
        messages.success(request, _("Restriction list saved."))
        return redirect("access:case-access", reference=case.reference)
    context = _case_access_context(actor, case, restriction_form=form)
    return render(request, "access/case_access.html", context, status=400)
