"""``continuum demo``: migrate, seed the synthetic demo world once, print the logins, serve."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from continuum.core import demo
from continuum.core.models import Agency


class Command(BaseCommand):
    help = "Set up and serve the demo: synthetic data on the embedded database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed-only", action="store_true", help="Seed, print, do not serve.")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo never runs with CONTINUUM_ENV=production.")
        call_command("migrate", interactive=False, verbosity=0)
        if Agency.objects.exists():
            self.stdout.write("Demo data already present; not seeding again.")
        else:
            self.stdout.write("Seeding the synthetic demo world…")
            demo.seed()
        if settings.CONTINUUM_REQUIRE_2FA:
            demo.enrol_totp()
        self._print_logins()
        if not options["seed_only"]:
            call_command("runserver", options["addrport"], use_reloader=False)

    def _print_logins(self) -> None:
        host = "http://127.0.0.1:8000"
        self.stdout.write(f"\nContinuum demo at {host}/ — every password is {demo.DEMO_PASSWORD}\n")
        self.stdout.write(f"{'username':<20} {'role':<26} agency")
        for login in demo.logins():
            self.stdout.write(f"{login.username:<20} {login.role:<26} {login.agency}")
        if settings.CONTINUUM_REQUIRE_2FA:
            self.stdout.write(
                "\nTwo-factor sign-in is on (CONTINUUM_REQUIRE_2FA). Every demo account shares "
                f"one TOTP secret:\n    {demo.demo_totp_secret()}\nAdd it to an authenticator "
                "app (or run `oathtool --totp -b <secret>`) and enter its code after the password."
            )
        self.stdout.write(
            "\nAPI: `continuum tokens create police-system` prints a token for the demo police "
            "system;\nthe schema is at /api/schema/ and the docs at /api/docs/.\n"
        )
