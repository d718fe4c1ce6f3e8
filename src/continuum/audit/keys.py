"""The audit key: where it comes from, and how entries name it.

The key that seals the chain lives outside the database, so that someone who can write to the
database still cannot write entries the verifier accepts. It is read from, in this order:

1. ``CONTINUUM_AUDIT_KEY``: the key itself, hex or base64 (hex wins when the text is both);
2. the file ``CONTINUUM_AUDIT_KEY_FILE`` (default ``<VAR_DIR>/audit_key``), holding the same.

Outside production a missing file is generated (32 random bytes, hex, mode 0600). In
production it never is: without a key the application refuses to start
(:meth:`continuum.audit.apps.AuditConfig.ready`). A key has at least 32 bytes.

Each entry and checkpoint records the *key id*, a fingerprint of the key that sealed it (the
first 16 hex digits of SHA-256 over a fixed label and the key; it reveals nothing usable about
the key). To rotate: make the new key current and list the old one in
``CONTINUUM_AUDIT_RETIRED_KEYS`` (comma-separated, hex or base64); new entries are sealed with
the new key, and the verifier checks old ones with the key their id names.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_KEY_BYTES = 32
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
_KEY_ID_LABEL = b"continuum.audit.key-id\x00"


def parse_key(text: str, source: str) -> bytes:
    """The key in ``text`` (hex or base64); ``source`` names it in the error."""
    text = text.strip()
    if _HEX.fullmatch(text):
        key = bytes.fromhex(text)
    else:
        try:
            key = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ImproperlyConfigured(f"{source} is neither hex nor base64.") from error
    if len(key) < MIN_KEY_BYTES:
        raise ImproperlyConfigured(f"{source} must hold at least {MIN_KEY_BYTES} bytes.")
    return key


def key_id(key: bytes) -> str:
    """The fingerprint entries record to name the key that sealed them."""
    return hashlib.sha256(_KEY_ID_LABEL + key).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """The current key, which seals new entries, and retired keys, which only verify."""

    current: bytes
    retired: tuple[bytes, ...] = ()

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def key(self, kid: str) -> bytes | None:
        """The key with this id, or None when this keyring does not hold it."""
        for candidate in (self.current, *self.retired):
            if key_id(candidate) == kid:
                return candidate
        return None

    def mac(self, kid: str | None = None) -> hmac.HMAC:
        """An HMAC-SHA256 object primed with a key (the current one by default). Callers
        ``copy()`` it per message, which saves hashing the key pads again each time."""
        key = self.current if kid is None else self.key(kid)
        if key is None:
            raise KeyError(kid)
        return hmac.new(key, digestmod=hashlib.sha256)


def keyring() -> Keyring:
    """The keyring the settings describe; loaded once per process and per configuration."""
    return _load(
        str(settings.CONTINUUM_AUDIT_KEY),
        str(settings.CONTINUUM_AUDIT_KEY_FILE),
        tuple(str(k) for k in settings.CONTINUUM_AUDIT_RETIRED_KEYS),
        bool(settings.PRODUCTION),
    )


@lru_cache(maxsize=8)
def _load(text: str, path: str, retired: tuple[str, ...], production: bool) -> Keyring:
    if text:
        current = parse_key(text, "CONTINUUM_AUDIT_KEY")
    else:
        current = parse_key(_key_file_text(Path(path), production), path)
    old = tuple(parse_key(k, "CONTINUUM_AUDIT_RETIRED_KEYS") for k in retired if k.strip())
    return Keyring(current=current, retired=old)


def _key_file_text(path: Path, production: bool) -> str:
    if path.is_file():
        return path.read_text()
    if production:
        raise ImproperlyConfigured(
            "CONTINUUM_AUDIT_KEY or CONTINUUM_AUDIT_KEY_FILE (an existing key file) is required "
            "in production; `python -c 'import secrets; print(secrets.token_hex(32))'` makes one."
        )
    return generate_key_file(path)


def generate_key_file(path: Path) -> str:
    """Write a new random key to ``path``, readable by its owner only; if another process
    was quicker, keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = secrets.token_hex(MIN_KEY_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text()
    with os.fdopen(descriptor, "w") as file:
        file.write(text + "\n")
    return text
