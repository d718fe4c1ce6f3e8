"""The intake's timeline kinds and their texts (registered from ``IntakeConfig.ready``).

Signals, investigations, measures and the triage decision are intelligence: held by an agency,
read by its side and by coordination. The referral to MAR is what the case team sees of it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from continuum.core.models import Sensitivity
from continuum.core.timeline import Details, EventKind
from continuum.intake.models import MeasureType, TriageOutcome


class IntakeKind(models.TextChoices):
    SIGNAL_RECORDED = "signal_recorded", gettext_lazy("Signal recorded")
    SIGNAL_PASSED_ON = "signal_passed_on", gettext_lazy("Signal passed on")
    INVESTIGATION_OPENED = "investigation_opened", gettext_lazy("Investigation opened")
    MEASURE_AUTHORISED = "measure_authorised", gettext_lazy("Measure authorised")
    MEASURE_ENDED = "measure_ended", gettext_lazy("Measure ended")
    TRIAGE_DECIDED = "triage_decided", gettext_lazy("Triage decision in effect")
    REFERRED_TO_MAR = "referred_to_mar", gettext_lazy("Referred to MAR")


def _signal_recorded(d: Details) -> str:
    return _("Signal %(reference)s recorded by %(agency)s, routed to %(routed_to)s.") % {
        "reference": d.get("reference", ""),
        "agency": d.get("agency", ""),
        "routed_to": d.get("routed_to", ""),
    }


def _signal_passed_on(d: Details) -> str:
    return _(
        "Signal %(reference)s from %(agency)s passed on to %(routed_to)s, which holds the person."
    ) % {
        "reference": d.get("reference", ""),
        "agency": d.get("agency", ""),
        "routed_to": d.get("routed_to", ""),
    }


def _investigation_opened(d: Details) -> str:
    return _("Investigation %(reference)s opened.") % {"reference": d.get("investigation", "")}


def _measure_label(d: Details) -> str:
    measure = d.get("type")
    return str(MeasureType(measure).label) if measure in MeasureType.values else ""


def _measure_authorised(d: Details) -> str:
    return _("Measure authorised: %(measure)s, until %(ends_on)s.") % {
        "measure": _measure_label(d),
        "ends_on": d.get("ends_on", ""),
    }


def _measure_ended(d: Details) -> str:
    return _("Measure ended: %(measure)s.") % {"measure": _measure_label(d)}


def _triage_decided(d: Details) -> str:
    outcome = d.get("outcome")
    return _("Triage decision %(reference)s in effect: %(outcome)s.") % {
        "reference": d.get("reference", ""),
        "outcome": TriageOutcome(outcome).label if outcome in TriageOutcome.values else "",
    }


def _referred(d: Details) -> str:
    if d.get("joined"):
        return _("Referred to MAR by %(by)s; joined case %(case)s.") % {
            "by": d.get("by", ""),
            "case": d.get("case", ""),
        }
    return _("Referred to MAR by %(by)s.") % {"by": d.get("by", "")}


K = IntakeKind
INTELLIGENCE = Sensitivity.INTELLIGENCE
KINDS = [
    EventKind(K.SIGNAL_RECORDED, K.SIGNAL_RECORDED.label, _signal_recorded, INTELLIGENCE),
    EventKind(K.SIGNAL_PASSED_ON, K.SIGNAL_PASSED_ON.label, _signal_passed_on, INTELLIGENCE),
    EventKind(
        K.INVESTIGATION_OPENED, K.INVESTIGATION_OPENED.label, _investigation_opened, INTELLIGENCE
    ),
    EventKind(K.MEASURE_AUTHORISED, K.MEASURE_AUTHORISED.label, _measure_authorised, INTELLIGENCE),
    EventKind(K.MEASURE_ENDED, K.MEASURE_ENDED.label, _measure_ended, INTELLIGENCE),
    EventKind(K.TRIAGE_DECIDED, K.TRIAGE_DECIDED.label, _triage_decided, INTELLIGENCE),
    EventKind(K.REFERRED_TO_MAR, K.REFERRED_TO_MAR.label, _referred, Sensitivity.CASE),
]
