"""The audit log's storage. Entries are written once and never changed.

Entries hold copies (username, agency code, references) instead of foreign keys, so that the
log outlives accounts, agencies and erased persons it mentions.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("Sign-in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Sign-out")
    READ = "read", _("Read")
    LIST = "list", _("List")
    CREATE = "create", _("Create")
    CHANGE = "change", _("Change")
    TOKEN_ISSUED = "token_issued", _("Token issued")
    TOKEN_REVOKED = "token_revoked", _("Token revoked")
    MEMBERSHIP_CHOSEN = "membership_chosen", _("Membership chosen")
    DELETE = "delete", _("Delete")
    EMERGENCY_ACCESS = "emergency_access", _("Emergency access")
    EMERGENCY_ACCESS_REVIEWED = "emergency_access_reviewed", _("Emergency access reviewed")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    user_id_copy = models.BigIntegerField(_("user id"), null=True, blank=True)
    username = models.CharField(_("username"), max_length=150, blank=True)
    membership_id_copy = models.BigIntegerField(_("membership id"), null=True, blank=True)
    agency_code = models.CharField(_("agency"), max_length=40, blank=True)
    role = models.CharField(_("role"), max_length=40, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=60, blank=True)
    person_reference = models.CharField(_("person"), max_length=20, blank=True, db_index=True)
    case_reference = models.CharField(_("case"), max_length=20, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type} {self.object_id}"
