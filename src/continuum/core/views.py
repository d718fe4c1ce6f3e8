"""Pages: parse the form, get the object through the access policy, call one service, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from continuum.access import policy
from continuum.audit import services as audit
from continuum.core import navigation, selectors, services
from continuum.core.exceptions import ApplicationError, NotFound
from continuum.core.forms import (
    CaseFilter,
    CaseOpenForm,
    CasePhaseForm,
    CaseTeamForm,
    PersonForm,
    PlacementForm,
    apply_error,
)
from continuum.core.middleware import SESSION_KEY, acting_membership
from continuum.core.models import Membership

View = Callable[..., HttpResponse]


def acting(view: View) -> View:
    """For pages with case data: a membership must be chosen, anything the policy hides is a
    404, and nothing is kept in caches."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.membership is None:  # type: ignore[attr-defined]
            return redirect(f"{reverse('core:choose-membership')}?next={request.get_full_path()}")
        try:
            response = view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error
        patch_cache_control(response, no_store=True, private=True)
        return response

    return wrapper


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def choose_membership(request: HttpRequest) -> HttpResponse:
    memberships = list(selectors.memberships_of(request.user))  # type: ignore[arg-type]
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    chosen: int | None = None
    if request.method == "POST":
        chosen = (
            int(request.POST["membership"]) if request.POST.get("membership", "").isdigit() else 0
        )
    elif len(memberships) == 1 and request.membership is None:  # type: ignore[attr-defined]
        chosen = memberships[0].pk
    if chosen is not None:
        try:
            membership = services.membership_choose(user=request.user, membership_id=chosen)  # type: ignore[arg-type]
        except NotFound as error:
            messages.error(request, error.message)
        else:
            request.session[SESSION_KEY] = membership.pk
            return redirect(target or _home_for(membership))
    return render(
        request, "core/choose_membership.html", {"memberships": memberships, "next": target}
    )


def _home_for(membership: Membership) -> str:
    """Where a membership lands after sign-in: My work for every role that has tasks, the
    person search for the other practitioners, the welcome page for the rest."""
    if navigation.has_tasks(membership):
        return reverse("core:my-work")
    if policy.may_read_case_content(membership):
        return reverse("core:person-search")
    return reverse("core:home")


def home(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if membership is None:
        return redirect("core:choose-membership")
    landing = _home_for(membership)
    if landing != reverse("core:home"):
        return redirect(landing)
    return render(request, "core/home.html", {})


@acting
def person_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    persons = list(selectors.person_search(actor=acting_membership(request), query=query))
    audit.record_list(
        actor=acting_membership(request),
        object_type="core.person",
        shown=[p.reference for p in persons],
        query=selectors.search_query_for_audit(query),
    )
    context = {
        "persons": persons,
        "query": query,
        "may_register": policy.can_register_person(acting_membership(request)),
    }
    template = "core/_person_results.html" if request.htmx else "core/person_search.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@acting
def person_register(request: HttpRequest) -> HttpResponse:
    if not policy.can_register_person(acting_membership(request)):
        raise Http404
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(
                actor=acting_membership(request), data=form.cleaned_data
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("Person %(reference)s registered.") % {"reference": person.reference}
            )
            return redirect("core:person-detail", reference=person.reference)
    return render(request, "core/person_form.html", {"form": form, "person": None})


@acting
def person_detail(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    person = selectors.person_get(actor=actor, reference=reference)
    audit.record_read(actor=actor, obj=person, person=person)
    context = {
        "person": person,
        "placements": person.placements.all(),
        "cases": selectors.person_cases(actor=actor, person=person),
        "timeline": selectors.person_timeline(actor=actor, person=person),
        "may_read_identity": policy.may_read_identity(actor),
        "may_change": policy.can_change_person(actor, person),
        "may_open_case": policy.can_open_case(actor),
        "placement_form": PlacementForm(),
    }
    return render(request, "core/person_detail.html", context)


@acting
def person_edit(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    person = selectors.person_get(actor=actor, reference=reference)
    if not policy.can_change_person(actor, person):
        raise Http404
    if request.method == "GET":  # the form shows the record: a consultation
        audit.record_read(actor=actor, obj=person, person=person)
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=actor, person=person, data=form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("core:person-detail", reference=person.reference)
    return render(request, "core/person_form.html", {"form": form, "person": person})


@acting
def placement_add(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    person = selectors.person_get(actor=actor, reference=reference)
    if not policy.can_change_person(actor, person):
        raise Http404
    form = PlacementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_add(actor=actor, person=person, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Placement recorded."))
            return redirect("core:person-detail", reference=person.reference)
    return render(request, "core/placement_form.html", {"form": form, "person": person})


@acting
def case_list(request: HttpRequest) -> HttpResponse:
    actor = acting_membership(request)
    filterset = CaseFilter(request.GET or None, queryset=selectors.case_list(actor=actor))
    cases = list(filterset.qs[:200])
    audit.record_list(
        actor=actor,
        object_type="core.case",
        shown=[c.reference for c in cases],
        query=request.GET.dict(),
    )
    return render(request, "core/case_list.html", {"filter": filterset, "cases": cases})


@acting
def case_open(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    person = selectors.person_get(actor=actor, reference=reference)
    if not policy.can_open_case(actor):
        raise Http404
    form = CaseOpenForm(request.POST or None, initial={"lead_agency": actor.agency})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                actor=actor,
                person=person,
                lead_agency=form.cleaned_data["lead_agency"],
                phase=form.cleaned_data["phase"],
                team=list(form.cleaned_data["team"]),
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("Case %(reference)s opened.") % {"reference": case.reference}
            )
            return redirect("core:case-detail", reference=case.reference)
    return render(request, "core/case_open.html", {"form": form, "person": person})


@acting
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    case = selectors.case_get(actor=actor, reference=reference)
    audit.record_read(actor=actor, obj=case, person=case.person, case=case)
    return render(request, "core/case_detail.html", _case_context(actor, case))


def _case_context(actor: Membership, case: Any, **forms: Any) -> dict[str, Any]:
    return {
        "case": case,
        "team_agencies": case.team_agencies.all(),
        "team_members": case.team_members.select_related("user", "agency"),
        "may_change": policy.can_change_case(actor, case),
        "phase_form": forms.get("phase_form") or CasePhaseForm(initial={"phase": case.phase}),
        "team_form": forms.get("team_form")
        or CaseTeamForm(
            initial={"agencies": case.team_agencies.all(), "members": case.team_members.all()}
        ),
    }


@acting
@require_POST
def case_phase(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    case = selectors.case_get(actor=actor, reference=reference)
    if not policy.can_change_case(actor, case):
        raise Http404
    form = CasePhaseForm(request.POST)
    if form.is_valid():
        try:
            services.case_change_phase(actor=actor, case=case, phase=form.cleaned_data["phase"])
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Phase changed."))
            return redirect("core:case-detail", reference=case.reference)
    return render(
        request, "core/case_detail.html", _case_context(actor, case, phase_form=form), status=400
    )


@acting
@require_POST
def case_team(request: HttpRequest, reference: str) -> HttpResponse:
    actor = acting_membership(request)
    case = selectors.case_get(actor=actor, reference=reference)
    if not policy.can_change_case(actor, case):
        raise Http404
    form = CaseTeamForm(request.POST)
    if form.is_valid():
        try:
            services.case_set_team(
                actor=actor,
                case=case,
                agencies=list(form.cleaned_data["agencies"]),
                members=list(form.cleaned_data["members"]),
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Team saved."))
            return redirect("core:case-detail", reference=case.reference)
    return render(
        request, "core/case_detail.html", _case_context(actor, case, team_form=form), status=400
    )


@acting
def my_work(request: HttpRequest) -> HttpResponse:
    """Every task the installed stages have for the acting membership, overdue first."""
    actor = acting_membership(request)
    tasks = selectors.my_work(actor=actor)
    audit.record_list(
        actor=actor, object_type="core.task", shown=[t.reference for t in tasks], query={}
    )
    return render(request, "core/my_work.html", {"tasks": tasks})
