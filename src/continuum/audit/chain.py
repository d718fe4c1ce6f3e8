"""Appending to the hash chain.

Each entry is sealed with::

    entry_hash = HMAC-SHA256(key, prev_hash || content)

where ``prev_hash`` is the previous entry's ``entry_hash`` as 64 lowercase hex digits (for the
first entry, :data:`GENESIS`), ``content`` is the entry's canonical text
(:mod:`continuum.audit.canonical`) as UTF-8 (it is ASCII), and ``||`` is concatenation. Both
hashes are stored as hex. The content names the sequence number and the key id, so an entry
cannot be moved, renumbered or attributed to another key without breaking its seal, and the
previous hash ties it to everything before it.

Without the key, nobody can compute a seal, so editing an entry, inserting one or rebuilding
the chain after a deletion all show, even to someone who recomputes plain SHA-256 digests. What
the chain alone cannot show is the loss of its newest entries: for that the verifier compares
the log with the signed checkpoints kept outside the database
(:mod:`continuum.audit.checkpoints`).

Appending happens inside the caller's transaction, in three statements: lock the head row,
insert the entry, move the head. The lock makes concurrent transactions queue, so no two
entries ever chain onto the same previous hash (and a unique index on ``sequence`` would refuse
one if they did); the entry commits or rolls back with the change it records.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction

from continuum.audit import canonical, checkpoints
from continuum.audit.keys import Keyring, keyring
from continuum.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def seal(mac: hmac.HMAC, prev_hash: str, content: str) -> str:
    """The entry hash of ``content`` following ``prev_hash``; ``mac`` is primed with the key
    (:meth:`Keyring.mac`) and is not changed."""
    sealed = mac.copy()
    sealed.update(prev_hash.encode("ascii"))
    sealed.update(content.encode("utf-8"))
    return sealed.hexdigest()


def append(facts: Mapping[str, Any], *, keys: Keyring | None = None) -> AuditEntry:
    """Seal ``facts`` as the next entry. Joins the caller's transaction without a savepoint:
    if this fails, the caller's transaction can only roll back, so a change can never commit
    without its entry, even when the caller catches the error."""
    keys = keys or keyring()
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        sequence = head.sequence + 1
        text = canonical.content(facts, sequence=sequence, key_id=keys.current_id)
        entry = AuditEntry.objects.create(
            content=text,
            prev_hash=head.entry_hash,
            entry_hash=seal(keys.mac(), head.entry_hash, text),
        )
        head.sequence, head.entry_hash = sequence, entry.entry_hash
        head.save(update_fields=["sequence", "entry_hash"])
        if sequence % settings.CONTINUUM_AUDIT_CHECKPOINT_EVERY == 0:
            checkpoints.write_after_commit(
                checkpoints.Checkpoint.at_head(sequence, entry.entry_hash), keys
            )
    return entry


def _locked_head() -> AuditHead:
    """The head row, locked until the transaction ends; rebuilt from the newest entry when it
    is missing (a new database, or one flushed by the test suite)."""
    heads = AuditHead.objects.select_for_update()
    head = heads.filter(pk=AuditHead.ROW).first()
    if head is None:
        sequence, entry_hash = newest()
        head, _ = heads.get_or_create(
            pk=AuditHead.ROW, defaults={"sequence": sequence, "entry_hash": entry_hash}
        )
    return head


def newest(using: str | None = None) -> tuple[int, str]:
    """The sequence number and hash of the newest entry, or (0, GENESIS) when there is none."""
    entries = AuditEntry.objects.using(using) if using else AuditEntry.objects
    found = entries.order_by("-sequence").values_list("sequence", "entry_hash").first()
    return found if found is not None else (0, GENESIS)
