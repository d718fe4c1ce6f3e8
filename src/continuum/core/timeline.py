"""Timeline events in words, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from continuum.core.models import Phase, TimelineEvent, UnitType


def _phase(value: str | None) -> str:
    return str(Phase(value).label) if value in Phase.values else (value or "")


def describe(event: TimelineEvent) -> str:
    d = event.details
    kind = TimelineEvent.Kind
    if event.kind == kind.PERSON_REGISTERED:
        return _("Registered by %(agency)s.") % {"agency": d.get("agency", "")}
    if event.kind == kind.SENTENCE_RECORDED:
        return _("Sentence from %(start)s, expected release %(expected)s.") % {
            "start": d.get("sentence_start") or "—",
            "expected": d.get("expected_release") or "—",
        }
    if event.kind == kind.PLACEMENT_STARTED:
        unit = d.get("unit_type")
        return _("Placed in %(institution)s (%(unit)s).") % {
            "institution": d.get("institution", ""),
            "unit": UnitType(unit).label if unit in UnitType.values else "",
        }
    if event.kind == kind.PLACEMENT_ENDED:
        return _("Placement in %(institution)s ended.") % {"institution": d.get("institution", "")}
    if event.kind == kind.CASE_OPENED:
        if d.get("reason") == "veto":
            return _(
                "MAR case opened automatically: convicted of a terrorist offence, so no triage "
                "step. Lead: %(lead)s."
            ) % {"lead": d.get("lead_agency", "")}
        return _("MAR case opened in phase %(phase)s. Lead: %(lead)s.") % {
            "phase": _phase(d.get("phase")),
            "lead": d.get("lead_agency", ""),
        }
    if event.kind == kind.PHASE_CHANGED:
        return _("Phase changed from %(before)s to %(after)s.") % {
            "before": _phase(d.get("before")),
            "after": _phase(d.get("after")),
        }
    if event.kind == kind.TEAM_CHANGED:
        return _("Team is now: %(agencies)s.") % {"agencies": ", ".join(d.get("agencies", []))}
    if event.kind == kind.SIGNAL_RECORDED:
        return _("Signal %(reference)s recorded by %(agency)s, routed to %(routed_to)s.") % {
            "reference": d.get("reference", ""),
            "agency": d.get("agency", ""),
            "routed_to": d.get("routed_to", ""),
        }
    if event.kind == kind.SIGNAL_PASSED_ON:
        return _(
            "Signal %(reference)s from %(agency)s passed on to %(routed_to)s, which holds "
            "the person."
        ) % {
            "reference": d.get("reference", ""),
            "agency": d.get("agency", ""),
            "routed_to": d.get("routed_to", ""),
        }
    return str(event.get_kind_display())
