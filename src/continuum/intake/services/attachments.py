"""Adding attachments to a signal after it was recorded (for example a scan that an agency
system sends after the signal itself).

Who may attach: a member of the agency that reported the signal, in a role that records
signals (:func:`~continuum.access.policy.can_record_signal`), who sees the signal, and only
while the signal awaits assessment. Once the bureau or coordination has taken it up (an
investigation, a dismissal), what they assess stays as it was: new material is a new signal.

Everyone else is answered "not found", including those who see the signal because it was
routed to them: the receiving side assesses the reporter's material, it does not add to it.
A signal no longer awaiting assessment is a conflict (409) for the reporting agency.

The checks are those of recording (:mod:`.signals`): an allow-list of types checked against
the content, a size limit, and a SHA-256 checksum of what is stored. One transaction with its
audit entry; files written before a failure are deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from continuum.access import policy
from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core.exceptions import Conflict, InvalidInput, NotFound
from continuum.core.models import Membership
from continuum.intake.models import Signal, SignalAttachment, SignalStatus
from continuum.intake.services.signals import _attach, _attachment_errors


def may_attach(actor: Membership, signal: Signal) -> bool:
    """Whether the actor's agency reported the signal and the actor records signals (the
    signal's status is checked separately: a closed signal is a conflict, not a secret)."""
    return policy.can_record_signal(actor) and signal.reporting_agency_id == actor.agency_id


@transaction.atomic
def signal_attach(
    *, actor: Membership, signal: Signal, uploads: Sequence[UploadedFile[Any]]
) -> Signal:
    """Add one or more attachments to a signal the actor's agency reported (see above)."""
    if not policy.scope_signals(actor).filter(pk=signal.pk).exists():
        raise NotFound
    signal = Signal.objects.select_for_update().select_related("person").get(pk=signal.pk)
    if not may_attach(actor, signal):
        raise NotFound
    if signal.status != SignalStatus.AWAITING_ASSESSMENT:
        raise Conflict(
            _("This signal is no longer awaiting assessment; record new material as a new signal.")
        )
    uploads = list(uploads)
    if not uploads:
        message = _("Choose at least one file to attach.")
        raise InvalidInput(message, {"attachments": [message]})
    errors = _attachment_errors(uploads)
    if errors:
        raise InvalidInput(errors["attachments"][0], errors)
    before = [a.sha256 for a in signal.attachments.all()]
    stored: list[SignalAttachment] = []
    try:
        for upload in uploads:
            stored.append(_attach(signal, upload))
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
