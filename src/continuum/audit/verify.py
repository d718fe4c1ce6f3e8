"""Verifying the audit log: does the database still hold what was sealed?

:func:`verify` walks every row of the table in id order, whatever its id (a row inserted below
the first id is in the walk too), in batches fetched by keyset pagination (memory stays flat
however long the log is), and for each entry checks that

* its sequence number is the previous one plus one (else: **gap**: entries were removed or
  moved);
* its ``prev_hash`` is the previous entry's ``entry_hash`` (else: **broken link**);
* its ``entry_hash`` is the HMAC-SHA256, with the key its content names (``key_id``), of its
  ``prev_hash`` and ``content`` as stored (else: **hash mismatch**: the entry was changed, or
  forged by someone without the key; or **unknown key**: it names a key not configured);
* where a signed checkpoint names its sequence number, it has the checkpoint's hash (else:
  **checkpoint mismatch**: the log was rewritten).

After the walk, the rows up to the last one walked are counted: every one must be in the
chain, one to one (**gap** otherwise). A log that ends before the newest checkpoint, or before
the head row said it did when the walk began, has lost its newest entries (**checkpoint
mismatch** / **head mismatch**). The verifier also reports unreadable or badly signed
checkpoint lines, missing or disabled triggers, and derived columns the database no longer
computes from the content; with ``derived=True`` (``continuum audit verify --derived``, a
slower full scan) it also recomputes every derived column from the content and names the first
entry where they differ.

Why hash the stored text instead of re-serialising the columns: the content is the record,
and every column shown or searched is computed from it by the database (generated columns), so
the columns cannot disagree with what is sealed unless the schema itself is changed, which is
checked here too (cheaply by default, exhaustively with ``derived``). Re-serialising columns
would verify a copy made by the verifier; hashing the text as stored verifies what is kept. It
is also what makes verification exact (no serialiser has to reproduce the writer's bytes) and
fast: the database hands over ``prev_hash || content`` and the loop does one HMAC per entry.
How fast, against the floor of any Python verifier, is in docs/benchmarks.md
(``continuum audit benchmark``).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import ExpressionWrapper, F, GeneratedField, Q

from continuum.audit import checkpoints, triggers
from continuum.audit.chain import GENESIS
from continuum.audit.checkpoints import Checkpoint
from continuum.audit.keys import Keyring, keyring
from continuum.audit.models import AuditEntry, AuditHead

BATCH_SIZE = 1000
# id, sequence, previous hash, hash, and prev_hash || content as bytes.
Row = tuple[int, int, str, str, bytes]


class Problem(StrEnum):
    HASH_MISMATCH = "hash mismatch"
    BROKEN_LINK = "broken link"
    GAP = "gap"
    UNKNOWN_KEY = "unknown key"
    CHECKPOINT_MISMATCH = "checkpoint mismatch"
    HEAD_MISMATCH = "head mismatch"
    BAD_CHECKPOINT = "bad checkpoint"
    UNPROTECTED = "unprotected"
    DERIVED_MISMATCH = "derived column mismatch"


@dataclass(frozen=True)
class Finding:
    problem: Problem
    detail: str
    sequence: int | None = None
    entry_id: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.sequence is not None:
            where = f"entry sequence {self.sequence} (id {self.entry_id}): "
        return f"{where}{self.problem}: {self.detail}"


@dataclass
class Report:
    entries: int = 0
    head_sequence: int = 0
    head_hash: str = GENESIS
    checkpoints_matched: int = 0
    #: The sequence of the checkpoint the walk started after (0: from the first entry).
    started_after: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_break(self) -> Finding | None:
        """The first entry at which the chain breaks, if it does."""
        return next((f for f in self.findings if f.sequence is not None), None)


def verify(
    *,
    using: str = DEFAULT_DB_ALIAS,
    keys: Keyring | None = None,
    checkpoint_file: Path | None = None,
    batch_size: int = BATCH_SIZE,
    derived: bool = False,
    from_checkpoint: bool = False,
) -> Report:
    """Check the whole log in database ``using``; see the module's docstring for what. With
    ``derived``, also recompute every derived column from the content (:func:`_derived`).

    With ``from_checkpoint``, the walk starts after the newest checkpoint whose entry still
    has the checkpoint's hash (``report.started_after``), taking the entries up to it as
    vouched for; the rows before it are still counted. This is what ``continuum audit
    checkpoint`` runs before it signs; only a full walk re-checks every seal."""
    keys = keys or keyring()
    report = Report()
    report.findings.extend(_schema_findings(using))
    if derived:
        report.findings.extend(_derived_findings(using))
    reading = checkpoints.read(keys, checkpoint_file)
    report.findings.extend(Finding(Problem.BAD_CHECKPOINT, p) for p in reading.problems)
    head_before = AuditHead.objects.using(using).filter(pk=AuditHead.ROW).first()
    walk = _Walk(keys, reading.checkpoints, report)
    if from_checkpoint:
        walk.start_at(_last_good(using, reading.checkpoints))
    connection = connections[using]
    with _reading(connection, batch_size, walk.last_id) as batches:
        for rows in batches:
            if not walk.check(rows):
                break
        else:
            walked = AuditEntry.objects.using(using)
            if walk.last_id is not None:
                walked = walked.filter(id__lte=walk.last_id)
            walk.finish(head_before, walked.count())
    return report


def _last_good(using: str, known: list[Checkpoint]) -> tuple[Checkpoint, int] | None:
    """The newest checkpoint whose entry is still there with the checkpoint's hash, and that
    entry's id."""
    for checkpoint in reversed(known):
        row = (
            AuditEntry.objects.using(using)
            .filter(sequence=checkpoint.sequence, entry_hash=checkpoint.entry_hash)
            .values_list("id", flat=True)
            .first()
        )
        if row is not None and checkpoint.entries == checkpoint.sequence:
            return checkpoint, row
    return None


def _schema_findings(using: str) -> list[Finding]:
    connection = connections[using]
    derived = [f.column for f in AuditEntry._meta.concrete_fields if f.generated and f.column]
    findings = [
        Finding(Problem.UNPROTECTED, f"trigger {name} is missing or disabled")
        for name in triggers.missing(connection)
    ]
    findings.extend(
        Finding(Problem.UNPROTECTED, f"column {name} is no longer derived from the content")
        for name in triggers.ungenerated_columns(connection, derived)
    )
    return findings


def _derived_findings(using: str) -> list[Finding]:
    """The first entry whose derived columns are not what its content says, computed afresh
    by the database with the columns' own expressions.

    The schema check above sees a column that is no longer generated, but not one dropped
    and added again with another expression (which takes the right to change the schema).
    This finds that too, at the price of a full scan that parses every entry's JSON once per
    column: it is the ``--derived`` option of ``continuum audit verify``, not the default.
    """
    fields = [f for f in AuditEntry._meta.concrete_fields if isinstance(f, GeneratedField)]
    entries = AuditEntry.objects.using(using).annotate(
        **{f"expected_{f.name}": _expected(f) for f in fields}
    )
    agrees = Q()
    for name in (f.name for f in fields):
        agrees &= Q(**{name: F(f"expected_{name}")}) | Q(
            **{f"{name}__isnull": True, f"expected_{name}__isnull": True}
        )
    first = entries.exclude(agrees).order_by("id").values_list("id", "sequence").first()
    if first is None:
        return []
    entry = entries.get(pk=first[0])
    names = [f.name for f in fields if not _same(entry, f.name)]
    detail = f"column {', '.join(names)} does not say what the content says"
    return [Finding(Problem.DERIVED_MISMATCH, detail, first[1], first[0])]


def _expected(field: GeneratedField) -> ExpressionWrapper[Any]:
    """The field's own expression, evaluated in a query instead of stored."""
    expression = field.expression  # type: ignore[attr-defined]  # missing from django-stubs
    output: Any = field.output_field
    return ExpressionWrapper(expression, output_field=output.clone())


def _same(entry: AuditEntry, name: str) -> bool:
    return str(getattr(entry, name)) == str(getattr(entry, f"expected_{name}"))


# What the walk reads of each entry, in id order after a given id. The message is the bytes
# the seal covers, concatenated by the database. SQLite returns it as bytes; PostgreSQL as
# text, encoded below (the driver reads bytea far more slowly than text).
# The first batch has no lower bound: every row of the table is walked, whatever its id (a
# row inserted with id 0 or below is in the walk, and breaks it).
_FIRST_SQL = (
    "SELECT id, sequence, prev_hash, entry_hash, {message} "
    'FROM "audit_auditentry" ORDER BY id LIMIT %s'
)
_BATCH_SQL = (
    "SELECT id, sequence, prev_hash, entry_hash, {message} "
    'FROM "audit_auditentry" WHERE id > %s ORDER BY id LIMIT %s'
)
_MESSAGE = {"sqlite": "CAST(prev_hash || content AS BLOB)", "postgresql": "prev_hash || content"}


def _batches(
    connection: BaseDatabaseWrapper, batch_size: int, after_id: int | None = None
) -> Iterator[Sequence[Row]]:
    """The entries in id order, ``batch_size`` at a time, by keyset pagination: each batch is
    one indexed query that starts after the last id seen, so no cursor stays open and memory
    holds a batch or two. The rows need no conversion, so they are read with the driver's
    ``fetchall()`` (Django's row-by-row iteration would cost as much as the database)."""
    first = _FIRST_SQL.format(message=_MESSAGE[connection.vendor])
    after = _BATCH_SQL.format(message=_MESSAGE[connection.vendor])
    encode = connection.vendor != "sqlite"
    last_id = after_id
    while True:
        with connection.cursor() as cursor:
            if last_id is None:
                cursor.execute(first, [batch_size])
            else:
                cursor.execute(after, [last_id, batch_size])
            rows: list[Any] = cursor.fetchall()
        if not rows:
            return
        if encode:
            rows = [(i, s, p, e, m.encode()) for i, s, p, e, m in rows]
        yield rows
        last_id = rows[-1][0]


_DONE = object()


@contextmanager
def _reading(
    connection: BaseDatabaseWrapper, batch_size: int, after_id: int | None = None
) -> Iterator[Iterator[Sequence[Row]]]:
    """The batches, read ahead in a second thread from PostgreSQL, whose server works in
    another process while Python hashes. SQLite runs in this process: a second thread there
    only trades Python's lock back and forth (it measured slower), so it is read in turn."""
    batches = _batches(connection, batch_size, after_id)
    if connection.vendor == "sqlite":
        yield batches
        return
    with _prefetching(connection, batches) as ahead:
        yield ahead


@contextmanager
def _prefetching(
    connection: BaseDatabaseWrapper, batches: Iterator[Sequence[Row]]
) -> Iterator[Iterator[Sequence[Row]]]:
    """Fetch the next batch in a second thread while this one is checked. Holds at most two
    batches ahead. The thread uses the caller's connection, which the caller leaves alone
    meanwhile."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def fetch() -> None:
        try:
            for rows in batches:
                if stop.is_set():
                    return
                ahead.put(rows)
        except BaseException as error:  # handed to the checking thread, raised there
            ahead.put(error)
        finally:
            ahead.put(_DONE)

    def received() -> Iterator[Sequence[Row]]:
        while (item := ahead.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item

    connection.inc_thread_sharing()
    thread = threading.Thread(target=fetch, name="audit-verify-fetch", daemon=True)
    thread.start()
    try:
        yield received()
    finally:
        stop.set()
        while thread.is_alive():  # unblock a fetch waiting for room, then let it end
            with contextlib.suppress(queue.Empty):
                ahead.get(timeout=0.1)
        thread.join()
        connection.dec_thread_sharing()


class _Walk:
    """The state of one walk along the chain: where it has got to (kept in the report), the
    key in use, and the checkpoints still ahead (sorted by sequence).

    Entries are numbered from 1 and the walk stops at the first gap, so the number of entries
    checked is always the sequence number reached.
    """

    def __init__(self, keys: Keyring, ahead: list[Checkpoint], report: Report) -> None:
        self.keys = keys
        self.ahead = ahead
        self.report = report
        self.kid = keys.current_id
        self.copy: Callable[[], hmac.HMAC] = keys.mac().copy
        self.last_id: int | None = None

    def start_at(self, start: tuple[Checkpoint, int] | None) -> None:
        """Continue the chain after a checkpoint's entry (of id ``start[1]``)."""
        if start is None:
            return
        checkpoint, entry_id = start
        self._reached(checkpoint.sequence, checkpoint.entry_hash)
        self.report.started_after = checkpoint.sequence
        self.ahead = [c for c in self.ahead if c.sequence > checkpoint.sequence]
        self.last_id = entry_id

    def check(self, rows: Sequence[Row]) -> bool:
        """Check a batch; False (and a finding) at the first entry that breaks the chain.

        This loop runs once per entry of the log, so its ordinary path is as short as it can
        be: one combined test for anything unusual (a gap, a broken link, a checkpoint), then
        one HMAC with the key in use. Anything unusual, and any seal that does not match, goes
        to :meth:`_check_slowly`, which takes the entry's key from its content (after a key
        rotation, that is another key), checks the entry step by step and says what is wrong.
        """
        report = self.report
        expected, previous, copy = report.head_sequence + 1, report.head_hash, self.copy
        stop = self.ahead[0].sequence if self.ahead else -1
        for entry_id, found, prev_hash, entry_hash, message in rows:
            if found == expected and prev_hash == previous and found != stop:
                sealed = copy()
                sealed.update(message)
                if sealed.hexdigest() == entry_hash:
                    expected, previous = found + 1, entry_hash
                    continue
            self._reached(expected - 1, previous)
            if not self._check_slowly((entry_id, found, prev_hash, entry_hash, message)):
                return False
            expected, previous, copy = found + 1, entry_hash, self.copy
            stop = self.ahead[0].sequence if self.ahead else -1
        self._reached(expected - 1, previous)
        if rows:
            self.last_id = rows[-1][0]
        return True

    def _check_slowly(self, row: Row) -> bool:
        _, found, prev_hash, entry_hash, message = row
        expected = self.report.head_sequence + 1
        if found != expected:
            return self._stop(Problem.GAP, _gap(expected, found), row)
        if prev_hash != self.report.head_hash:
            return self._stop(Problem.BROKEN_LINK, _BROKEN_LINK, row)
        kid = _key_id_of(message)
        if kid != self.kid:
            if self.keys.key(kid) is None:
                return self._stop(Problem.UNKNOWN_KEY, _unknown(kid), row)
            self.kid, self.copy = kid, self.keys.mac(kid).copy
        sealed = self.copy()
        sealed.update(message)
        if sealed.hexdigest() != entry_hash:
            return self._stop(Problem.HASH_MISMATCH, _HASH_MISMATCH, row)
        mismatch = self._pass_checkpoints(found, entry_hash)
        if mismatch is not None:
            return self._stop(Problem.CHECKPOINT_MISMATCH, mismatch, row)
        self._reached(found, entry_hash)
        return True

    def _reached(self, sequence: int, entry_hash: str) -> None:
        self.report.entries = self.report.head_sequence = sequence
        self.report.head_hash = entry_hash

    def _stop(self, problem: Problem, detail: str, row: Row) -> bool:
        self.report.findings.append(Finding(problem, detail, row[1], row[0]))
        return False

    def _pass_checkpoints(self, sequence: int, entry_hash: str) -> str | None:
        """Compare the entry at ``sequence`` with the checkpoints taken there."""
        while self.ahead and self.ahead[0].sequence == sequence:
            checkpoint = self.ahead.pop(0)
            if checkpoint.entry_hash != entry_hash:
                return f"the checkpoint of {checkpoint.at} recorded hash {checkpoint.entry_hash}"
            if checkpoint.entries != sequence:
                return (
                    f"the checkpoint of {checkpoint.at} counted {checkpoint.entries} entries up "
                    f"to here, the log holds {sequence}"
                )
            self.report.checkpoints_matched += 1
        return None

    def finish(self, head_before: AuditHead | None, rows_walked_over: int) -> None:
        """After the last entry: is anything missing that was there before, and is every row
        up to the last one walked in the chain (``rows_walked_over``, counted after the walk,
        so entries written meanwhile after it do not count)?"""
        report = self.report
        rows_now = rows_walked_over
        if rows_now > report.entries:
            report.findings.append(
                Finding(
                    Problem.GAP,
                    f"the table holds {rows_now} rows but the chain {report.entries}: "
                    f"{rows_now - report.entries} rows are outside it",
                )
            )
        if self.ahead:
            newest = self.ahead[-1]
            report.findings.append(
                Finding(
                    Problem.CHECKPOINT_MISMATCH,
                    f"the log ends at sequence {report.head_sequence} with {report.entries} "
                    f"entries, but the checkpoint of {newest.at} recorded {newest.entries} "
                    f"entries up to sequence {newest.sequence}: its newest entries are gone",
                )
            )
        if head_before is not None and head_before.sequence > report.head_sequence:
            report.findings.append(
                Finding(
                    Problem.HEAD_MISMATCH,
                    f"the log ends at sequence {report.head_sequence}, but its head said "
                    f"{head_before.sequence} when verification began",
                )
            )


_HASH_MISMATCH = (
    "its hash is not the seal of its stored content with the audit key: the entry was "
    "changed after it was written, or written without the key"
)
_BROKEN_LINK = "its previous hash is not the hash of the entry before it"


def _gap(expected: int, found: int) -> str:
    if found > expected:
        return f"expected sequence {expected}: {found - expected} entries are missing before it"
    return f"expected sequence {expected}: entries are out of order or repeated"


def _key_id_of(message: bytes) -> str:
    """The key id an entry's content names (the message is its previous hash, then its
    content)."""
    try:
        return str(json.loads(message[len(GENESIS) :])["key_id"])
    except (ValueError, KeyError, TypeError):
        return "(none)"


def _unknown(kid: str) -> str:
    return f"sealed with key {kid}, which is not configured (see CONTINUUM_AUDIT_RETIRED_KEYS)"
