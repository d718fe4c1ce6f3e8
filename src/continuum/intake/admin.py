"""Intake configuration on the admin site: per jurisdiction, the inclusion criteria a triage
decision records and whether a central signals unit receives every signal. Changes are
audited like any other write."""

from __future__ import annotations

from django.contrib import admin

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
