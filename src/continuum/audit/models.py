"""The audit log's storage. Entries are written once and never changed.

An entry is its ``content``: one canonical JSON text (see :mod:`continuum.audit.canonical`)
that holds every fact about the event, its place in the chain (``sequence``) and the id of the
key that sealed it. ``entry_hash`` seals ``prev_hash`` and ``content`` together
(HMAC-SHA256 with the audit key, see :mod:`continuum.audit.chain`).

Every other column (``at``, ``action``, ``username``, ``person_reference``…) is a *generated
column*: the database derives it from ``content`` (SQL in :mod:`continuum.audit.expressions`)
and refuses to have it set. The columns exist so the log can be searched and indexed; they
cannot say anything the sealed content does not say. The database also refuses UPDATE and
DELETE on the table (triggers, :mod:`continuum.audit.triggers`).

Entries hold copies (username, agency code, references) instead of foreign keys, so that the
log outlives accounts, agencies and erased persons it mentions.

On SQLite, a migration that alters this table rebuilds it and so drops its triggers: such a
migration must end by installing them again (as ``0006_refuse_update_and_delete`` does), and
``tests/audit/test_triggers.py`` fails until it does.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from continuum.audit.expressions import ContentValue


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
    EXPORT = "export", _("Export")
    IDENTIFIER_CLASH = "identifier_clash", _("National identifier clash")
    SIGN_OFF = "sign_off", _("Sign-off")


def _derived(key: str, kind: str, output_field: models.Field[Any, Any], **options: Any) -> Any:
    """A column the database computes from ``content[key]``. The output field carries no
    choices or other Python-only options: changing those must not alter the column (on SQLite
    an altered column means a rebuilt table)."""
    return models.GeneratedField(
        expression=ContentValue(key, kind),
        output_field=output_field,
        db_persist=True,
        **options,
    )


class AuditEntry(models.Model):
    content = models.TextField(_("content"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64)

    sequence = _derived("sequence", "integer", models.BigIntegerField(), verbose_name=_("number"))
    key_id = _derived("key_id", "text", models.TextField(), verbose_name=_("key id"))
    at = _derived("at", "timestamp", models.DateTimeField(), verbose_name=_("at"), db_index=True)
    action = _derived("action", "text", models.TextField(), verbose_name=_("action"))
    user_id_copy = _derived(
        "user_id_copy", "integer", models.BigIntegerField(null=True), verbose_name=_("user id")
    )
    username = _derived(
        "username", "text", models.TextField(), verbose_name=_("username"), db_index=True
    )
    membership_id_copy = _derived(
        "membership_id_copy",
        "integer",
        models.BigIntegerField(null=True),
        verbose_name=_("membership id"),
    )
    agency_code = _derived(
        "agency_code", "text", models.TextField(), verbose_name=_("agency"), db_index=True
    )
    role = _derived("role", "text", models.TextField(), verbose_name=_("role"))
    object_type = _derived("object_type", "text", models.TextField(), verbose_name=_("object type"))
    object_id = _derived("object_id", "text", models.TextField(), verbose_name=_("object id"))
    person_reference = _derived(
        "person_reference", "text", models.TextField(), verbose_name=_("person"), db_index=True
    )
    case_reference = _derived("case_reference", "text", models.TextField(), verbose_name=_("case"))
    changes = _derived("changes", "json", models.JSONField(), verbose_name=_("changes"))
    justification = _derived(
        "justification", "text", models.TextField(), verbose_name=_("justification")
    )
    request_id = _derived("request_id", "text", models.TextField(), verbose_name=_("request id"))
    client_address = _derived(
        "client_address", "text", models.TextField(null=True), verbose_name=_("client address")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [
            # A second line behind the head lock: two entries can never share a place.
            models.UniqueConstraint(fields=["sequence"], name="audit_entry_unique_sequence"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_id}"

    @property
    def changes_text(self) -> str:
        """The changes as compact JSON, for reading on a page."""
        return json.dumps(self.changes, sort_keys=True, ensure_ascii=False)

    @property
    def action_label(self) -> str:
        """The action's name for people; an action this version does not know is shown as is."""
        try:
            return str(Action(self.action).label)
        except ValueError:
            return str(self.action)


class AuditHead(models.Model):
    """The newest entry's place and hash: one row, locked by every append.

    Appending reads this row with ``SELECT … FOR UPDATE`` inside the caller's transaction, so
    concurrent transactions queue here and never chain onto the same previous hash. (On SQLite
    a write transaction takes the database's write lock at BEGIN, which serialises them too.)
    The row is a convenience, not evidence: if it is missing it is rebuilt from the newest
    entry, and if someone falsifies it the next entry's link breaks where the verifier looks.
    """

    ROW = 1

    sequence = models.BigIntegerField(_("number"), default=0)
    entry_hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit log head")
        verbose_name_plural = _("audit log head")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.entry_hash[:12]}"
