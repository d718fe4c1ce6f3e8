"""``continuum periodic``: the periodic work, run by cron or a systemd timer (see
docs/deployment.md). It runs every job the installed apps registered
(:mod:`continuum.core.periodic`), each idempotent; ``--dry-run`` changes nothing. A job
that fails does not stop the others; the command then exits with an error naming it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from continuum.core import periodic


class Command(BaseCommand):
    help = (
        "Periodic work for cron or a systemd timer: every job the installed apps registered "
        "(retention, reminders). Safe to run repeatedly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be done; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failures = periodic.run_all(dry_run=options["dry_run"], write=self.stdout.write)
        if failures:
            raise CommandError(
                "; ".join(f"job {failure.key} failed: {failure.message}" for failure in failures)
            )
