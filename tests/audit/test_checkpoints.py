"""Signed checkpoints outside the database: written after commit, and what shows the loss or
rewriting of the newest entries."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import pytest
from django.db import transaction

from continuum.audit import checkpoints, services
from continuum.audit.chain import seal
from continuum.audit.keys import keyring
from continuum.audit.models import Action, AuditEntry, AuditHead
from continuum.audit.verify import Problem, verify
from tests.audit.conftest import KEY, behind_the_back, entries


def _lines(settings) -> list[dict[str, object]]:
    path = settings.CONTINUUM_AUDIT_CHECKPOINT_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_nothing_is_written_before_the_transaction_commits(db, settings):
    settings.CONTINUUM_AUDIT_CHECKPOINT_EVERY = 3
    with pytest.MonkeyPatch.context() as patch:
        written: list[checkpoints.Checkpoint] = []
        patch.setattr(checkpoints, "write", lambda c, keys=None, to=None: written.append(c))
        entries(7)
        assert written == []  # nothing before the transaction commits
    assert not settings.CONTINUUM_AUDIT_CHECKPOINT_FILE.exists()


def test_the_checkpoint_is_written_when_the_transaction_commits(
    db, settings, django_capture_on_commit_callbacks
):
    settings.CONTINUUM_AUDIT_CHECKPOINT_EVERY = 3
    with django_capture_on_commit_callbacks(execute=True):
        written = entries(7)
    lines = _lines(settings)
    assert [(c["sequence"], c["entries"]) for c in lines] == [(3, 3), (6, 6)]
    assert lines[1]["hash"] == written[5].entry_hash
    assert oct(settings.CONTINUUM_AUDIT_CHECKPOINT_FILE.stat().st_mode & 0o777) == "0o600"


def test_a_rolled_back_transaction_leaves_no_checkpoint(
    db, settings, django_capture_on_commit_callbacks
):
    settings.CONTINUUM_AUDIT_CHECKPOINT_EVERY = 2
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        entries(4)
        raise RuntimeError("the change fails")
    assert callbacks == []
    assert _lines(settings) == []
    assert not AuditEntry.objects.exists()


def test_the_command_writes_a_signed_checkpoint(db, settings, run_audit):
    written = entries(5)
    code, output = run_audit("checkpoint")
    assert code == 0, output
    (line,) = _lines(settings)
    signature = line.pop("signature")
    body = json.dumps(line, sort_keys=True, separators=(",", ":")).encode()
    assert signature == hmac.new(KEY, body, hashlib.sha256).hexdigest()
    assert (line["entries"], line["sequence"], line["hash"]) == (5, 5, written[-1].entry_hash)
    assert line["key_id"] == keyring().current_id
    assert verify().checkpoints_matched == 1


def test_deleting_the_newest_entries_is_detected_through_the_checkpoint(db, run_audit):
    written = entries(6)
    run_audit("checkpoint")
    # The intruder removes the two newest entries and moves the head back, so that the chain
    # that is left is whole.
    behind_the_back("DELETE FROM audit_auditentry WHERE id >= %s", [written[4].pk])
    AuditHead.objects.update(sequence=4, entry_hash=written[3].entry_hash)
    code, output = run_audit("verify")
    assert code == 1
    assert "Checked 4 entries" in output
    assert "checkpoint mismatch" in output
    assert "recorded 6 entries up to sequence 6" in output


def test_deleting_the_newest_entries_without_moving_the_head_shows_too(db, run_audit):
    written = entries(3)
    behind_the_back("DELETE FROM audit_auditentry WHERE id = %s", [written[-1].pk])
    code, output = run_audit("verify")
    assert code == 1
    assert "head mismatch" in output


def test_rewriting_with_the_key_is_detected_through_the_checkpoint(db, run_audit):
    """Even someone holding the key cannot rewrite what a checkpoint vouched for."""
    written = entries(4)
    run_audit("checkpoint")
    target = written[2]
    previous, mac = target.prev_hash, keyring().mac()
    for entry in written[2:]:
        content = entry.content.replace('"username":""', '"username":"rewritten"')
        sealed = seal(mac, previous, content)
        behind_the_back(
            "UPDATE audit_auditentry SET content = %s, prev_hash = %s, entry_hash = %s "
            "WHERE id = %s",
            [content, previous, sealed, entry.pk],
        )
        previous = sealed
    report = verify()
    assert report.first_break is not None
    assert (report.first_break.problem, report.first_break.sequence) == (
        Problem.CHECKPOINT_MISMATCH,
        4,
    )


def test_a_forged_checkpoint_line_is_reported(db, settings, run_audit):
    entries(2)
    run_audit("checkpoint")
    (line,) = _lines(settings)
    line["entries"] = 1
    with settings.CONTINUUM_AUDIT_CHECKPOINT_FILE.open("a") as file:
        file.write(json.dumps(line) + "\n" + "not json\n")
    code, output = run_audit("verify")
    assert code == 1
    assert "bad checkpoint: checkpoint line 2 has an invalid signature" in output
    assert "bad checkpoint: checkpoint line 3 is not a checkpoint" in output


def test_a_checkpoint_of_an_unknown_key_is_reported(db, settings, run_audit):
    entries(1)
    run_audit("checkpoint")
    settings.CONTINUUM_AUDIT_KEY = "c3" * 32
    settings.CONTINUUM_AUDIT_RETIRED_KEYS = []
    problems = [str(f) for f in verify().findings]
    assert any("checkpoint line 1 is signed with key" in p for p in problems)


def test_the_command_refuses_to_vouch_for_a_log_with_a_gap(db, settings, run_audit):
    written = entries(3)
    behind_the_back("DELETE FROM audit_auditentry WHERE id = %s", [written[1].pk])
    code, output = run_audit("checkpoint")
    assert code == 1
    assert "holds 2 entries but its newest is sequence 3" in output
    assert _lines(settings) == []


def test_a_checkpoint_that_cannot_be_written_is_logged_not_raised(
    db, settings, caplog, django_capture_on_commit_callbacks, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.CONTINUUM_AUDIT_CHECKPOINT_FILE = blocker / "checkpoints.jsonl"
    settings.CONTINUUM_AUDIT_CHECKPOINT_EVERY = 1
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        services.record(action=Action.LOGOUT)
    assert "Could not write the audit checkpoint at #1" in caplog.text
    assert AuditEntry.objects.count() == 1


def test_the_command_refuses_to_sign_a_chain_that_verify_reports_broken(db, settings, run_audit):
    entries(5)
    assert run_audit("checkpoint")[0] == 0
    before = _lines(settings)
    target = entries(3)[1]
    behind_the_back(
        "UPDATE audit_auditentry SET content = REPLACE(content, %s, %s) WHERE id = %s",
        ['"action":"login_failed"', '"action":"logout"', target.pk],
    )
    code, output = run_audit("checkpoint")
    assert code == 1
    assert f"entry sequence {target.sequence} (id {target.pk}): hash mismatch" in output
    assert _lines(settings) == before


def test_the_command_verifies_from_the_last_good_checkpoint_and_signs_what_it_verified(
    db, settings, run_audit
):
    """A second checkpoint walks only the entries after the first (an edit before it is the
    full verify's to find), and signs the head it reached."""
    written = entries(4)
    assert run_audit("checkpoint")[0] == 0
    newer = entries(3)
    code, output = run_audit("checkpoint")
    assert code == 0, output
    assert "verified 3 entries after the checkpoint at sequence 4" in output
    assert _lines(settings)[-1]["sequence"] == newer[-1].sequence
    assert written[0].sequence == 1


def run_periodic(*args: str) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("periodic", *args, stdout=out)
    return out.getvalue()


def test_periodic_writes_a_verified_checkpoint_on_the_time_bound(db, settings):
    """The window in which a cut-off tail goes unnoticed is bounded in time too: once the
    newest checkpoint is older than CONTINUUM_AUDIT_CHECKPOINT_SECONDS and entries came after
    it, ``continuum periodic`` writes one; before, and with nothing new, it does not."""
    settings.CONTINUUM_AUDIT_CHECKPOINT_SECONDS = 60
    entries(3)
    assert "written at sequence 3" in run_periodic()
    assert _lines(settings)[-1]["sequence"] == 3
    assert "none needed, the checkpoints cover sequence 3" in run_periodic()
    entries(2)
    assert "none needed, the newest is less than 60 s old" in run_periodic()
    settings.CONTINUUM_AUDIT_CHECKPOINT_SECONDS = 1
    checkpoints.write(_aged(_lines(settings)[-1]))
    assert "would verify and write one at sequence 5" in run_periodic("--dry-run")
    assert "written at sequence 5" in run_periodic()
    assert _lines(settings)[-1]["sequence"] == 5


def _aged(line: dict[str, object]) -> checkpoints.Checkpoint:
    """The same checkpoint, dated two minutes ago."""
    from datetime import timedelta

    from django.utils import timezone

    from continuum.audit import canonical

    return checkpoints.Checkpoint(
        entries=int(str(line["entries"])),
        sequence=int(str(line["sequence"])),
        entry_hash=str(line["hash"]),
        at=canonical.timestamp(timezone.now() - timedelta(minutes=2)),
    )


def test_periodic_refuses_to_checkpoint_a_broken_chain_and_fails(db, settings):
    from django.core.management import CommandError

    entries(3)
    run_periodic()
    target = entries(2)[0]
    behind_the_back(
        "UPDATE audit_auditentry SET content = REPLACE(content, %s, %s) WHERE id = %s",
        ['"action":"login_failed"', '"action":"logout"', target.pk],
    )
    settings.CONTINUUM_AUDIT_CHECKPOINT_SECONDS = 1
    checkpoints.write(_aged(_lines(settings)[-1]))
    before = _lines(settings)
    with pytest.raises(
        CommandError, match=f"job audit-checkpoint failed.*sequence {target.sequence}"
    ):
        run_periodic()
    assert _lines(settings) == before
