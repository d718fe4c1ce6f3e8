"""The audit log pages for the data-protection officer: the log with filters, and the export
of everything the log says about one person. Everyone else gets 404, as for any record they
may not see. Looking at the log is itself recorded."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from continuum.access import policy
from continuum.audit import selectors, services
from continuum.audit.forms import ExportForm
from continuum.core.middleware import acting_membership
from continuum.core.views import acting

PAGE_SIZE = 50
View = Callable[..., HttpResponse]


def auditing(view: View) -> View:
    """:func:`~continuum.core.views.acting`, for the data-protection officer only."""

    @acting
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.can_view_audit(acting_membership(request)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@auditing
def entry_list(request: HttpRequest) -> HttpResponse:
    actor = acting_membership(request)
    filterset = selectors.entry_list(actor=actor, query=request.GET)
    page = _page(request, filterset.qs)
    services.record_list(
        actor=actor,
        object_type="audit.auditentry",
        shown=[str(entry.sequence) for entry in page],
        query=request.GET.dict(),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "audit/entry_list.html", context)


def _page(request: HttpRequest, entries: Any) -> Page[Any]:
    return Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))


@auditing
def person_export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST or None, initial={"person": request.GET.get("person", "")})
    if request.method == "POST" and form.is_valid():
        export = services.person_export(
            actor=acting_membership(request),
            reference=form.cleaned_data["person"],
            file_format=form.cleaned_data["file_format"],
            justification=form.cleaned_data["justification"],
        )
        response = HttpResponse(export.body, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
    return render(request, "audit/export_form.html", {"form": form})
