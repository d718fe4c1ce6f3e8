"""How fast the verifier is, against the floor of any verifier written in Python.

``continuum audit benchmark --entries N`` builds a log of N realistic entries in a throw-away
database (a temporary SQLite file, or an empty PostgreSQL database given with
``--database-url``), sealed by the same code that seals real entries, with a checkpoint every
1000 entries. Then, in the same run, it times:

* the verifier: :func:`continuum.audit.verify.verify` on that database, the exact code path
  of ``continuum audit verify``;
* the floor: a bare HMAC-SHA256 chain over the same contents in plain Python, with nothing
  else (no database, no checks), twice: with the key pads computed once and copied per entry
  (the fastest way the standard library offers), and with ``hmac.new`` per entry.

The floor's last hash must equal the log's head, which shows both did the same work. The
ratio of the verifier's rate to the fastest floor's is the figure to watch; the target is at
least 0.5. Results for this project are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import resource
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import environ
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from continuum.audit import canonical, checkpoints, triggers
from continuum.audit.chain import GENESIS, seal
from continuum.audit.keys import Keyring
from continuum.audit.models import AuditEntry, AuditHead
from continuum.audit.verify import BATCH_SIZE, Report, verify

ALIAS = "audit-benchmark"
CHUNK = 20_000
CHECKPOINT_EVERY = 1000


@dataclass
class Result:
    entries: int
    vendor: str
    content_bytes: int = 0
    fill_seconds: float = 0.0
    verify_seconds: float = 0.0
    floor_seconds: float = 0.0
    floor_new_seconds: float = 0.0
    max_rss_before_mb: float = 0.0
    max_rss_after_mb: float = 0.0
    report: Report = field(default_factory=Report)

    def rate(self, seconds: float) -> float:
        return self.entries / seconds if seconds else float("inf")

    @property
    def ratio(self) -> float:
        return self.rate(self.verify_seconds) / self.rate(self.floor_seconds)

    def lines(self) -> list[str]:
        mean = self.content_bytes / max(self.entries, 1)
        return [
            f"Audit log benchmark: {self.entries:,} entries on {self.vendor} "
            f"(canonical content {mean:.0f} bytes on average)",
            f"  building the log (sealed in Python, bulk insert, floors timed): "
            f"{self.fill_seconds:.1f} s",
            _rate_line("verifier (continuum audit verify)", self.verify_seconds, self.entries),
            _rate_line("floor: HMAC chain, key pads copied", self.floor_seconds, self.entries),
            _rate_line("floor: HMAC chain, hmac.new each", self.floor_new_seconds, self.entries),
            f"  verifier / fastest floor: {self.ratio:.2f} (target: at least 0.50)",
            f"  peak memory (max RSS): {self.max_rss_before_mb:.0f} MB before verifying, "
            f"{self.max_rss_after_mb:.0f} MB after",
            f"  verification: {'OK' if self.report.ok else 'FAILED'} "
            f"({self.report.entries:,} entries, {self.report.checkpoints_matched} checkpoints)",
        ]


def _rate_line(label: str, seconds: float, entries: int) -> str:
    rate = entries / seconds if seconds else float("inf")
    return f"  {label + ':':<40} {seconds:7.2f} s  {rate:>12,.0f} entries/s"


def run(
    entries: int, *, database_url: str = "", batch_size: int = BATCH_SIZE, repeat: int = 1
) -> Result:
    """Build the log, then time the verifier and the floors, each ``repeat`` times; the best
    time of each counts (on a busy machine the best is the least disturbed)."""
    keys = Keyring(current=secrets.token_bytes(32))
    with throwaway_database(database_url) as connection, tempfile.TemporaryDirectory() as tmp:
        result = Result(entries=entries, vendor=connection.vendor)
        checkpoint_file = Path(tmp) / "checkpoints.jsonl"
        _create_tables(connection)
        try:
            head = _fill(connection, keys, entries, checkpoint_file, result, repeat)
            result.max_rss_before_mb = _max_rss_mb()
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                result.report = verify(
                    using=connection.alias,
                    keys=keys,
                    checkpoint_file=checkpoint_file,
                    batch_size=batch_size,
                )
                timings.append(time.perf_counter() - started)
            result.verify_seconds = min(timings)
            result.max_rss_after_mb = _max_rss_mb()
        finally:
            _drop_tables(connection)
    if result.report.head_hash != head:
        raise AssertionError("The verifier did not reach the head the floor computed.")
    return result


@contextmanager
def throwaway_database(database_url: str = "") -> Iterator[BaseDatabaseWrapper]:
    """A connection to an empty database: a temporary SQLite file, or ``database_url``."""
    with tempfile.TemporaryDirectory(prefix="continuum-audit-benchmark-") as directory:
        if database_url:
            config: dict[str, Any] = environ.Env.db_url_config(database_url)
        else:
            config = {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(Path(directory) / "audit.sqlite3"),
                "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"},
            }
        configured = connections.configure_settings({DEFAULT_DB_ALIAS: {}, ALIAS: config})
        connections.settings[ALIAS] = configured[ALIAS]
        try:
            yield connections[ALIAS]
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]
            del connections.settings[ALIAS]


def _create_tables(connection: BaseDatabaseWrapper) -> None:
    if triggers.TABLE in connection.introspection.table_names():
        raise RuntimeError(f"{connection.settings_dict['NAME']} is not empty: use a new database.")
    with connection.schema_editor() as editor:
        editor.create_model(AuditEntry)
        editor.create_model(AuditHead)
    triggers.install(connection)


def _drop_tables(connection: BaseDatabaseWrapper) -> None:
    with connection.schema_editor() as editor:
        editor.delete_model(AuditEntry)
        editor.delete_model(AuditHead)
        if connection.vendor == "postgresql":
            editor.execute(f'DROP FUNCTION IF EXISTS "{triggers.PG_FUNCTION}"()')


def _fill(
    connection: BaseDatabaseWrapper,
    keys: Keyring,
    entries: int,
    path: Path,
    result: Result,
    repeat: int,
) -> str:
    """Seal and insert ``entries`` entries, ``CHUNK`` at a time; time the two floors over each
    chunk's contents as it goes (the floor's time excludes building the entries)."""
    facts = realistic_facts(random.Random(20261129))  # noqa: S311 - test data, not secrets
    mac, previous, floor_previous, sequence = keys.mac(), GENESIS, GENESIS, 0
    started = time.perf_counter()
    with path.open("w", encoding="ascii") as checkpoint_lines:
        while sequence < entries:
            rows: list[tuple[str, str, str]] = []
            for _ in range(min(CHUNK, entries - sequence)):
                sequence += 1
                text = canonical.content(next(facts), sequence=sequence, key_id=keys.current_id)
                sealed = seal(mac, previous, text)
                rows.append((text, previous, sealed))
                previous = sealed
                if sequence % CHECKPOINT_EVERY == 0:
                    checkpoint = checkpoints.Checkpoint.at_head(sequence, sealed)
                    checkpoint_lines.write(checkpoints.signed_line(checkpoint, keys) + "\n")
            _insert(connection, rows)
            contents = [text.encode("ascii") for text, _, _ in rows]
            result.content_bytes += sum(len(c) for c in contents)
            floor_previous = _time_floors(keys.current, contents, floor_previous, result, repeat)
    _insert_head(connection, sequence, previous)
    result.fill_seconds = time.perf_counter() - started
    if floor_previous != previous:
        raise AssertionError("The floor's chain differs from the sealed one.")
    return previous


def _insert(connection: BaseDatabaseWrapper, rows: list[tuple[str, str, str]]) -> None:
    table = connection.ops.quote_name(triggers.TABLE)  # a constant, not input
    sql = f"INSERT INTO {table} (content, prev_hash, entry_hash) VALUES (%s, %s, %s)"  # noqa: S608
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert_head(connection: BaseDatabaseWrapper, sequence: int, entry_hash: str) -> None:
    AuditHead.objects.using(connection.alias).create(
        pk=AuditHead.ROW, sequence=sequence, entry_hash=entry_hash
    )


def _time_floors(
    key: bytes, contents: list[bytes], previous: str, result: Result, repeat: int
) -> str:
    """Time both floors over one chunk, ``repeat`` times each; add the best times."""
    copied, new, last = [], [], previous
    for _ in range(repeat):
        started = time.perf_counter()
        last = floor_copied(key, contents, previous)
        copied.append(time.perf_counter() - started)
        started = time.perf_counter()
        if floor_new(key, contents, previous) != last:
            raise AssertionError("The two floors disagree.")
        new.append(time.perf_counter() - started)
    result.floor_seconds += min(copied)
    result.floor_new_seconds += min(new)
    return last


def floor_copied(key: bytes, contents: list[bytes], previous: str) -> str:
    """The bare chain, key pads computed once: the fastest plain-Python HMAC chain."""
    primed = hmac.new(key, digestmod=hashlib.sha256)
    chained = previous.encode("ascii")
    for content in contents:
        sealed = primed.copy()
        sealed.update(chained + content)
        chained = sealed.hexdigest().encode("ascii")
    return chained.decode("ascii")


def floor_new(key: bytes, contents: list[bytes], previous: str) -> str:
    """The bare chain with a new HMAC object per entry."""
    chained = previous.encode("ascii")
    for content in contents:
        chained = hmac.new(key, chained + content, hashlib.sha256).hexdigest().encode("ascii")
    return chained.decode("ascii")


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- realistic entries ---------------------------------------------------------------------

SURNAMES = ("jansen", "devries", "bakker", "visser", "smit", "meijer", "mulder", "bos", "vos")
AGENCIES = (
    ("pi-vught", "contact_point"),
    ("bureau-vught", "bureau_analyst"),
    ("coord", "coordinator"),
    ("gem-utrecht", "case_manager"),
    ("gem-rotterdam", "case_manager"),
    ("reclassering", "probation_officer"),
    ("politie-mn", "police_liaison"),
    ("ngo-exit", "mentor"),
)
PHASES = ("in_detention", "release_preparation", "aftercare")
ACTIONS = ("read",) * 9 + ("list",) * 4 + ("change",) * 3 + ("create",) * 2 + ("login", "logout")
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def realistic_facts(rng: random.Random) -> Iterator[dict[str, Any]]:
    """An endless stream of entries like the ones practitioners cause, a second or so apart."""
    moment = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    persons = [_reference(rng, "P") for _ in range(500)]
    makers: dict[str, Callable[[random.Random, list[str]], dict[str, Any]]] = {
        "read": _read,
        "list": _list,
        "change": _change,
        "create": _create,
        "login": _session,
        "logout": _session,
    }
    while True:
        moment += timedelta(microseconds=rng.randrange(10_000, 2_000_000))
        action = rng.choice(ACTIONS)
        yield {**_who(rng), **makers[action](rng, persons), "at": moment, "action": action}


def _reference(rng: random.Random, prefix: str) -> str:
    return prefix + "-" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6))


def _who(rng: random.Random) -> dict[str, Any]:
    agency, role = rng.choice(AGENCIES)
    user = rng.randrange(1, 400)
    return {
        "user_id_copy": user,
        "username": f"{rng.choice('abcdefghijklmnoprstw')}.{rng.choice(SURNAMES)}{user % 7 or ''}",
        "membership_id_copy": user + rng.randrange(0, 3),
        "agency_code": agency,
        "role": role,
        "request_id": f"{rng.getrandbits(128):032x}",
        "client_address": f"10.{rng.randrange(1, 30)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "justification": "",
        "case_reference": "",
        "person_reference": "",
        "object_type": "",
        "object_id": "",
        "changes": {},
    }


def _read(rng: random.Random, persons: list[str]) -> dict[str, Any]:
    person = rng.choice(persons)
    return {"object_type": "core.person", "object_id": person, "person_reference": person}


def _list(rng: random.Random, persons: list[str]) -> dict[str, Any]:
    shown = rng.sample(persons, rng.randrange(0, 4))
    query = {"q": rng.choice(SURNAMES)[:4]}
    return {"changes": {"object_type": "core.person", "shown": shown, "query": query}}


def _change(rng: random.Random, persons: list[str]) -> dict[str, Any]:
    person, case = rng.choice(persons), _reference(rng, "MAR")
    before, after = rng.sample(PHASES, 2)
    return {
        "object_type": "core.case",
        "object_id": case,
        "person_reference": person,
        "case_reference": case,
        "changes": {"phase": {"before": before, "after": after}},
    }


def _create(rng: random.Random, persons: list[str]) -> dict[str, Any]:
    person = rng.choice(persons)
    redacted = {"before": "[redacted]", "after": "[redacted]"}
    return {
        "object_type": "core.person",
        "object_id": person,
        "person_reference": person,
        "changes": {
            "family_name": redacted,
            "custody_status": {"before": None, "after": "sentenced"},
        },
    }


def _session(rng: random.Random, persons: list[str]) -> dict[str, Any]:
    return {"membership_id_copy": None, "agency_code": "", "role": ""}
