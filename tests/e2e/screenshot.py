"""Take docs/screenshot.png: a person's page as the demo coordinator sees it.

Run it by hand when the pages change (it is not part of the test suite)::

    .venv/bin/python -m tests.e2e.screenshot [output.png]

It seeds the synthetic demo world into a throw-away SQLite database, serves it on a free port,
signs in as ``coordinator`` in headless Chromium (1280x900) and checks the page with axe-core
before taking the picture.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from continuum.core.models import Person

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "docs" / "screenshot.png"


def main(output: Path = OUTPUT) -> None:
    with tempfile.TemporaryDirectory(prefix="continuum-screenshot-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/screenshot.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "continuum.settings")
        # Playwright's sync API runs an event loop in this thread; the database is ours alone.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        import django

        django.setup()
        _shoot(output)


def _shoot(output: Path) -> None:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.test.testcases import LiveServerThread
    from django.test.utils import override_settings
    from playwright.sync_api import sync_playwright

    from continuum.core import demo
    from continuum.core.models import Phase
    from tests.e2e.conftest import (
        CHROMIUM,
        CHROMIUM_ARGS,
        VIEWPORT,
        check_accessibility,
    )

    call_command("migrate", interactive=False, verbosity=0)
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        demo.seed()
        person = _pictured_person(Phase.RELEASE_PREPARATION)
        server = LiveServerThread("localhost", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                context = browser.new_context(
                    base_url=f"http://localhost:{server.port}",
                    viewport=VIEWPORT,
                    locale="en-GB",
                    timezone_id="Europe/Amsterdam",
                )
                page = context.new_page()
                page.goto("/login/")
                page.get_by_label("Username").fill("coordinator")
                page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
                with page.expect_navigation():
                    page.get_by_role("button", name="Sign in").click()
                page.goto(f"/persons/{person.reference}/")
                check_accessibility(page)
                output.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(output))
                browser.close()
        finally:
            server.terminate()
    print(f"{output} ({person.reference})")


def _pictured_person(phase: str) -> Person | None:
    """A convicted person in release preparation: a full timeline and a case with a team."""
    from continuum.core.models import Person

    # Aliases are encrypted, so whether a person has any is seen after decrypting.
    convicted = Person.objects.filter(cases__phase=phase, is_veto=True).order_by("reference")
    return (
        next((person for person in convicted if person.aliases), None)
        or Person.objects.filter(cases__phase=phase).order_by("reference").first()
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
