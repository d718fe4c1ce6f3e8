"""The bureau's investigation: grouping signals about one person, findings, and measures with
their legal basis, authorisation by a second analyst, renewal and end.

Everything here is intelligence: timeline events carry that sensitivity, and each step is one
transaction with its audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from continuum.access import policy
from continuum.access.policy import intake as intake_policy
from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core import services as core_services
from continuum.core.exceptions import Conflict, InvalidInput, NotFound
from continuum.core.models import Membership, unique_reference
from continuum.intake.models import (
    Finding,
    Investigation,
    InvestigationStatus,
    Measure,
    MeasureStatus,
    MeasureType,
    Signal,
    SignalStatus,
)
from continuum.intake.timeline import IntakeKind

MEASURE_FIELDS = ("type", "legal_basis", "starts_on", "ends_on")


def _intelligence_event(
    investigation: Investigation, kind: str, actor: Membership, details: dict[str, Any]
) -> None:
    core_services.timeline_add(
        person=investigation.person,
        kind=kind,
        actor=actor,
        held_by=investigation.bureau,
        details={"investigation": investigation.reference, **details},
    )


# --- grouping signals -----------------------------------------------------------------------


@transaction.atomic
def signal_investigate(*, actor: Membership, signal: Signal) -> Investigation:
    """Take a signal routed to the actor's bureau (or passed on to its institution) into the
    bureau's open investigation of that person, opening one when there is none."""
    if not intake_policy.can_investigate(actor):
        raise NotFound
    # On PostgreSQL the person's row is locked with the signal: two signals about one person
    # taken in at the same moment join one investigation instead of racing to open two.
    signal = policy.lock_visible(intake_policy.scope_signals, actor, signal, related=("person",))
    if not policy.can_write_about_person(actor, signal.person):
        raise NotFound
    if not intake_policy.can_take_into_investigation(actor, signal):
        raise Conflict(_("This signal was routed to another agency; it investigates it."))
    if signal.status != SignalStatus.AWAITING_ASSESSMENT:
        raise Conflict(_("This signal is no longer awaiting assessment."))
    investigation = _open_investigation(actor, signal)
    signal.investigation = investigation
    signal.status = SignalStatus.UNDER_INVESTIGATION
    signal.save(update_fields=["investigation", "status"])
    audit.record(
        action=Action.CHANGE,
        actor=actor,
        obj=signal,
        person=signal.person,
        changes={
            "status": {"before": SignalStatus.AWAITING_ASSESSMENT, "after": signal.status},
            "investigation": {"before": None, "after": investigation.reference},
        },
    )
    return investigation


def _open_investigation(actor: Membership, signal: Signal) -> Investigation:
    existing = Investigation.objects.filter(
        person=signal.person, bureau=actor.agency, status=InvestigationStatus.OPEN
    ).first()
    if existing is not None:
        return existing
    investigation = Investigation(
        reference=unique_reference(Investigation, "I"),
        person=signal.person,
        bureau=actor.agency,
        opened_by=actor,
    )
    try:
        with transaction.atomic():
            investigation.save()
    except IntegrityError as error:  # a colleague opened it at the same moment
        raise Conflict(
            _("An investigation of this person was opened just now; try again to join it.")
        ) from error
    _intelligence_event(investigation, IntakeKind.INVESTIGATION_OPENED, actor, {})
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=investigation,
        person=signal.person,
        changes={"bureau": {"before": None, "after": actor.agency.code}},
    )
    return investigation


def locked_open_investigation(
    actor: Membership,
    investigation: Investigation,
    may: Callable[[Membership, Investigation], bool],
) -> Investigation:
    """The investigation, locked for this transaction, when the actor sees it, ``may`` act
    on it, and it is still open."""
    investigation = policy.lock_visible(
        intake_policy.scope_investigations, actor, investigation, related=("person", "bureau")
    )
    if not may(actor, investigation):
        raise NotFound
    if not investigation.is_open:
        raise Conflict(_("This investigation is closed."))
    return investigation


def _workable(actor: Membership, investigation: Investigation) -> Investigation:
    """The investigation, locked, if the actor may work on it and it is open."""
    return locked_open_investigation(actor, investigation, intake_policy.can_work_on_investigation)


# --- findings --------------------------------------------------------------------------------


@transaction.atomic
def finding_add(*, actor: Membership, investigation: Investigation, text: str) -> Finding:
    investigation = _workable(actor, investigation)
    text = (text or "").strip()
    if not text:
        raise InvalidInput.on("text", _("Write down the finding."))
    finding = Finding.objects.create(investigation=investigation, text=text, recorded_by=actor)
    # The finding's words stay in the record; the log says that one was added.
    audit.record(
        action=Action.CREATE, actor=actor, obj=finding, person=investigation.person, changes={}
    )
    return finding


# --- measures --------------------------------------------------------------------------------


def max_days(measure_type: str) -> int:
    """The longest a measure of this type may run (configuration)."""
    return int(settings.CONTINUUM_MEASURE_MAX_DAYS[measure_type])


def _measure_errors(measure: Measure) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    measure.legal_basis = (measure.legal_basis or "").strip()
    measure.type = measure.type or ""
    try:
        measure.full_clean(
            exclude=["investigation", "requested_by", "status"], validate_constraints=False
        )
    except ValidationError as error:
        errors.update({name: list(msgs) for name, msgs in error.message_dict.items()})
    starts, ends = measure.starts_on, measure.ends_on
    if isinstance(starts, date) and starts < timezone.localdate():
        # An authorisation is never retroactive.
        errors.setdefault("starts_on", []).append(_("A measure cannot start in the past."))
    if isinstance(starts, date) and isinstance(ends, date) and "ends_on" not in errors:
        errors.update(_duration_errors(measure.type, starts, ends))
    return errors


def _duration_errors(measure_type: str, starts: date, ends: date) -> dict[str, list[str]]:
    if ends < starts:
        return {"ends_on": [_("The measure cannot end before it starts.")]}
    if ends < timezone.localdate():
        return {"ends_on": [_("The end date has passed.")]}
    if measure_type in MeasureType.values and (ends - starts).days + 1 > max_days(measure_type):
        return {
            "ends_on": [
                ngettext(
                    "A measure of this type may run at most %(days)s day.",
                    "A measure of this type may run at most %(days)s days.",
                    max_days(measure_type),
                )
                % {"days": max_days(measure_type)}
            ]
        }
    return {}


@transaction.atomic
def measure_request(
    *, actor: Membership, investigation: Investigation, data: dict[str, Any]
) -> Measure:
    """Request a measure; it runs only once another analyst authorises it."""
    investigation = _workable(actor, investigation)
    measure = Measure(
        reference=unique_reference(Measure, "M"),
        investigation=investigation,
        requested_by=actor,
        **{name: data.get(name) for name in MEASURE_FIELDS},
    )
    errors = _measure_errors(measure)
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors)
    measure.save()
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=measure,
        person=investigation.person,
        changes=audit.diff({}, audit.snapshot(measure, (*MEASURE_FIELDS, "status"))),
    )
    return measure


def _locked_measure(actor: Membership, measure: Measure) -> Measure:
    """The measure, locked, if the actor may work on its open investigation. The investigation
    is locked first, as when it closes and its measures end with it: one order, no deadlock."""
    _workable(actor, measure.investigation)
    return policy.lock_visible(
        intake_policy.scope_measures,
        actor,
        measure,
        related=("investigation__person", "requested_by"),
    )


@transaction.atomic
def measure_authorise(*, actor: Membership, measure: Measure) -> Measure:
    """Authorise a requested measure: by another analyst of the bureau, never the
    requester."""
    measure = _locked_measure(actor, measure)
    if measure.status != MeasureStatus.REQUESTED:
        raise Conflict(_("This measure is not awaiting authorisation."))
    if not intake_policy.can_authorise_measure(actor, measure):
        raise InvalidInput.on(
            "authorised_by", _("A measure must be authorised by someone other than the requester.")
        )
    today = timezone.localdate()
    if measure.ends_on < today:
        raise InvalidInput.on("ends_on", _("The end date has passed; request the measure again."))
    requested_start = measure.starts_on
    # A request authorised after its start date runs from the authorisation, never before.
    measure.starts_on = max(measure.starts_on, today)
    measure.status = MeasureStatus.ACTIVE
    measure.authorised_by = actor
    measure.authorised_at = timezone.now()
    measure.save(update_fields=["starts_on", "status", "authorised_by", "authorised_at"])
    _measure_changed(
        actor,
        measure,
        MeasureStatus.REQUESTED,
        IntakeKind.MEASURE_AUTHORISED,
        extra=audit.diff({"starts_on": requested_start}, {"starts_on": measure.starts_on}),
    )
    return measure


@transaction.atomic
def measure_renew(*, actor: Membership, measure: Measure, ends_on: date | None) -> Measure:
    """Renew a running (or overdue) measure to a new end date, within the longest duration
    counted from today; again by someone other than the requester."""
    measure = _locked_measure(actor, measure)
    if measure.status != MeasureStatus.ACTIVE:
        raise Conflict(_("Only a running measure can be renewed."))
    if not intake_policy.can_authorise_measure(actor, measure):
        raise InvalidInput.on(
            "authorised_by", _("A measure must be authorised by someone other than the requester.")
        )
    if not isinstance(ends_on, date):
        raise InvalidInput.on("ends_on", _("Enter the new end date."))
    today = timezone.localdate()
    if ends_on <= max(measure.ends_on, today - timedelta(days=1)):
        raise InvalidInput.on("ends_on", _("The new end date must be later than the current one."))
    errors = _duration_errors(measure.type, today, ends_on)
    if errors:
        raise InvalidInput(errors["ends_on"][0], errors)
    before = measure.ends_on
    measure.ends_on = ends_on
    measure.authorised_by = actor
    measure.authorised_at = timezone.now()
    measure.renewals += 1
    measure.save(update_fields=["ends_on", "authorised_by", "authorised_at", "renewals"])
    audit.record(
        action=Action.CHANGE,
        actor=actor,
        obj=measure,
        person=measure.investigation.person,
        changes=audit.diff(
            {"ends_on": before, "renewals": measure.renewals - 1},
            {"ends_on": ends_on, "renewals": measure.renewals},
        ),
    )
    return measure


@transaction.atomic
def measure_end(*, actor: Membership, measure: Measure) -> Measure:
    """End a running measure, or withdraw a request that was never authorised."""
    measure = _locked_measure(actor, measure)
    if measure.status == MeasureStatus.ENDED:
        raise Conflict(_("This measure has already ended."))
    before = measure.status
    _end(measure, actor)
    _measure_changed(actor, measure, before, IntakeKind.MEASURE_ENDED)
    return measure


def _end(measure: Measure, actor: Membership) -> None:
    measure.status = MeasureStatus.ENDED
    measure.ended_by = actor
    measure.ended_at = timezone.now()
    measure.save(update_fields=["status", "ended_by", "ended_at"])


def _measure_changed(
    actor: Membership,
    measure: Measure,
    before: str,
    kind: str,
    extra: dict[str, Any] | None = None,
) -> None:
    investigation = measure.investigation
    if kind == IntakeKind.MEASURE_AUTHORISED or before == MeasureStatus.ACTIVE:
        _intelligence_event(
            investigation, kind, actor, {"type": measure.type, "ends_on": str(measure.ends_on)}
        )
    audit.record(
        action=Action.CHANGE,
        actor=actor,
        obj=measure,
        person=investigation.person,
        changes={"status": {"before": before, "after": measure.status}, **(extra or {})},
    )


def measures_end_with_investigation(investigation: Investigation, actor: Membership) -> None:
    """When an investigation closes, its measures stop: running ones end, requests lapse."""
    for measure in Measure.objects.select_for_update().filter(
        investigation=investigation, status__in=[MeasureStatus.REQUESTED, MeasureStatus.ACTIVE]
    ):
        before = measure.status
        _end(measure, actor)
        _measure_changed(actor, measure, before, IntakeKind.MEASURE_ENDED)
