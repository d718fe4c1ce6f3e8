"""The periodic jobs ``continuum periodic`` runs, registered by the apps that own the work.

A job is idempotent: running it twice, or twice as often, does no harm and the second run
finds nothing more to do. It gets whether this is a dry run and answers the lines to print.
The output goes to cron mail or the journal, so it names agencies and numbers, never a
person, signal or case. A job that finds its configuration wrong raises :class:`JobError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from continuum.core.registry import Registry


class JobError(Exception):
    """The job cannot run as configured; the message says which setting and why."""


@dataclass(frozen=True)
class PeriodicJob:
    key: str
    run: Callable[[bool], list[str]]


jobs: Registry[PeriodicJob] = Registry("periodic jobs")


@dataclass(frozen=True)
class JobFailure:
    key: str
    message: str


def run_all(*, dry_run: bool, write: Callable[[str], None]) -> list[JobFailure]:
    """Every registered job, in registration order, each line written as soon as its job
    answers. A job that fails does not stop the others (what they did is committed and must be
    reported); the failures are answered at the end."""
    failures: list[JobFailure] = []
    for job in jobs:
        try:
            lines = job.run(dry_run)
        except Exception as error:
            failures.append(JobFailure(job.key, f"{type(error).__name__}: {error}"))
            continue
        for line in lines:
            write(line)
    return failures
