"""Intake configuration on the admin site: per jurisdiction, the inclusion criteria a triage
decision records and whether a central signals unit receives every signal. Changes are
audited like any other write.

A criterion that decisions have recorded is part of their history: it is never deleted, and
its jurisdiction and code never change; a criterion no longer in use is switched off."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from continuum.core.admin import AuditedAdmin
from continuum.intake.models import InclusionCriterion, JurisdictionSetting


@admin.register(JurisdictionSetting)
class JurisdictionSettingAdmin(AuditedAdmin):
    list_display = ["jurisdiction", "central_signals_unit"]
    search_fields = ["jurisdiction"]


@admin.register(InclusionCriterion)
class InclusionCriterionAdmin(AuditedAdmin):
    list_display = ["label", "code", "jurisdiction", "position", "is_active"]
    list_filter = ["jurisdiction", "is_active"]
    search_fields = ["label", "code"]
    ordering = ["jurisdiction", "position", "code"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["jurisdiction", "code"] if obj is not None else []
