"""``continuum tokens create|revoke|list``: API tokens bound to one membership."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from continuum.core import services
from continuum.core.exceptions import ApplicationError
from continuum.core.models import ApiToken, Membership, User


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. A token is shown once, when it is created."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a token and print it once.")
        create.add_argument("username")
        create.add_argument("--agency", help="Agency code of the membership to bind.")
        create.add_argument("--role", help="Role of the membership to bind.")
        create.add_argument("--days", type=int, default=None, help="Days until it expires.")
        create.add_argument("--label", default="", help="What the token is for.")
        listing = actions.add_parser("list", help="List a user's tokens (never their secrets).")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ApplicationError as error:
            raise CommandError(error.message) from error

    def _create(self, options: dict[str, Any]) -> None:
        membership = self._membership(options["username"], options["agency"], options["role"])
        issued = services.token_issue(
            membership=membership, label=options["label"], days=options["days"]
        )
        self.stdout.write(issued.secret)
        self.stderr.write(
            f"Token {issued.token.prefix} for {membership.user.username} as "
            f"{membership.role} at {membership.agency.code}, expires "
            f"{issued.token.expires_at:%Y-%m-%d}. It is not shown again."
        )

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.filter(
            membership__user__username=options["username"]
        ).select_related("membership__agency")
        for token in tokens:
            state = "revoked" if token.revoked_at else f"expires {token.expires_at:%Y-%m-%d}"
            self.stdout.write(
                f"{token.prefix}\t{token.membership.role}@{token.membership.agency.code}\t"
                f"{state}\t{token.label}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = (
            ApiToken.objects.select_related("membership__agency", "membership__user")
            .filter(prefix=options["prefix"])
            .first()
        )
        if token is None:
            raise CommandError(f"No token with prefix {options['prefix']}.")
        services.token_revoke(token=token)
        self.stdout.write(f"Revoked {token.prefix}.")

    @staticmethod
    def _membership(username: str, agency: str | None, role: str | None) -> Membership:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username}.")
        memberships = user.memberships.filter(is_active=True).select_related("agency")
        if agency:
            memberships = memberships.filter(agency__code=agency)
        if role:
            memberships = memberships.filter(role=role)
        found = list(memberships)
        if not found:
            raise CommandError(f"{username} has no active membership matching that choice.")
        if len(found) > 1:
            choices = ", ".join(f"--agency {m.agency.code} --role {m.role}" for m in found)
            raise CommandError(f"{username} holds several memberships; choose one: {choices}")
        return found[0]
