"""Pages of the reports: anonymised figures for those who may read aggregates; everyone
else gets "not found"."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from continuum.access import policy
from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core.middleware import acting_membership
from continuum.core.views import acting
from continuum.reporting import selectors
from continuum.reporting.forms import PeriodForm


@acting
def bias_report(request: HttpRequest) -> HttpResponse:
    """Signals per reporting unit and category: a pattern to look into, never a verdict."""
    actor = acting_membership(request)
    if not policy.may_read_aggregates(actor):
        raise Http404
    form = PeriodForm(request.GET)
    report = None
    if form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
        report = selectors.bias_report(actor=actor, since=since, until=until)
        # An aggregate read: no person, no record; what was asked is what was shown.
        audit.record(
            action=Action.READ,
            actor=actor,
            changes={
                "report": "reporting.bias",
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None,
                "threshold": report.threshold,
            },
        )
    return render(request, "reporting/bias_report.html", {"form": form, "report": report})
