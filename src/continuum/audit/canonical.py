"""The canonical form of an audit entry: the exact text that is stored and sealed.

An entry's ``content`` is a JSON object serialised deterministically:

* keys sorted, no whitespace (``separators=(",", ":")``);
* ASCII only: every other character is written as a ``\\uXXXX`` escape, so the bytes do not
  depend on any database's or terminal's encoding;
* every field always present, empty text as ``""`` and absent numbers as ``null``;
* the time as UTC with microseconds, always 27 characters: ``2026-01-31T09:15:00.000000Z``;
* no NaN or infinity (refused), and NUL characters replaced by U+FFFD (PostgreSQL cannot
  store them, and a failed audit write would roll back the change it records).

The fields are :data:`FIELDS`: ``format`` (the version of this form), ``sequence`` (the
entry's place in the chain, from 1), ``key_id`` (which key sealed it), and the facts of the
event. The entry's hash is not part of its content; the previous entry's hash is bound to it
by the seal itself (see :mod:`continuum.audit.chain`).

The text is written once, when the entry is appended, and the database derives every
searchable column from it. The verifier hashes this text as stored; it never re-serialises,
so there is nothing in the form that a reader must reproduce to verify.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

FORMAT = 1

# The facts of an event, as :func:`continuum.audit.services.record` collects them.
FACTS = (
    "at",
    "action",
    "user_id_copy",
    "username",
    "membership_id_copy",
    "agency_code",
    "role",
    "object_type",
    "object_id",
    "person_reference",
    "case_reference",
    "changes",
    "justification",
    "request_id",
    "client_address",
)
FIELDS = ("format", "sequence", "key_id", *FACTS)


def timestamp(moment: datetime) -> str:
    """An aware datetime as the canonical UTC text, with microseconds."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("An audit timestamp must be timezone-aware.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content(facts: Mapping[str, Any], *, sequence: int, key_id: str) -> str:
    """The canonical text of an entry with these facts at this place in the chain."""
    missing = set(FACTS) - set(facts)
    extra = set(facts) - set(FACTS)
    if missing or extra:
        raise ValueError(f"Audit facts do not match the form: missing {missing}, extra {extra}")
    document = {
        **{name: _clean(value) for name, value in facts.items()},
        "at": timestamp(facts["at"]),
        "format": FORMAT,
        "sequence": sequence,
        "key_id": key_id,
    }
    return serialise(document)


def serialise(document: Mapping[str, Any]) -> str:
    """The one serialisation used for sealed text (entries and checkpoints)."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, Mapping):
        return {_clean(key): _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value
