"""End-to-end tests: a real headless Chromium (Playwright, sync API) against pytest-django's
live server, with axe-core checking every page the browser loads.

Use the helpers instead of raw navigation so that the accessibility check cannot be forgotten:

* ``visit(page, url)`` navigates and checks the page;
* ``navigate(page, action)`` runs an action that loads a new page (a click on a link, a form
  submission), waits for that page and checks it;
* ``check_accessibility(page)`` checks what is on screen now (for instance after an htmx swap).

As a safety net the ``page`` fixture counts the documents the browser loads and fails the test
if one of them was never checked.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

E2E_DIR = Path(__file__).parent
CHROMIUM = os.environ.get("CONTINUUM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
REFLOW_WIDTH = 320
TIMEOUT_MS = 15_000
E2E_GROUP = "e2e"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this directory is an e2e test, whether or not its module says so.

    Under pytest-xdist (``--dist loadgroup``) they are one group, run by one worker: one
    Chromium for the run instead of one per worker, and no two browsers competing for the
    cores. ``tryfirst``: xdist reads the group in its own hook of the same name."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group(E2E_GROUP))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember how the test itself went, so that ``page`` adds no noise to a failure."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


_CALL_FAILED = pytest.StashKey[bool]()


def _unavailable(reason: str) -> None:
    """No browser: a failure in CI (the e2e tests must never be skipped there), a skip on a
    developer's machine."""
    if IN_CI:
        pytest.fail(f"{reason} The e2e tests must run in CI (CI=true).", pytrace=False)
    pytest.skip(reason)


def _check_grouped(request: pytest.FixtureRequest) -> None:
    """Under ``--dist loadgroup`` (pyproject.toml), the e2e tests must be in their group. An
    xdist worker marks a grouped test by adding ``@group`` to its node id; when that stops
    working (pytest 9.2 with pytest-xdist 3.8: pytest-dev/pytest-xdist#1386) the tests would
    silently spread over the workers, one Chromium each."""
    if getattr(request.config.option, "loadgroup", False) and not request.node.nodeid.endswith(
        f"@{E2E_GROUP}"
    ):
        pytest.fail(
            f"pytest-xdist did not put {request.node.nodeid} in the {E2E_GROUP!r} group "
            "(pytest-dev/pytest-xdist#1386?): see the pytest version bound in pyproject.toml.",
            pytrace=False,
        )


def _close_connections() -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    if not Path(CHROMIUM).is_file():
        _unavailable(
            f"Chromium not found at {CHROMIUM} (install Debian's `chromium` package or set "
            "CONTINUUM_CHROMIUM to its path)."
        )
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]').")
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django would
    # refuse the test's own database queries as "called from an async context".
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except Error as error:
            _unavailable(f"Chromium at {CHROMIUM} did not start: {error.message}")
        yield chromium
        chromium.close()
    finally:
        # While that loop runs, Django keeps this thread's database connections apart from the
        # ones it had before (asgiref's storage for async contexts). Close them while they are
        # still the current ones: at the end of the session pytest-django closes the ones from
        # before and drops the test database, which on PostgreSQL fails while a connection is
        # open ("being accessed by other users"). Database tests after the e2e tests leave one
        # open; a worker of pytest-xdist may run them in that order.
        _close_connections()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class _Loads:
    """Documents loaded in a page and not yet checked for accessibility."""

    unchecked: list[str] = field(default_factory=list)


_LOADS: dict[Any, _Loads] = {}


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page for each test, on the live server."""
    _check_grouped(request)
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam"
    )
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    loads = _LOADS[new_page] = _Loads()
    new_page.on("load", lambda loaded: loads.unchecked.append(loaded.url))
    try:
        yield new_page
        if not new_page.is_closed():
            new_page.wait_for_load_state()
        if loads.unchecked and not request.node.stash.get(_CALL_FAILED, False):
            pytest.fail(
                "Pages loaded without an accessibility check (use visit()/navigate() or call "
                f"check_accessibility()): {', '.join(loads.unchecked)}",
                pytrace=False,
            )
    finally:
        _LOADS.pop(new_page, None)
        context.close()


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']} "
            f"[{violation.get('helpUrl', '')}]"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


# The elements that stick out to the right of the viewport, outside tables.
_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const right = el.getBoundingClientRect().right;
    if (right > width + 1) wide.push(`${el.outerHTML.slice(0, 120)} (to ${Math.round(right)}px)`);
  }
  return wide.length ? wide.slice(0, 10) : ["the page scrolls sideways"];
}"""


def _check_reflow(page: Any) -> list[str]:
    """WCAG 1.4.10 Reflow, which axe does not test: at 320 CSS pixels wide nothing may need
    sideways scrolling."""
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
    try:
        return list(page.evaluate(_OVERFLOW_JS))
    finally:
        page.set_viewport_size(size)


def check_accessibility(page: Any) -> None:
    """Run axe-core on the page as it is now, for WCAG 2.0/2.1 level A and AA, and check that
    it reflows at 320 CSS pixels; fail the test with every violation and the elements
    concerned."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state()
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        },
    )
    overflow = _check_reflow(page)
    loads = _LOADS.get(page)
    if loads is not None:
        loads.unchecked.clear()
    problems = []
    if violations := results.response["violations"]:
        problems.append(_describe(violations))
    if overflow:
        problems.append(
            f"- reflow (WCAG 1.4.10): wider than {REFLOW_WIDTH} CSS pixels:\n"
            + "\n".join(f"    {element}" for element in overflow)
        )
    if problems:
        pytest.fail(
            f"Accessibility violations on {page.url}:\n" + "\n".join(problems), pytrace=False
        )


def visit(page: Any, url: str) -> Any:
    """Open ``url`` (relative to the live server), check that it loaded and is accessible."""
    response = page.goto(url)
    assert response is not None and response.ok, f"GET {url}: {response and response.status}"
    check_accessibility(page)
    return response


def navigate(page: Any, action: Callable[[], object]) -> None:
    """Run ``action`` (a click or a form submission) that loads a new document, wait for it
    and check it."""
    with page.expect_navigation():
        action()
    check_accessibility(page)
