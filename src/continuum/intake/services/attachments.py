"""Signal attachments: the checks every attachment passes (an allow-list of types checked
against the content, a size limit) and its storage with a SHA-256 checksum, used when a signal
is recorded (:mod:`.signals`) and when attachments are added to it later (for example a scan
that an agency system sends after the signal itself).

Who may attach: a member of the agency that reported the signal, in a role that records
signals (:func:`~continuum.access.policy.intake.can_record_signal`), who sees the signal, and
only while the signal awaits assessment. Once the bureau or coordination has taken it up (an
investigation, a dismissal), what they assess stays as it was: new material is a new signal.

Everyone else is answered "not found", including those who see the signal because it was
routed to them: the receiving side assesses the reporter's material, it does not add to it.
A signal no longer awaiting assessment is a conflict (409) for the reporting agency.

The checks are those of recording (:mod:`.signals`): an allow-list of types checked against
the content, a size limit, and a SHA-256 checksum of what is stored. One transaction with its
audit entry; files written before a failure are deleted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from continuum.access import policy
from continuum.access.policy import intake as intake_policy
from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core.exceptions import Conflict, InvalidInput, NotFound
from continuum.core.models import Membership
from continuum.intake.models import Signal, SignalAttachment, SignalStatus

# Magic numbers of the binary types that are accepted; text must decode as UTF-8.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain",
}


def attachment_errors(uploads: Sequence[UploadedFile[Any]]) -> dict[str, list[str]]:
    messages: list[str] = []
    for upload in uploads:
        message = _attachment_error(upload)
        if message:
            messages.append(message)
    return {"attachments": messages} if messages else {}


def _extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def _attachment_error(upload: UploadedFile[Any]) -> str | None:
    name = upload.name or ""
    allowed = [t.lower() for t in settings.CONTINUUM_SIGNAL_ATTACHMENT_TYPES]
    extension = _extension(name)
    if extension not in allowed or extension not in CONTENT_TYPES:
        return _("%(name)s: only these file types are accepted: %(types)s.") % {
            "name": name,
            "types": ", ".join(allowed),
        }
    limit = settings.CONTINUUM_SIGNAL_ATTACHMENT_MAX_BYTES
    if not upload.size:
        return _("%(name)s is empty.") % {"name": name}
    if upload.size > limit:
        return _("%(name)s is larger than the limit of %(limit)s bytes.") % {
            "name": name,
            "limit": limit,
        }
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _content_matches(extension, head, upload):
        return _("%(name)s does not contain what its type says.") % {"name": name}
    return None


def _content_matches(extension: str, head: bytes, upload: UploadedFile[Any]) -> bool:
    if extension in SIGNATURES:
        return any(head.startswith(magic) for magic in SIGNATURES[extension])
    try:
        for chunk in upload.chunks():
            chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def checksum(upload: UploadedFile[Any]) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def attach(signal: Signal, upload: UploadedFile[Any]) -> SignalAttachment:
    name = PurePath(upload.name or "").name[:200]
    attachment = SignalAttachment(
        signal=signal,
        original_name=name,
        content_type=CONTENT_TYPES[_extension(name)],
        size=upload.size or 0,
        sha256=checksum(upload),
    )
    # The file is written before the row; ``signal_record`` deletes it if recording fails.
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def signal_attach(
    *, actor: Membership, signal: Signal, uploads: Sequence[UploadedFile[Any]]
) -> Signal:
    """Add one or more attachments to a signal the actor's agency reported (see above)."""
    signal = policy.lock_visible(intake_policy.scope_signals, actor, signal, related=("person",))
    if not intake_policy.can_attach_to_signal(actor, signal):
        raise NotFound
    if signal.status != SignalStatus.AWAITING_ASSESSMENT:
        raise Conflict(
            _("This signal is no longer awaiting assessment; record new material as a new signal.")
        )
    uploads = list(uploads)
    if not uploads:
        message = _("Choose at least one file to attach.")
        raise InvalidInput(message, {"attachments": [message]})
    errors = attachment_errors(uploads)
    if errors:
        raise InvalidInput(errors["attachments"][0], errors)
    before = [a.sha256 for a in signal.attachments.all()]
    stored: list[SignalAttachment] = []
    try:
        for upload in uploads:
            stored.append(attach(signal, upload))
        audit.record(
            action=Action.CHANGE,
            actor=actor,
            obj=signal,
            person=signal.person,
            changes={
                "attachments": {"before": before, "after": before + [a.sha256 for a in stored]}
            },
        )
    except BaseException:
        # The rows roll back with the transaction; the files written so far go too.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return signal
