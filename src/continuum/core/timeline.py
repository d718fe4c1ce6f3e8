"""Timeline event kinds and their texts, in the reader's language.

Each kind is registered by the app that records it (the core's own below, a stage's in its
``timeline.py``, from ``AppConfig.ready()``): its label, how to describe one event from its
``details``, and its sensitivity class, which decides who reads it (see the access policy).
:func:`continuum.core.services.timeline_add` refuses a kind nobody registered. An event whose
kind is no longer registered (its stage was removed) stays readable: it shows its stored kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from continuum.core.models import Phase, Sensitivity, TimelineEvent, UnitType
from continuum.core.registry import Registry

Details = Mapping[str, Any]


@dataclass(frozen=True)
class EventKind:
    """One kind of timeline event."""

    key: str
    label: str | Promise
    describe: Callable[[Details], str]
    sensitivity: str = Sensitivity.CASE


kinds: Registry[EventKind] = Registry("timeline kinds")


def register_kinds(entries: Iterable[EventKind]) -> None:
    for entry in entries:
        kinds.register(entry)


def kind_of(key: str) -> EventKind:
    """The registered kind, or :class:`LookupError` for a kind nobody registered."""
    entry = kinds.get(key)
    if entry is None:
        raise LookupError(f"Timeline kind {key!r} is not registered.")
    return entry


def label(event: TimelineEvent) -> str:
    entry = kinds.get(event.kind)
    return str(entry.label) if entry else event.kind


def describe(event: TimelineEvent) -> str:
    entry = kinds.get(event.kind)
    return entry.describe(event.details) if entry else event.kind


# --- the core's own kinds --------------------------------------------------------------------


def phase_label(value: str | None) -> str:
    return str(Phase(value).label) if value in Phase.values else (value or "")


def _registered(d: Details) -> str:
    return _("Registered by %(agency)s.") % {"agency": d.get("agency", "")}


def _sentence(d: Details) -> str:
    return _("Sentence from %(start)s, expected release %(expected)s.") % {
        "start": d.get("sentence_start") or "—",
        "expected": d.get("expected_release") or "—",
    }


def _placement_started(d: Details) -> str:
    unit = d.get("unit_type")
    return _("Placed in %(institution)s (%(unit)s).") % {
        "institution": d.get("institution", ""),
        "unit": UnitType(unit).label if unit in UnitType.values else "",
    }


def _placement_ended(d: Details) -> str:
    return _("Placement in %(institution)s ended.") % {"institution": d.get("institution", "")}


def _case_opened(d: Details) -> str:
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
        "phase": phase_label(d.get("phase")),
        "lead": d.get("lead_agency", ""),
    }


def _phase_changed(d: Details) -> str:
    return _("Phase changed from %(before)s to %(after)s.") % {
        "before": phase_label(d.get("before")),
        "after": phase_label(d.get("after")),
    }


def _team_changed(d: Details) -> str:
    return _("Team is now: %(agencies)s.") % {"agencies": ", ".join(d.get("agencies", []))}


K = TimelineEvent.Kind
CORE_KINDS = [
    EventKind(K.PERSON_REGISTERED, K.PERSON_REGISTERED.label, _registered),
    EventKind(K.SENTENCE_RECORDED, K.SENTENCE_RECORDED.label, _sentence),
    EventKind(K.PLACEMENT_STARTED, K.PLACEMENT_STARTED.label, _placement_started),
    EventKind(K.PLACEMENT_ENDED, K.PLACEMENT_ENDED.label, _placement_ended),
    EventKind(K.CASE_OPENED, K.CASE_OPENED.label, _case_opened),
    EventKind(K.PHASE_CHANGED, K.PHASE_CHANGED.label, _phase_changed),
    EventKind(K.TEAM_CHANGED, K.TEAM_CHANGED.label, _team_changed),
]
