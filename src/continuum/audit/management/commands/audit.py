"""``continuum audit``: verify the audit log, checkpoint it, and measure the verifier.

* ``continuum audit verify`` walks the whole chain and compares it with the checkpoints;
  prints the number of entries and ``OK``, or the first entry where it breaks and why. Exit
  code 1 on any problem, so cron or monitoring can alert on it. ``--derived`` also
  recomputes every searchable column from the sealed content (slower).
* ``continuum audit checkpoint`` appends a signed checkpoint of the chain's head to the
  checkpoint file (run it from cron, so quiet periods are covered too).
* ``continuum audit benchmark --entries N`` times the verifier on N generated entries in a
  throw-away database against a bare HMAC chain (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from continuum.audit import benchmark, checkpoints
from continuum.audit import periodic as audit_periodic
from continuum.audit.verify import BATCH_SIZE, Report, verify


class Command(BaseCommand):
    help = "Verify, checkpoint or benchmark the hash-chained audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        check = commands.add_parser("verify", help="Check every entry and the checkpoints.")
        check.add_argument("--database", default=DEFAULT_DB_ALIAS)
        check.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        check.add_argument(
            "--checkpoint-file", type=Path, help="Default: CONTINUUM_AUDIT_CHECKPOINT_FILE."
        )
        check.add_argument(
            "--derived",
            action="store_true",
            help="Also recompute every derived column from the content (a slow full scan).",
        )
        point = commands.add_parser("checkpoint", help="Append a signed checkpoint of the head.")
        point.add_argument("--database", default=DEFAULT_DB_ALIAS)
        bench = commands.add_parser("benchmark", help="Time the verifier against the floor.")
        bench.add_argument("--entries", type=int, default=100_000)
        bench.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        bench.add_argument(
            "--repeat", type=int, default=1, help="Time each part this many times; best counts."
        )
        bench.add_argument(
            "--database-url",
            default="",
            help="An empty PostgreSQL database to use; default: a temporary SQLite file.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handlers: dict[str, Callable[..., None]] = {
            "verify": self._verify,
            "checkpoint": self._checkpoint,
            "benchmark": self._benchmark,
        }
        handlers[options["subcommand"]](**options)

    def _verify(
        self,
        *,
        database: str,
        batch_size: int,
        checkpoint_file: Path | None,
        derived: bool,
        **_: Any,
    ) -> None:
        report = verify(
            using=database,
            batch_size=batch_size,
            checkpoint_file=checkpoint_file,
            derived=derived,
        )
        self._print_report(report)
        if not report.ok:
            raise CommandError("The audit log did not verify.", returncode=1)

    def _print_report(self, report: Report) -> None:
        self.stdout.write(
            f"Checked {report.entries} entries (newest: sequence {report.head_sequence}); "
            f"{report.checkpoints_matched} checkpoints matched."
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS("OK"))
            return
        break_ = report.first_break
        if break_ is not None:
            self.stdout.write(self.style.ERROR(f"BROKEN at {break_}"))
        for finding in report.findings:
            if finding is not break_:
                self.stdout.write(self.style.ERROR(f"PROBLEM: {finding}"))

    def _checkpoint(self, *, database: str, **_: Any) -> None:
        try:
            checkpoint, report = audit_periodic.verified_checkpoint(database)
        except audit_periodic.NotCheckpointed as error:
            raise CommandError(str(error), returncode=1) from error
        checkpoints.write(checkpoint)
        self.stdout.write(
            f"Checkpoint written to {checkpoints.path()}: {checkpoint.entries} entries, "
            f"sequence {checkpoint.sequence}, hash {checkpoint.entry_hash} (verified "
            f"{report.entries - report.started_after} entries after the checkpoint at "
            f"sequence {report.started_after})."
        )

    def _benchmark(
        self, *, entries: int, batch_size: int, database_url: str, repeat: int, **_: Any
    ) -> None:
        if entries < 1 or repeat < 1:
            raise CommandError("--entries and --repeat must be at least 1.")
        result = benchmark.run(
            entries, database_url=database_url, batch_size=batch_size, repeat=repeat
        )
        for line in result.lines():
            self.stdout.write(line)
