"""Writes of the core domain. Each service is one transaction with its audit entry and its
timeline event; it checks the access policy and the rules that span rows, and raises
:class:`~continuum.core.exceptions.ApplicationError` with field errors on bad input."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.access import policy
from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core import encryption, timeline
from continuum.core.exceptions import Conflict, InvalidInput, NotFound
from continuum.core.fields import encrypted_fields, models_with_encrypted_fields
from continuum.core.models import (
    Agency,
    AgencyType,
    ApiToken,
    Case,
    CustodyStatus,
    Membership,
    Person,
    Phase,
    Placement,
    Sensitivity,
    TimelineEvent,
    User,
    unique_reference,
)

PERSON_FIELDS = (
    "given_names",
    "family_name",
    "aliases",
    "date_of_birth",
    "national_identifier",
    "custody_status",
    "sentence_start",
    "expected_release",
    "actual_release",
    "is_veto",
)
SENTENCE_FIELDS = ("sentence_start", "expected_release", "actual_release")


def _validate(instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise InvalidInput.from_validation_error(error) from error


def timeline_add(
    *,
    person: Person,
    kind: str,
    actor: Membership | None,
    case: Case | None = None,
    occurred_at: datetime | None = None,
    details: dict[str, Any] | None = None,
    held_by: Agency | None = None,
) -> TimelineEvent:
    """Add an event to the person's timeline; the caller's transaction covers it. The kind
    must be registered (:mod:`continuum.core.timeline`); its sensitivity (and, for
    intelligence, the agency that holds it) decides who reads the event (see the access
    policy)."""
    sensitivity = timeline.kind_of(kind).sensitivity
    if sensitivity == Sensitivity.INTELLIGENCE and held_by is None:
        raise ValueError("Intelligence on the timeline must say which agency holds it.")
    return TimelineEvent.objects.create(
        person=person,
        case=case,
        kind=kind,
        actor=actor,
        occurred_at=occurred_at or timezone.now(),
        details=details or {},
        sensitivity=sensitivity,
        held_by=held_by,
    )


# --- persons -------------------------------------------------------------------------------


def _normalise_person_data(data: dict[str, Any]) -> dict[str, Any]:
    clean = {name: data[name] for name in PERSON_FIELDS if name in data}
    if "national_identifier" in clean:
        clean["national_identifier"] = (clean["national_identifier"] or "").strip() or None
    return clean


def person_register(*, actor: Membership, data: dict[str, Any]) -> Person:
    """Register a new person (the client) with a fresh pseudonymous reference.

    A national identifier must be unique, so refusing a duplicate tells the registrant that
    the identifier is known, even when its person is hidden from them. That cannot be avoided;
    what can is that it goes unnoticed: a clash with a person the registrant may not see is
    recorded in the audit log, in a transaction of its own, for the data-protection officer."""
    try:
        return _person_register(actor=actor, data=data)
    except InvalidInput as refused:
        if "national_identifier" in refused.fields:
            _record_hidden_identifier_clash(actor, data.get("national_identifier"))
        raise


@transaction.atomic
def _record_hidden_identifier_clash(actor: Membership, identifier: str | None) -> None:
    index = Person._meta.get_field("national_identifier_index")
    clash = Person.objects.filter(index.matching(identifier or "")).first()
    if clash is None or policy.scope_persons(actor).filter(pk=clash.pk).exists():
        return
    audit.record(action=Action.IDENTIFIER_CLASH, actor=actor, obj=clash, person=clash)


@transaction.atomic
def _person_register(*, actor: Membership, data: dict[str, Any]) -> Person:
    if not policy.can_register_person(actor):
        raise NotFound
    person = Person(registered_by=actor.agency, **_normalise_person_data(data))
    person.reference = unique_reference(Person, "P")
    _validate(person, exclude=["reference"])
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:  # a concurrent registration of the same identifier
        raise InvalidInput.on(
            "national_identifier",
            _("A person with this national identifier is already registered."),
        ) from error
    timeline_add(
        person=person,
        kind=TimelineEvent.Kind.PERSON_REGISTERED,
        actor=actor,
        details={"agency": actor.agency.name},
    )
    if person.sentence_start:
        _sentence_event(person, actor)
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=person,
        person=person,
        changes=audit.diff({}, audit.snapshot(person, PERSON_FIELDS)),
    )
    if person.is_veto:
        _open_case_for_veto(person, actor)
    return person


def _sentence_event(person: Person, actor: Membership) -> None:
    timeline_add(
        person=person,
        kind=TimelineEvent.Kind.SENTENCE_RECORDED,
        actor=actor,
        details={
            name: getattr(person, name) and getattr(person, name).isoformat()
            for name in SENTENCE_FIELDS
        },
    )


@transaction.atomic
def person_update(*, actor: Membership, person: Person, data: dict[str, Any]) -> Person:
    person = policy.lock_visible(policy.scope_persons, actor, person)
    if not policy.can_change_person(actor, person):
        raise NotFound
    before = audit.snapshot(person, PERSON_FIELDS)
    for name, value in _normalise_person_data(data).items():
        setattr(person, name, value)
    _validate(person, exclude=["reference"])
    changes = audit.diff(before, audit.snapshot(person, PERSON_FIELDS))
    if not changes:
        return person
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        raise InvalidInput.on(
            "national_identifier",
            _("A person with this national identifier is already registered."),
        ) from error
    if any(name in changes for name in SENTENCE_FIELDS):
        _sentence_event(person, actor)
    audit.record(action=Action.CHANGE, actor=actor, obj=person, person=person, changes=changes)
    if person.is_veto and "is_veto" in changes:
        _open_case_for_veto(person, actor)
    return person


# --- placements ----------------------------------------------------------------------------


@transaction.atomic
def placement_add(
    *,
    actor: Membership,
    person: Person,
    institution: Agency,
    unit_type: str,
    started_on: date,
    ended_on: date | None = None,
) -> Placement:
    """Record where a person is or was held. Placements of one person never overlap."""
    # Lock the person so that two concurrent placements cannot both pass the overlap check.
    person = policy.lock_visible(policy.scope_persons, actor, person)
    if not policy.can_change_person(actor, person):
        raise NotFound
    placement = Placement(
        person=person,
        institution=institution,
        unit_type=unit_type,
        started_on=started_on,
        ended_on=ended_on,
    )
    _validate(placement, exclude=["person"])
    for other in person.placements.select_related("institution"):
        if placement.overlaps(other):
            message = _(
                "This placement overlaps the placement at %(institution)s from %(start)s "
                "to %(end)s."
            ) % {
                "institution": other.institution.name,
                "start": other.started_on.isoformat(),
                "end": other.ended_on.isoformat() if other.ended_on else _("now"),
            }
            raise InvalidInput(message, {"started_on": [message]})
    placement.save()
    timeline_add(
        person=person,
        kind=TimelineEvent.Kind.PLACEMENT_STARTED,
        actor=actor,
        occurred_at=_start_of_day(started_on),
        details={"institution": institution.name, "unit_type": unit_type},
    )
    if ended_on:
        timeline_add(
            person=person,
            kind=TimelineEvent.Kind.PLACEMENT_ENDED,
            actor=actor,
            occurred_at=_start_of_day(ended_on),
            details={"institution": institution.name},
        )
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=placement,
        person=person,
        changes=audit.diff(
            {}, audit.snapshot(placement, ("institution", "unit_type", "started_on", "ended_on"))
        ),
    )
    return placement


@transaction.atomic
def placement_end(*, actor: Membership, placement: Placement, ended_on: date) -> Placement:
    # The person is locked, as by every change to their placements.
    person = policy.lock_visible(policy.scope_persons, actor, placement.person)
    if not policy.can_change_person(actor, person):
        raise NotFound
    placement = Placement.objects.select_related("institution").get(pk=placement.pk)
    if placement.ended_on:
        raise Conflict(_("This placement has already ended."))
    placement.ended_on = ended_on
    _validate(placement, exclude=["person"])
    placement.save(update_fields=["ended_on"])
    timeline_add(
        person=person,
        kind=TimelineEvent.Kind.PLACEMENT_ENDED,
        actor=actor,
        occurred_at=_start_of_day(ended_on),
        details={"institution": placement.institution.name},
    )
    audit.record(
        action=Action.CHANGE,
        actor=actor,
        obj=placement,
        person=person,
        changes=audit.diff({"ended_on": None}, {"ended_on": ended_on}),
    )
    return placement


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# --- cases ---------------------------------------------------------------------------------


def _opening_phase(person: Person) -> str:
    """A case opened while the person is held starts in detention; otherwise as referred."""
    in_custody = person.custody_status in (CustodyStatus.PRE_TRIAL, CustodyStatus.SENTENCED)
    return Phase.IN_DETENTION if in_custody else Phase.REFERRED


def _open_case_for_veto(person: Person, actor: Membership) -> Case | None:
    """A convicted VETO is a MAR case as soon as the sentence is recorded, without triage."""
    if person.cases.exclude(phase=Phase.CLOSED).exists():
        return None
    coordination = Agency.objects.filter(
        type=AgencyType.COORDINATION_PROGRAMME, is_active=True
    ).first()
    lead = coordination or actor.agency
    return _case_create(
        person=person,
        lead_agency=lead,
        phase=_opening_phase(person),
        actor=actor,
        team=[actor.agency],
        reason="veto",
    )


def case_create_on_referral(
    *, person: Person, lead_agency: Agency, actor: Membership, team: list[Agency]
) -> Case:
    """The MAR case a triage referral opens (the triage stage calls it), inside the
    caller's transaction; the caller has checked that the person has no open case."""
    return _case_create(
        person=person,
        lead_agency=lead_agency,
        phase=_opening_phase(person),
        actor=actor,
        team=team,
        reason="referral",
    )


def _case_create(
    *,
    person: Person,
    lead_agency: Agency,
    phase: str,
    actor: Membership,
    team: list[Agency],
    reason: str,
) -> Case:
    case = Case(
        person=person,
        lead_agency=lead_agency,
        phase=phase,
        reference=unique_reference(Case, "MAR"),
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as error:  # a concurrent request opened one first
        raise _open_case_exists(person) from error
    case.team_agencies.set({lead_agency, *team})
    timeline_add(
        person=person,
        case=case,
        kind=TimelineEvent.Kind.CASE_OPENED,
        actor=actor,
        details={"reason": reason, "lead_agency": lead_agency.name, "phase": phase},
    )
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=case,
        person=person,
        case=case,
        changes={
            "phase": {"before": None, "after": phase},
            "lead_agency": {"before": None, "after": lead_agency.code},
            "reason": reason,
        },
    )
    return case


def _open_case_exists(person: Person) -> InvalidInput:
    existing = person.cases.exclude(phase=Phase.CLOSED).first()
    message = _("This person already has an open case (%(reference)s).") % {
        "reference": existing.reference if existing else "?"
    }
    return InvalidInput(message, {"person": [message]})


@transaction.atomic
def case_open(
    *,
    actor: Membership,
    person: Person,
    lead_agency: Agency,
    phase: str = Phase.REFERRED,
    team: list[Agency] | None = None,
) -> Case:
    """Open a MAR case. A person has at most one open case."""
    if not policy.can_open_case(actor):
        raise NotFound
    # The person is locked so that two openings queue and the second finds the first's case.
    person = policy.lock_visible(policy.scope_persons, actor, person)
    if phase == Phase.CLOSED:
        raise InvalidInput.on("phase", _("A case cannot be opened as closed."))
    if person.cases.exclude(phase=Phase.CLOSED).exists():
        raise _open_case_exists(person)
    return _case_create(
        person=person,
        lead_agency=lead_agency,
        phase=phase,
        actor=actor,
        team=team or [],
        reason="opened",
    )


@transaction.atomic
def case_change_phase(*, actor: Membership, case: Case, phase: str) -> Case:
    case = policy.lock_visible(policy.scope_cases, actor, case, related=("person",))
    if not policy.can_change_case(actor, case):
        raise NotFound
    if phase not in Phase.values:
        raise InvalidInput.on("phase", _("Choose a valid phase."))
    if not case.is_open:
        raise Conflict(_("A closed case cannot change phase."))
    if phase == case.phase:
        return case
    before = case.phase
    case.phase = phase
    case.closed_at = timezone.now() if phase == Phase.CLOSED else None
    case.save(update_fields=["phase", "closed_at"])
    timeline_add(
        person=case.person,
        case=case,
        kind=TimelineEvent.Kind.PHASE_CHANGED,
        actor=actor,
        details={"before": before, "after": phase},
    )
    audit.record(
        action=Action.CHANGE,
        actor=actor,
        obj=case,
        person=case.person,
        case=case,
        changes={"phase": {"before": before, "after": phase}},
    )
    return case


@transaction.atomic
def case_set_team(
    *, actor: Membership, case: Case, agencies: list[Agency], members: list[Membership]
) -> Case:
    """Replace the team. The lead agency is always on it; named members must belong to a
    team agency."""
    case = policy.lock_visible(policy.scope_cases, actor, case, related=("person", "lead_agency"))
    if not policy.can_change_case(actor, case):
        raise NotFound
    agency_set = {case.lead_agency, *agencies}
    strangers = [m for m in members if m.agency not in agency_set]
    if strangers:
        message = _("%(member)s does not belong to an agency on the team.") % {
            "member": f"{strangers[0].user} ({strangers[0].agency})"
        }
        raise InvalidInput.on("members", message)
    before = _team(case)
    case.team_agencies.set(agency_set)
    case.team_members.set(members)
    _team_changed(actor, case, before)
    return case


def case_join_team_on_referral(*, actor: Membership, case: Case, agencies: list[Agency]) -> Case:
    """The referring agencies join an open case's team (the triage stage calls it),
    inside the caller's transaction, which has checked the referral may take effect."""
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    before = _team(case)
    case.team_agencies.add(*agencies)
    _team_changed(actor, case, before)
    return case


def _team(case: Case) -> dict[str, list[Any]]:
    return {
        "agencies": sorted(a.code for a in case.team_agencies.all()),
        "members": sorted(m.pk for m in case.team_members.all()),
    }


def _team_changed(actor: Membership, case: Case, before: dict[str, list[Any]]) -> None:
    """The timeline event and audit entry of a team change, if anything changed."""
    changes = audit.diff(before, _team(case))
    if not changes:
        return
    timeline_add(
        person=case.person,
        case=case,
        kind=TimelineEvent.Kind.TEAM_CHANGED,
        actor=actor,
        details={"agencies": sorted(a.name for a in case.team_agencies.all())},
    )
    audit.record(
        action=Action.CHANGE,
        actor=actor,
        obj=case,
        person=case.person,
        case=case,
        changes=changes,
    )


# --- memberships and tokens ----------------------------------------------------------------


def membership_choose(*, user: User, membership_id: int) -> Membership:
    membership = (
        user.memberships.select_related("agency")
        .filter(pk=membership_id, is_active=True, agency__is_active=True)
        .first()
    )
    if membership is None:
        raise NotFound(_("Choose one of your memberships."))
    audit.record(action=Action.MEMBERSHIP_CHOSEN, actor=membership, obj=membership)
    return membership


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_issue(*, membership: Membership, label: str = "", days: int | None = None) -> IssuedToken:
    """Issue a bearer token bound to one membership. The secret is returned once and only
    its hash is stored."""
    days = settings.CONTINUUM_TOKEN_DEFAULT_DAYS if days is None else days
    if days < 1:
        raise InvalidInput.on("days", _("A token must be valid for at least one day."))
    if not membership.is_active:
        raise InvalidInput.on("membership", _("The membership is not active."))
    prefix = secrets.token_hex(4)
    secret = f"ctm_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        membership=membership,
        label=label,
        prefix=prefix,
        key_hash=hash_token(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(
        action=Action.TOKEN_ISSUED,
        actor=membership,
        obj=token,
        changes={"expires_at": token.expires_at.isoformat(), "label": label},
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at:
        raise Conflict(_("This token has already been revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(action=Action.TOKEN_REVOKED, actor=token.membership, obj=token)
    return token


# --- field encryption ----------------------------------------------------------------------


@dataclass(frozen=True)
class Reencryption:
    rows: int
    values: int
    key_id: str


def encrypted_values_reencrypt(*, batch_size: int = 200) -> Reencryption:
    """Re-encrypt every stored value that is not under the current key, one transaction per
    batch of rows, which are locked meanwhile so that no concurrent change is lost.

    The values themselves do not change, so this writes no audit entry and leaves
    ``updated_at`` alone: a row is saved with ``update_fields`` naming only its stale
    encrypted fields (and the indexes derived from them, which come out the same).
    """
    key_id = encryption.keyring().current
    rows = values = 0
    for model in models_with_encrypted_fields():
        fields = encrypted_fields(model)
        ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            with transaction.atomic():
                batch = model._default_manager.select_for_update().filter(
                    pk__in=ids[start : start + batch_size]
                )
                for instance in batch.order_by("pk"):
                    stale = [
                        f.name for f in fields if f.stored_key_id(instance) not in {key_id, None}
                    ]
                    if stale:
                        instance.save(update_fields=stale)
                        rows += 1
                        values += len(stale)
    return Reencryption(rows=rows, values=values, key_id=key_id)
