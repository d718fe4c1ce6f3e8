"""Writes of the intake app: signals (:mod:`.signals`), the bureau's investigation and its
measures (:mod:`.investigation`), and the triage decision (:mod:`.triage`).

Each service is one transaction with its audit entry; refusals raise
:class:`~continuum.core.exceptions.InvalidInput` with a message per field.
"""

from continuum.intake.services.attachments import checksum, signal_attach
from continuum.intake.services.investigation import (
    finding_add,
    max_days,
    measure_authorise,
    measure_end,
    measure_renew,
    measure_request,
    signal_investigate,
)
from continuum.intake.services.signals import (
    Intake,
    bias_safeguard_message,
    contact_point_training_add,
    fingerprint,
    signal_dismiss,
    signal_record,
    signal_record_once,
)
from continuum.intake.services.triage import (
    criteria_for,
    monitoring_review_complete,
    notifiable_agencies,
    stakeholder_notice_acknowledge,
    triage_propose,
    triage_sign_off,
    triage_withdraw,
)

__all__ = [
    "Intake",
    "bias_safeguard_message",
    "checksum",
    "contact_point_training_add",
    "criteria_for",
    "finding_add",
    "fingerprint",
    "max_days",
    "measure_authorise",
    "measure_end",
    "measure_renew",
    "measure_request",
    "monitoring_review_complete",
    "notifiable_agencies",
    "signal_attach",
    "signal_dismiss",
    "signal_investigate",
    "signal_record",
    "signal_record_once",
    "stakeholder_notice_acknowledge",
    "triage_propose",
    "triage_sign_off",
    "triage_withdraw",
]
