"""Signed checkpoints of the chain, kept outside the database.

The chain shows any change to an entry it still holds, but not the loss of its newest
entries: a log cut short is still a valid chain. So the head of the chain is written down
elsewhere from time to time: every ``CONTINUUM_AUDIT_CHECKPOINT_EVERY`` entries (after the
transaction that appended the entry commits, so a rolled-back transaction leaves none) and on
each ``continuum audit checkpoint`` (for example from cron, to cover quiet periods).

A checkpoint is one line of JSON appended to ``CONTINUUM_AUDIT_CHECKPOINT_FILE`` (default
``<VAR_DIR>/audit-checkpoints.jsonl``)::

    {"at":"…Z","entries":2000,"format":1,"hash":"…","key_id":"…","sequence":2000,
     "signature":"…"}

``signature`` is HMAC-SHA256 with the audit key over the canonical serialisation of the other
fields, so a line cannot be forged or altered without the key. ``entries`` is the number of
entries the log held, ``sequence`` and ``hash`` its newest entry. The verifier compares the
database with every checkpoint: a log that holds fewer entries than a checkpoint counted, or a
different hash at a checkpoint's sequence, has been truncated or rewritten.

The file is only as good as the place it is kept: put it on other storage than the database,
or ship its lines on (syslog, a write-once bucket) as they are written.
"""

from __future__ import annotations

import fcntl
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from continuum.audit import canonical
from continuum.audit.keys import Keyring, keyring

FORMAT = 1
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checkpoint:
    entries: int
    sequence: int
    entry_hash: str
    at: str
    key_id: str = ""

    @classmethod
    def at_head(cls, sequence: int, entry_hash: str, entries: int | None = None) -> Checkpoint:
        """A checkpoint of the chain now ending at ``sequence``. Without a count, the count of
        an intact chain: entries are numbered from 1 without gaps."""
        return cls(
            entries=sequence if entries is None else entries,
            sequence=sequence,
            entry_hash=entry_hash,
            at=canonical.timestamp(timezone.now()),
        )

    def age_seconds(self) -> float:
        """How long ago the checkpoint was taken."""
        taken = datetime.fromisoformat(self.at.replace("Z", "+00:00"))
        return (timezone.now() - taken).total_seconds()

    def body(self, key_id: str) -> dict[str, Any]:
        return {
            "at": self.at,
            "entries": self.entries,
            "format": FORMAT,
            "hash": self.entry_hash,
            "key_id": key_id,
            "sequence": self.sequence,
        }


def path() -> Path:
    return Path(settings.CONTINUUM_AUDIT_CHECKPOINT_FILE)


def signed_line(checkpoint: Checkpoint, keys: Keyring) -> str:
    body = checkpoint.body(keys.current_id)
    return canonical.serialise({**body, "signature": _sign(keys.mac(), body)})


def _sign(mac: hmac.HMAC, body: dict[str, Any]) -> str:
    signed = mac.copy()
    signed.update(canonical.serialise(body).encode("ascii"))
    return signed.hexdigest()


def write(checkpoint: Checkpoint, keys: Keyring | None = None, to: Path | None = None) -> None:
    """Append the signed checkpoint to the file (created with mode 0600), under an exclusive
    lock, and flush it to disk before returning."""
    target = to or path()
    target.parent.mkdir(parents=True, exist_ok=True)
    line = (signed_line(checkpoint, keys or keyring()) + "\n").encode("ascii")
    descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        os.write(descriptor, line)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_after_commit(checkpoint: Checkpoint, keys: Keyring) -> None:
    """Write the checkpoint once the current transaction commits; never if it rolls back.
    A failure to write is logged, not raised: the entry is committed by then."""
    transaction.on_commit(partial(_write_or_log, checkpoint, keys))


def _write_or_log(checkpoint: Checkpoint, keys: Keyring) -> None:
    try:
        write(checkpoint, keys)
    except OSError:
        logger.exception("Could not write the audit checkpoint at #%s", checkpoint.sequence)


@dataclass
class Reading:
    """The checkpoints of a file whose signatures hold, and what was wrong with the rest."""

    checkpoints: list[Checkpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read(keys: Keyring | None = None, source: Path | None = None) -> Reading:
    """Every checkpoint in the file, oldest sequence first. A missing file has none."""
    keys = keys or keyring()
    reading = Reading()
    try:
        lines = (source or path()).read_text(encoding="ascii").splitlines()
    except FileNotFoundError:
        return reading
    except (OSError, UnicodeDecodeError) as error:
        reading.problems.append(f"the checkpoint file cannot be read: {error}")
        return reading
    for number, line in enumerate(lines, start=1):
        if line.strip():
            _read_line(line, number, keys, reading)
    reading.checkpoints.sort(key=lambda c: c.sequence)
    return reading


def _read_line(line: str, number: int, keys: Keyring, reading: Reading) -> None:
    try:
        document = json.loads(line)
        signature = document.pop("signature")
        checkpoint = Checkpoint(
            entries=int(document["entries"]),
            sequence=int(document["sequence"]),
            entry_hash=str(document["hash"]),
            at=str(document["at"]),
            key_id=str(document["key_id"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        reading.problems.append(f"checkpoint line {number} is not a checkpoint")
        return
    key = keys.key(checkpoint.key_id)
    if key is None:
        reading.problems.append(
            f"checkpoint line {number} is signed with key {checkpoint.key_id}, which is not "
            "configured (see CONTINUUM_AUDIT_RETIRED_KEYS)"
        )
        return
    expected = _sign(keys.mac(checkpoint.key_id), checkpoint.body(checkpoint.key_id))
    if document != checkpoint.body(checkpoint.key_id) or not hmac.compare_digest(
        expected, str(signature)
    ):
        reading.problems.append(f"checkpoint line {number} has an invalid signature")
        return
    reading.checkpoints.append(checkpoint)
