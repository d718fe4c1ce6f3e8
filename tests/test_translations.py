"""The Dutch message catalogue: complete, compiled, and served.

The committed catalogue is src/continuum/locale/nl/LC_MESSAGES/django.po; `make messages`
refreshes it. These tests fail when a user-facing string has no Dutch translation, when the
compiled .mo lags behind the .po, or when a translation loses a placeholder.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

import continuum

PACKAGE_DIR = Path(continuum.__file__).resolve().parent
LC_MESSAGES = PACKAGE_DIR / "locale" / "nl" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib")
# A %-placeholder, or an escaped percent sign (group 1 is None for "%%").
PLACEHOLDER = re.compile(r"%(?:%|\((\w+)\)[#0 +\-]*\d*(?:\.\d+)?[a-zA-Z])")

Key = tuple[str | None, str]


def key(entry: polib._BaseEntry) -> Key:
    return (entry.msgctxt or None, entry.msgid)


def describe(k: Key) -> str:
    context, msgid = k
    return f"{msgid!r} (context {context!r})" if context else repr(msgid)


def committed_po() -> polib.POFile:
    return polib.pofile(str(PO_FILE))


def live_entries(catalogue: polib._BaseFile) -> list[polib._BaseEntry]:
    """Entries other than the header and obsolete ones."""
    return [e for e in catalogue if e.msgid and not e.obsolete]


def is_translated(entry: polib._BaseEntry) -> bool:
    if "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(1)}


def test_every_user_facing_string_has_a_dutch_translation(tmp_path, settings, monkeypatch):
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing_tools:
        reason = f"GNU gettext is not installed (missing: {', '.join(missing_tools)})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)

    # Extract from a copy of the package into a scratch locale directory, so the committed
    # catalogue is never touched. Without LOCALE_PATHS, makemessages writes to ./locale.
    source = tmp_path / "continuum"
    shutil.copytree(
        PACKAGE_DIR, source, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale")
    )
    (source / "locale").mkdir()
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["nl"], no_location=True, no_obsolete=True, verbosity=0)

    extracted = polib.pofile(str(source / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    wanted = {key(e): e for e in live_entries(extracted)}
    assert wanted, "makemessages extracted no strings at all; the extraction is broken"

    translated = {key(e) for e in live_entries(committed_po()) if is_translated(e)}
    missing = sorted((k for k in wanted if k not in translated), key=lambda k: k[1])
    assert not missing, (
        f"{len(missing)} user-facing string(s) have no Dutch translation in {PO_FILE}. "
        "Run `make messages` and translate:\n" + "\n".join(f"  {describe(k)}" for k in missing)
    )


def test_compiled_catalogue_matches_the_po_file():
    assert MO_FILE.exists(), f"{MO_FILE} is missing; run compilemessages"
    compiled = {key(e): e for e in polib.mofile(str(MO_FILE))}

    stale = []
    for entry in live_entries(committed_po()):
        if not is_translated(entry):
            continue
        found = compiled.get(key(entry))
        if found is None:
            stale.append(f"  {describe(key(entry))}: not in the .mo")
        elif entry.msgid_plural:
            if found.msgstr_plural != entry.msgstr_plural:
                stale.append(
                    f"  {describe(key(entry))}: .po {entry.msgstr_plural!r}, "
                    f".mo {found.msgstr_plural!r}"
                )
        elif found.msgstr != entry.msgstr:
            stale.append(f"  {describe(key(entry))}: .po {entry.msgstr!r}, .mo {found.msgstr!r}")
    assert not stale, (
        f"{MO_FILE.name} does not match {PO_FILE.name}; run compilemessages. Differences:\n"
        + "\n".join(stale)
    )


def test_placeholders_survive_translation():
    entries = live_entries(committed_po())
    assert entries
    broken = []
    for entry in entries:
        if entry.msgid_plural:
            # Dutch: form 0 is the singular, form 1 the plural.
            pairs = [
                (entry.msgid if form == 0 else entry.msgid_plural, text)
                for form, text in sorted(entry.msgstr_plural.items())
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, text in pairs:
            if text and placeholders(text) != placeholders(source):
                broken.append(
                    f"  {describe(key(entry))}: expected {sorted(placeholders(source))}, "
                    f"got {sorted(placeholders(text))} in {text!r}"
                )
    assert not broken, "Translations with wrong placeholders:\n" + "\n".join(broken)


def test_dutch_is_served(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="nl"' in html
    assert "<h1>Inloggen</h1>" in html
    assert "Sign in" not in html
