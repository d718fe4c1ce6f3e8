"""The audit's periodic job (registered from ``AuditConfig.ready``): a checkpoint on a time
bound, and the one way a checkpoint is made, verified first.

Entries cut off the end of the log (with the head row rewound) are found only against a
checkpoint that recorded them. The application writes one every
``CONTINUUM_AUDIT_CHECKPOINT_EVERY`` entries; this job adds one whenever the newest is older
than ``CONTINUUM_AUDIT_CHECKPOINT_SECONDS`` (60) and entries came after it, so that the window
in which a cut-off tail goes unnoticed is bounded in time as well (see docs/architecture.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

from continuum.audit import checkpoints
from continuum.audit.chain import newest
from continuum.audit.models import AuditEntry, AuditHead
from continuum.audit.verify import Report, verify
from continuum.core.periodic import JobError, PeriodicJob


class NotCheckpointed(Exception):
    """The chain does not verify: no checkpoint may vouch for it."""


def verified_checkpoint(using: str) -> tuple[checkpoints.Checkpoint, Report]:
    """A checkpoint of the head that a verification from the last good checkpoint reached;
    refused (exit 1, naming the first bad entry) when that verification finds anything: a
    checkpoint must never vouch for a broken chain. It signs what was verified, not the head
    of this moment: entries appended meanwhile wait for the next checkpoint."""
    current = _current_checkpoint(using)
    report = verify(using=using, from_checkpoint=True)
    if not report.ok:
        first = report.first_break or report.findings[0]
        raise NotCheckpointed(
            f"Not checkpointing: BROKEN at {first}. Run `continuum audit verify`."
        )
    if report.head_sequence < current.sequence:
        raise NotCheckpointed(
            f"Not checkpointing: the log ends at sequence {report.head_sequence}, its head "
            f"said {current.sequence}."
        )
    checkpoint = checkpoints.Checkpoint.at_head(
        report.head_sequence, report.head_hash, entries=report.entries
    )
    return checkpoint, report


def _current_checkpoint(using: str) -> checkpoints.Checkpoint:
    """The head of the chain and the number of entries, read while appends wait (the head row
    is locked), so the two belong together. A log whose count does not match its numbering is
    refused: signing it would vouch for a broken log."""
    with transaction.atomic(using=using):
        AuditHead.objects.using(using).select_for_update().filter(pk=AuditHead.ROW).first()
        sequence, entry_hash = newest(using)
        count = AuditEntry.objects.using(using).count()
    if count != sequence:
        raise NotCheckpointed(
            f"The log holds {count} entries but its newest is sequence {sequence}; "
            "run `continuum audit verify` before checkpointing."
        )
    return checkpoints.Checkpoint.at_head(sequence, entry_hash, entries=count)


def checkpoint_on_time(dry_run: bool) -> list[str]:
    """Write a verified checkpoint when the newest is older than the time bound and entries
    came after it; nothing when it is recent enough or covers the head."""
    bound = settings.CONTINUUM_AUDIT_CHECKPOINT_SECONDS
    head = AuditHead.objects.filter(pk=AuditHead.ROW).first()
    sequence = head.sequence if head else 0
    known = checkpoints.read().checkpoints
    last = known[-1] if known else None
    if sequence == 0 or (last is not None and last.sequence >= sequence):
        return [f"Audit checkpoint: none needed, the checkpoints cover sequence {sequence}."]
    if last is not None and last.age_seconds() < bound:
        return [f"Audit checkpoint: none needed, the newest is less than {bound} s old."]
    if dry_run:
        return [f"Audit checkpoint: would verify and write one at sequence {sequence}."]
    try:
        checkpoint, report = verified_checkpoint(DEFAULT_DB_ALIAS)
    except NotCheckpointed as error:
        raise JobError(str(error)) from error
    checkpoints.write(checkpoint)
    return [
        f"Audit checkpoint written at sequence {checkpoint.sequence} (verified "
        f"{report.entries - report.started_after} entries after sequence {report.started_after})."
    ]


JOBS = [PeriodicJob("audit-checkpoint", checkpoint_on_time)]
