"""``continuum periodic`` runs every job the installed apps registered, in registration order,
passes ``--dry-run`` on, and turns a job's configuration error into a command error."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from continuum.core import periodic


def run(*args: str) -> str:
    out = StringIO()
    call_command("periodic", *args, stdout=out)
    return out.getvalue()


def test_it_runs_every_registered_job_in_order(db):
    calls: list[bool] = []

    def job(dry_run: bool) -> list[str]:
        calls.append(dry_run)
        return [f"t-job ran, dry run: {dry_run}."]

    with periodic.jobs.registered(periodic.PeriodicJob("t-job", job)):
        lines = run().splitlines()
        assert lines[-1] == "t-job ran, dry run: False."
        assert "t-job ran, dry run: True." in run("--dry-run")
    assert calls == [False, True]
    assert "t-job" not in run()


def test_a_failing_job_does_not_stop_the_others_and_the_command_fails_naming_it(db):
    ran: list[str] = []

    def broken(dry_run: bool) -> list[str]:
        raise periodic.JobError("CONTINUUM_SOMETHING must be positive.")

    def after(dry_run: bool) -> list[str]:
        ran.append("after")
        return ["t-after ran."]

    out = StringIO()
    with (
        periodic.jobs.registered(
            periodic.PeriodicJob("t-broken", broken), periodic.PeriodicJob("t-after", after)
        ),
        pytest.raises(CommandError, match="job t-broken failed: JobError: CONTINUUM_SOMETHING"),
    ):
        call_command("periodic", stdout=out)
    assert ran == ["after"]
    # What the jobs before and after did is reported, not lost with the failure.
    assert "Intake idempotency records" in out.getvalue()
    assert "t-after ran." in out.getvalue()


def test_a_key_is_registered_once():
    job = periodic.PeriodicJob("t-once", lambda dry_run: [])
    with periodic.jobs.registered(job):
        periodic.jobs.register(job)  # the same entry again: harmless
        with pytest.raises(ValueError, match="already registered"):
            periodic.jobs.register(periodic.PeriodicJob("t-once", lambda dry_run: ["other"]))


def test_a_block_that_registers_an_entry_again_leaves_it_registered():
    job = periodic.PeriodicJob("t-kept", lambda dry_run: [])
    with periodic.jobs.registered(job):
        with periodic.jobs.registered(job):
            pass
        assert "t-kept" in periodic.jobs
    assert "t-kept" not in periodic.jobs
