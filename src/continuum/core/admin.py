"""The administrator manages agencies, accounts and memberships here; no case content is
registered with the admin site."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from continuum.core import accounts
from continuum.core.models import Agency, ApiToken, Membership, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_system_account"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Continuum", {"fields": ["is_system_account"]}))  # type: ignore[misc]
    actions = ["deactivate"]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Unticking "active" goes through the service, which also ends the account's sessions
        and revokes its API tokens."""
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if deactivating:
            accounts.user_deactivate(actor=request.user, user=obj)  # type: ignore[arg-type]

    @admin.action(description=_("Deactivate the selected accounts and end their sessions"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset.filter(is_active=True))
        for user in users:
            accounts.user_deactivate(actor=request.user, user=user)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext(
                "%(count)d account deactivated.", "%(count)d accounts deactivated.", len(users)
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["name", "code", "type", "jurisdiction", "is_active"]
    list_filter = ["type", "jurisdiction", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "agency", "role", "is_active"]
    list_filter = ["role", "agency"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["prefix", "membership", "label", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
