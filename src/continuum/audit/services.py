"""Writing the audit log.

Every service that changes case data calls :func:`record` inside its own transaction, so a
change and its entry commit or roll back together. Reads of case data are recorded by the views
that show them (the consultation itself is the event). :func:`record` seals each entry into the
hash chain (:mod:`continuum.audit.chain`); nothing else writes entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from continuum.audit import chain, exports, selectors
from continuum.audit.context import current
from continuum.audit.models import Action, AuditEntry

if TYPE_CHECKING:
    from continuum.core.models import Case, Membership, Person, User

# Values of these fields are never copied into the log; the entry says that they changed.
REDACTED_FIELDS = frozenset(
    {"national_identifier", "date_of_birth", "given_names", "family_name", "aliases", "password"}
)
REDACTED = "[redacted]"


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Field-level before/after for the fields that changed, sensitive values redacted."""
    changes: dict[str, dict[str, Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in REDACTED_FIELDS:
            changes[name] = {"before": REDACTED, "after": REDACTED}
        else:
            changes[name] = {"before": _jsonable(old), "after": _jsonable(new)}
    return changes


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def record(
    *,
    action: str,
    actor: Membership | None = None,
    user: User | None = None,
    obj: models.Model | None = None,
    person: Person | None = None,
    case: Case | None = None,
    changes: dict[str, Any] | None = None,
    justification: str = "",
    person_reference: str = "",
) -> AuditEntry:
    """Append one entry. Call inside the transaction of the change it records.

    ``person_reference`` names a person by reference where there is no :class:`Person` to
    pass (the log outlives erased persons); ``person`` wins when both are given.
    """
    user = user or (actor.user if actor else None)
    context = current.get()
    facts = {
        "at": timezone.now(),
        "action": str(action),
        "user_id_copy": user.pk if user else None,
        "username": user.get_username() if user else "",
        "membership_id_copy": actor.pk if actor else None,
        "agency_code": actor.agency.code if actor else "",
        "role": str(actor.role) if actor else "",
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(getattr(obj, "reference", None) or obj.pk) if obj is not None else "",
        "person_reference": person.reference if person else person_reference,
        "case_reference": case.reference if case else "",
        "changes": changes or {},
        "justification": justification,
        "request_id": context.request_id,
        "client_address": context.client_address,
    }
    return chain.append(facts)


def record_read(
    *, actor: Membership, obj: models.Model, person: Person | None = None, case: Case | None = None
) -> AuditEntry:
    """A consultation. Under emergency access it carries that access's justification, so the
    data-protection officer sees why each read happened."""
    return record(
        action=Action.READ,
        actor=actor,
        obj=obj,
        person=person,
        case=case,
        justification=_emergency_justification(actor, person, case),
    )


def _emergency_justification(actor: Membership, person: Person | None, case: Case | None) -> str:
    from continuum.access.models import EmergencyAccess  # the access app records through us

    running = EmergencyAccess.objects.active(actor)
    if case is not None:
        running = running.filter(case=case)
    elif person is not None:
        running = running.filter(case__person=person)
    else:
        return ""
    access = running.order_by("-started_at").first()
    return access.justification if access else ""


def record_list(
    *, actor: Membership, object_type: str, shown: list[str], query: dict[str, Any]
) -> AuditEntry:
    """A search or list: which records were shown, and what was asked."""
    return record(
        action=Action.LIST,
        actor=actor,
        changes={"object_type": object_type, "shown": shown, "query": query},
    )


@transaction.atomic
def person_export(
    *, actor: Membership, reference: str, file_format: str, justification: str
) -> exports.ExportFile:
    """Every entry about the person with ``reference``, as a file for the data-protection
    officer, and an ``export`` entry that says who took it, why, and what it held. The export
    entry is written in the same transaction as the read, so there is no copy without it."""
    entries = list(selectors.entries_about_person(actor=actor, reference=reference))
    record(
        action=Action.EXPORT,
        actor=actor,
        person_reference=reference,
        justification=justification,
        changes={
            "format": file_format,
            "entries": len(entries),
            "sequences": [entries[0].sequence, entries[-1].sequence] if entries else [],
        },
    )
    return exports.render(entries, reference=reference, file_format=file_format)
