"""Recording a signal (with its routing, attachments and timeline event), the idempotent
intake of the API, coordination's dismissal of a signal, and the register of trained contact
points.

Each service is one transaction with its audit entry; refusals raise
:class:`~continuum.core.exceptions.InvalidInput` with a message per field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.access import policy
from continuum.access.policy import intake as intake_policy
from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core import services as core_services
from continuum.core.exceptions import Conflict, InvalidInput, NotFound
from continuum.core.models import (
    Agency,
    AgencyType,
    Membership,
    Person,
    Role,
    unique_reference,
)
from continuum.intake.models import (
    ContactPointTraining,
    JurisdictionSetting,
    Origin,
    Routing,
    Signal,
    SignalAttachment,
    SignalIntakeRequest,
    SignalStatus,
)
from continuum.intake.services.attachments import attach, attachment_errors
from continuum.intake.timeline import IntakeKind

SIGNAL_FIELDS = (
    "category",
    "observed_behaviour",
    "context",
    "observed_at",
    "source_reliability",
    "information_credibility",
    "rests_on_behaviour",
)
# What is audited of a signal: everything but the reporter's words, which stay in the record.
AUDITED_FIELDS = (
    "person",
    "origin",
    "category",
    "context",
    "observed_at",
    "source_reliability",
    "information_credibility",
    "routed_to",
    "routing",
    "status",
)
INTERNAL_AGENCY_TYPES = frozenset(
    {AgencyType.CUSTODIAL_INSTITUTION, AgencyType.INTELLIGENCE_BUREAU}
)


def bias_safeguard_message() -> str:
    return _(
        "A signal must rest on observed behaviour: religious practice or identity alone is "
        "not a sign."
    )


# --- recording a signal --------------------------------------------------------------------


@transaction.atomic
def signal_record(
    *,
    actor: Membership,
    data: dict[str, Any],
    new_person: dict[str, Any] | None = None,
    attachments: Sequence[UploadedFile[Any]] = (),
) -> Signal:
    """Record a signal about an existing person (``data["person"]``, a reference the actor
    may see) or about a new person registered in the same step (``new_person``).

    The bias safeguard comes first: a signal the reporter does not confirm rests on observed
    behaviour is refused with that reason. Routing: an internal signal goes to the reporter's
    institution's intelligence bureau; an external one about a person held in custody (an
    open placement) is passed on to that institution, and otherwise goes to the coordination
    programme's queue.
    """
    if not intake_policy.can_record_signal(actor):
        raise NotFound
    signal = Signal(
        reference=unique_reference(Signal, "S"),
        origin=Origin.INTERNAL if actor.agency.type in INTERNAL_AGENCY_TYPES else Origin.EXTERNAL,
        reporting_agency=actor.agency,
        reported_by=actor,
        **{name: data.get(name) for name in SIGNAL_FIELDS},
    )
    signal.observed_behaviour = (signal.observed_behaviour or "").strip()
    signal.rests_on_behaviour = bool(signal.rests_on_behaviour)
    for name in ("category", "context", "source_reliability", "information_credibility"):
        setattr(signal, name, getattr(signal, name) or "")
    errors = _signal_errors(signal)
    reference = (data.get("person") or "").strip().upper()
    person, person_error = _subject(actor, reference, new_person)
    if person_error:
        errors.setdefault("person", []).append(person_error)
    errors.update(attachment_errors(attachments))
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors)
    if person is None:
        person = _register_person(actor, new_person or {})
    signal.person = person
    signal.routed_to, signal.routing = _route(actor, signal.origin, person)
    signal.save()
    stored: list[SignalAttachment] = []
    try:
        for upload in attachments:
            stored.append(attach(signal, upload))
        _signal_recorded(actor, signal, person)
    except BaseException:
        # The rows roll back with the transaction; the files written so far go too.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return signal


def _subject(
    actor: Membership, reference: str, new_person: dict[str, Any] | None
) -> tuple[Person | None, str | None]:
    """The existing person the signal is about (or None for a new person), or the reason
    the choice is refused."""
    if reference and new_person:
        return None, _("Choose an existing person or enter a new person, not both.")
    if not reference:
        if new_person:
            return None, None
        return None, _("Choose a person by reference, or enter a new person's names.")
    try:
        person = policy.get_person(actor, reference)
    except NotFound:
        return None, _("No person with this reference is known to you.")
    if not policy.can_write_about_person(actor, person):
        return None, _("Emergency access is read-only: record no signal about this person.")
    return person, None


def _signal_recorded(actor: Membership, signal: Signal, person: Person) -> None:
    """The timeline event (intelligence) and the audit entry of a new signal."""
    core_services.timeline_add(
        person=person,
        kind=(
            IntakeKind.SIGNAL_PASSED_ON
            if signal.routing == Routing.PASSED_ON
            else IntakeKind.SIGNAL_RECORDED
        ),
        actor=actor,
        held_by=signal.routed_to,
        details={
            "reference": signal.reference,
            "agency": actor.agency.name,
            "routed_to": signal.routed_to.name,
            "routing": signal.routing,
        },
    )
    changes: dict[str, Any] = audit.diff({}, audit.snapshot(signal, AUDITED_FIELDS))
    changes["attachments"] = {
        "before": None,
        "after": [a.sha256 for a in signal.attachments.all()],
    }
    audit.record(action=Action.CREATE, actor=actor, obj=signal, person=person, changes=changes)


def _signal_errors(signal: Signal) -> dict[str, list[str]]:
    """Every refused field with its message; the bias safeguard first, as it is the reason."""
    errors: dict[str, list[str]] = {}
    if not signal.rests_on_behaviour:
        errors["rests_on_behaviour"] = [bias_safeguard_message()]
    try:
        signal.full_clean(
            exclude=["person", "reference", "routed_to", "routing", "rests_on_behaviour"],
            validate_constraints=False,
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    observed_at = signal.observed_at
    if isinstance(observed_at, datetime) and observed_at > timezone.now():
        errors.setdefault("observed_at", []).append(_("The observation cannot be in the future."))
    return errors


def _register_person(actor: Membership, data: dict[str, Any]) -> Person:
    """A new person, registered in the same transaction; refusals name the new person's
    fields (``new_person.<field>``)."""
    try:
        return core_services.person_register(actor=actor, data=data)
    except InvalidInput as refused:
        fields = {f"new_person.{name}": messages for name, messages in refused.fields.items()}
        raise InvalidInput(refused.message, fields) from refused
    except NotFound as refused:
        raise InvalidInput.on("person", _("You may not register a new person.")) from refused


def _route(actor: Membership, origin: str, person: Person) -> tuple[Agency, str]:
    """Where the signal goes. A jurisdiction with a central signals unit sends there every
    signal that would otherwise go to one of its institutions or bureaux."""
    agency, routing = _route_locally(actor, origin, person)
    if routing == Routing.COORDINATION:
        return agency, routing
    setting = (
        JurisdictionSetting.objects.filter(
            jurisdiction=agency.jurisdiction,
            central_signals_unit__isnull=False,
            central_signals_unit__is_active=True,
        )
        .select_related("central_signals_unit")
        .first()
    )
    if setting is not None and setting.central_signals_unit is not None:
        return setting.central_signals_unit, Routing.CENTRAL_UNIT
    return agency, routing


def _route_locally(actor: Membership, origin: str, person: Person) -> tuple[Agency, str]:
    if origin == Origin.INTERNAL:
        if actor.agency.type == AgencyType.INTELLIGENCE_BUREAU:
            return actor.agency, Routing.BUREAU
        bureau = Agency.objects.filter(
            type=AgencyType.INTELLIGENCE_BUREAU, parent=actor.agency, is_active=True
        ).first()
        # An institution without a bureau of its own keeps the signal with its contact points.
        return bureau or actor.agency, Routing.BUREAU
    placement = (
        person.placements.filter(ended_on__isnull=True).select_related("institution").first()
    )
    if placement is not None:
        return placement.institution, Routing.PASSED_ON
    return _coordination_programme(actor), Routing.COORDINATION


def _coordination_programme(actor: Membership) -> Agency:
    programmes = Agency.objects.filter(type=AgencyType.COORDINATION_PROGRAMME, is_active=True)
    programme = (
        programmes.filter(jurisdiction=actor.agency.jurisdiction).first() or programmes.first()
    )
    if programme is None:
        raise Conflict(_("No coordination programme is set up to receive this signal."))
    return programme


# --- the API's idempotent intake -----------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    status_code: int
    response: dict[str, Any]
    replayed: bool


def fingerprint(payload: Any) -> str:
    """A stable digest of a request body: the same body gives the same fingerprint."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def signal_record_once(
    *,
    actor: Membership,
    key: str,
    request_fingerprint: str,
    record: Callable[[], Signal],
    respond: Callable[[Signal], dict[str, Any]],
) -> Intake:
    """Record a signal at most once per ``Idempotency-Key`` of this membership.

    The key's row is inserted first, in the same transaction as the signal: a concurrent
    retry waits on the unique index until this transaction ends, then finds the stored
    answer (or, if this one was refused and rolled back, records the signal itself). The same
    key with a different body is a conflict.
    """
    key = key.strip()
    if not key or len(key) > 200:
        raise InvalidInput.on(
            "Idempotency-Key",
            _("The Idempotency-Key header must be between 1 and 200 characters."),
        )
    intake, created = SignalIntakeRequest.objects.get_or_create(
        membership=actor, key=key, defaults={"fingerprint": request_fingerprint}
    )
    if not created:
        if intake.fingerprint != request_fingerprint:
            raise Conflict(
                _(
                    "This Idempotency-Key was already used for a different request. Use a new "
                    "key for a new signal."
                )
            )
        if intake.signal is not None:
            # The answer repeats the reported words: only while the signal is still theirs
            # to see (an exclusion since then withholds it).
            if not intake_policy.scope_signals(actor).filter(pk=intake.signal.pk).exists():
                raise NotFound
            audit.record_read(actor=actor, obj=intake.signal, person=intake.signal.person)
        return Intake(status_code=intake.status_code, response=intake.response, replayed=True)
    signal = record()
    intake.signal = signal
    intake.status_code = 201
    intake.response = respond(signal)
    intake.save(update_fields=["signal", "status_code", "response"])
    return Intake(status_code=201, response=intake.response, replayed=False)


# --- coordination's own queue -------------------------------------------------------------


@transaction.atomic
def signal_dismiss(*, actor: Membership, signal: Signal, reason: str) -> Signal:
    """Coordination closes a signal in its own queue (a person not held in custody) with no
    further action; the reason is required and audited."""
    signal = policy.lock_visible(intake_policy.scope_signals, actor, signal, related=("person",))
    # Only coordination dismisses here; to anyone else (the reporter, who sees the signal) the
    # action does not exist, as for every other write they may not make.
    if not intake_policy.can_dismiss_signals(actor):
        raise NotFound
    if not policy.can_write_about_person(actor, signal.person):
        raise NotFound
    if not intake_policy.can_dismiss_signal(actor, signal):
        raise Conflict(
            _("Only a signal awaiting assessment in coordination's queue is dismissed here.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.on("reason", _("Give the reason for dismissing the signal."))
    signal.status = SignalStatus.DISMISSED
    signal.save(update_fields=["status"])
    audit.record(
        action=Action.CHANGE,
        actor=actor,
        obj=signal,
        person=signal.person,
        changes={
            "status": {"before": SignalStatus.AWAITING_ASSESSMENT, "after": signal.status},
            "reason": reason,
        },
    )
    return signal


# --- contact points ------------------------------------------------------------------------


@transaction.atomic
def contact_point_training_add(
    *, actor: Membership, contact_point: Membership, trained_on: date, expires_on: date
) -> ContactPointTraining:
    """Record a contact point's training in the register of their institution."""
    if not intake_policy.can_keep_contact_points(actor, None):
        raise NotFound
    if contact_point.role != Role.CONTACT_POINT or not contact_point.is_active:
        raise InvalidInput.on(
            "contact_point", _("Choose an active contact point of the institution.")
        )
    if not intake_policy.can_keep_contact_points(actor, contact_point.agency):
        raise NotFound
    if expires_on <= trained_on:
        raise InvalidInput.on("expires_on", _("The training must expire after the training date."))
    if trained_on > timezone.localdate():
        raise InvalidInput.on("trained_on", _("The training date cannot be in the future."))
    training = ContactPointTraining.objects.create(
        membership=contact_point, trained_on=trained_on, expires_on=expires_on, recorded_by=actor
    )
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=training,
        changes=audit.diff(
            {},
            {
                "membership": contact_point.pk,
                "trained_on": trained_on,
                "expires_on": expires_on,
            },
        ),
    )
    return training
