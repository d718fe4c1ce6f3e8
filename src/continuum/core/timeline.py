"""Timeline events in words, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from continuum.core.models import Phase, TimelineEvent, UnitType
from continuum.intake.models import MeasureType, TriageOutcome


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
        if d.get("reason") == "referral":
            return _("MAR case opened on referral by the triage decision. Lead: %(lead)s.") % {
                "lead": d.get("lead_agency", "")
            }
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
    return _describe_intake(event) or str(event.get_kind_display())


def _describe_intake(event: TimelineEvent) -> str | None:
    """Investigation and triage (app ``intake``)."""
    d = event.details
    kind = TimelineEvent.Kind
    if event.kind == kind.INVESTIGATION_OPENED:
        return _("Investigation %(reference)s opened.") % {"reference": d.get("investigation", "")}
    if event.kind in (kind.MEASURE_AUTHORISED, kind.MEASURE_ENDED):
        measure = d.get("type")
        label = str(MeasureType(measure).label) if measure in MeasureType.values else ""
        if event.kind == kind.MEASURE_AUTHORISED:
            return _("Measure authorised: %(measure)s, until %(ends_on)s.") % {
                "measure": label,
                "ends_on": d.get("ends_on", ""),
            }
        return _("Measure ended: %(measure)s.") % {"measure": label}
    if event.kind == kind.TRIAGE_DECIDED:
        outcome = d.get("outcome")
        return _("Triage decision %(reference)s in effect: %(outcome)s.") % {
            "reference": d.get("reference", ""),
            "outcome": TriageOutcome(outcome).label if outcome in TriageOutcome.values else "",
        }
    if event.kind == kind.REFERRED_TO_MAR:
        if d.get("joined"):
            return _("Referred to MAR by %(by)s; joined case %(case)s.") % {
                "by": d.get("by", ""),
                "case": d.get("case", ""),
            }
        return _("Referred to MAR by %(by)s.") % {"by": d.get("by", "")}
    return None
