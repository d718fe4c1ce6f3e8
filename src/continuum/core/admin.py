"""The administrator manages agencies, accounts and memberships here; no case content is
registered with the admin site."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from continuum.audit import services as audit
from continuum.audit.models import Action
from continuum.core import accounts
from continuum.core.models import Agency, ApiToken, Membership, User


def _plain(value: Any) -> Any:
    """A form value as the audit log can hold it."""
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, QuerySet | list | tuple | set):
        return sorted(_plain(item) for item in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _record(
    request: HttpRequest,
    action: str,
    obj: Model,
    form: Any = None,
    fields: Any = (),
    skip: frozenset[str] = frozenset(),
) -> None:
    changes: dict[str, Any] = {"fields": sorted(fields)} if fields else {}
    if form is not None:
        names = [name for name in form.changed_data if name not in skip]
        initial, cleaned = getattr(form, "initial", {}), getattr(form, "cleaned_data", {})
        changes = audit.diff(
            {name: _plain(initial.get(name)) for name in names},
            {name: _plain(cleaned.get(name, getattr(obj, name, None))) for name in names},
        )
        if not changes:
            return
    audit.record(
        action=action,
        user=request.user,  # type: ignore[arg-type]
        actor=getattr(request, "membership", None),
        obj=obj,
        changes=changes,
    )


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Every change made on the admin site is an audit entry, in the transaction the admin
    wraps each save in: a new membership or a changed role leaves a trace like any case write."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _record(request, Action.CHANGE if change else Action.CREATE, obj, form)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record(request, Action.DELETE, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            _record(request, Action.DELETE, obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _record(request, Action.CREATE, obj)
        for obj, changed in formset.changed_objects:
            _record(request, Action.CHANGE, obj, fields=changed)
        for obj in formset.deleted_objects:
            _record(request, Action.DELETE, obj)


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin[User]):
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
        # Save without the generic entry: the deactivation writes its own, with what it ended.
        super(AuditedAdmin, self).save_model(request, obj, form, change)
        skip = frozenset({"is_active"}) if deactivating else frozenset()
        _record(request, Action.CHANGE if change else Action.CREATE, obj, form, skip=skip)
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
class AgencyAdmin(AuditedAdmin):
    list_display = ["name", "code", "type", "jurisdiction", "is_active"]
    list_filter = ["type", "jurisdiction", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "agency", "role", "is_active"]
    list_filter = ["role", "agency"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ["prefix", "membership", "label", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
