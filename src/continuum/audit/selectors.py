"""Reads of the audit log, for the data-protection officer only.

Each selector asks the access policy first and answers :class:`NotFound` to anyone else, as
the rest of Continuum does for records a membership may not see.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from continuum.access import policy
from continuum.audit.forms import EntryFilter
from continuum.audit.models import Action, AuditEntry
from continuum.core.exceptions import NotFound
from continuum.core.models import Membership


def _require_audit_access(actor: Membership) -> None:
    if not policy.can_view_audit(actor):
        raise NotFound


def entry_list(*, actor: Membership, query: Mapping[str, Any] | None) -> EntryFilter:
    """The log, newest first, filtered by ``query`` (the page's GET parameters)."""
    _require_audit_access(actor)
    return EntryFilter(query or None, queryset=AuditEntry.objects.order_by("-sequence"))


def entries_about_person(*, actor: Membership, reference: str) -> QuerySet[AuditEntry]:
    """Every entry about the person with ``reference``, oldest first: those that name the
    person, and the searches and lists that showed them. (References are random and never
    part of another, so the quoted reference in an entry's sealed content is exact.)"""
    _require_audit_access(actor)
    shown = Q(action=Action.LIST, content__contains=f'"{reference}"')
    return AuditEntry.objects.filter(Q(person_reference=reference) | shown).order_by("sequence")
