"""Field-level encryption: the keyring, authenticated encryption of values, keyed hash indexes.

This module is pure cryptography and key handling; :mod:`continuum.core.fields` puts it behind
model fields. Nothing here logs or returns key material or plaintext in error messages.

Encryption
    AES-256-GCM with a random 96-bit nonce per value. The associated data binds the ciphertext
    to where it belongs — table, column and the row's binding value (``Person.reference``, which
    is random, unique, set before the first save and never changed) — and to the token version
    and key id. A ciphertext copied into another row or another column, or with a flipped byte,
    fails authentication and raises :class:`DecryptionError`; it never decrypts to something
    else. The plaintext is padded to a multiple of 16 bytes first, so the ciphertext does not
    reveal the exact length of a name.

Stored format
    ``v1:<key id>:<nonce>:<ciphertext and tag>``, both in unpadded URL-safe base64. The key id
    tells which key of the keyring decrypts the value, so keys can rotate value by value.

Keyring
    A JSON document ``{"current": kid, "keys": {kid: base64 key, ...}, "index_key": base64}``
    from the ``CONTINUUM_FIELD_KEYS`` environment variable or from a file (by default
    ``<var>/field_keys.json``, generated with mode 0600 outside production; production refuses
    to start without one). The current key encrypts; the other keys only decrypt, until
    ``continuum keys rotate`` has re-encrypted their values and ``continuum keys remove`` has
    dropped them.

Keyed hash indexes
    Encrypted values cannot be compared in SQL, so equality lookups go through HMAC-SHA256
    values computed with sub-keys that HKDF derives from the separate ``index_key``:
    a blind index of the normalised national identifier (lookups and the uniqueness
    constraint) and search tokens of name words and their prefixes (person search).

    The index key deliberately does not rotate with the encryption keys. An index is only
    useful if every row's entry was computed with the same key as the lookup: during a
    rotation of the index key, lookups would miss the rows not yet re-indexed, and — worse —
    the unique constraint would let a duplicate identifier in, because its two index values
    would differ. The encryption keys can rotate row by row because every value names its own
    key; an index entry cannot name its key and still be found by an equality lookup.
    Changing the index key therefore means rebuilding every index entry from the decrypted
    values while writes are stopped; that is not automated. The index key protects less than
    the encryption keys (it allows confirming a guessed identifier or name, not decrypting),
    and it is kept with them in the same secret.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TOKEN_VERSION = "v1"  # noqa: S105 - a format version, not a secret
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits, the size GCM is designed for
PAD_BLOCK = 16
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
KEYS_VARIABLE = "CONTINUUM_FIELD_KEYS"
# Search tokens: whole words, and word prefixes from this length on.
MIN_PREFIX = 3
MAX_WORD = 40
MAX_QUERY_WORDS = 10
SEARCH_TOKEN_HEX = 16  # 64 bits: collisions are negligible at this scale


class EncryptionError(Exception):
    """A value cannot be encrypted or written as asked."""


class DecryptionError(EncryptionError):
    """A stored value does not decrypt: altered, moved from another row or column, or
    malformed. The data is not returned in any form."""


class UnknownKeyError(DecryptionError):
    """A stored value names a key id that the keyring does not hold."""


class KeyringError(ImproperlyConfigured):
    """The keyring is missing or malformed; the message says which and where."""


# --- keyring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeySource:
    """Where the keyring comes from: a file, or (``path`` is None) the environment."""

    path: Path | None

    @property
    def is_file(self) -> bool:
        return self.path is not None

    def __str__(self) -> str:
        return f"file {self.path}" if self.path else f"environment variable {KEYS_VARIABLE}"


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: Mapping[str, bytes] = field(repr=False)
    index_key: bytes = field(repr=False)
    source: KeySource

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise UnknownKeyError(
                f"The field key {key_id!r} is not in the keyring ({self.source}). "
                "Was it removed before every value was re-encrypted?"
            ) from None

    @cached_property
    def identifier_key(self) -> bytes:
        return _derive(self.index_key, b"continuum/blind-index/v1")

    @cached_property
    def search_key(self) -> bytes:
        return _derive(self.index_key, b"continuum/search-token/v1")

    def with_new_current_key(self) -> Keyring:
        """A copy with a fresh key that becomes current; the old keys stay to decrypt."""
        key_id = new_key_id()
        return Keyring(
            current=key_id,
            keys={**self.keys, key_id: secrets.token_bytes(KEY_BYTES)},
            index_key=self.index_key,
            source=self.source,
        )

    def without(self, key_id: str) -> Keyring:
        if key_id == self.current:
            raise KeyringError(f"{key_id} is the current key; rotate before removing it.")
        self.key(key_id)
        keys = {kid: key for kid, key in self.keys.items() if kid != key_id}
        return Keyring(self.current, keys, self.index_key, self.source)

    def to_json(self) -> str:
        return json.dumps(
            {
                "current": self.current,
                "keys": {kid: _b64(key) for kid, key in sorted(self.keys.items())},
                "index_key": _b64(self.index_key),
            },
            indent=2,
        )

    @classmethod
    def generate(cls, source: KeySource) -> Keyring:
        key_id = new_key_id()
        return cls(
            current=key_id,
            keys={key_id: secrets.token_bytes(KEY_BYTES)},
            index_key=secrets.token_bytes(KEY_BYTES),
            source=source,
        )

    @classmethod
    def from_json(cls, text: str, source: KeySource) -> Keyring:
        """Parse and check a keyring document; errors name the source, never a key."""
        try:
            document = json.loads(text)
        except ValueError:
            raise KeyringError(f"The field keyring ({source}) is not valid JSON.") from None
        if not isinstance(document, dict) or not isinstance(document.get("keys"), dict):
            raise KeyringError(f"The field keyring ({source}) needs a 'keys' object.")
        keys = {
            str(kid): _key_bytes(value, f"key {kid}", source)
            for kid, value in document["keys"].items()
        }
        for kid in keys:
            if not KEY_ID.match(kid):
                raise KeyringError(f"Key id {kid!r} in the field keyring ({source}) is invalid.")
        current = document.get("current")
        if current not in keys:
            raise KeyringError(
                f"The field keyring ({source}) must name its current key among its keys."
            )
        index_key = _key_bytes(document.get("index_key"), "index_key", source)
        return cls(current=current, keys=keys, index_key=index_key, source=source)


def _key_bytes(value: object, name: str, source: KeySource) -> bytes:
    try:
        key = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyringError(
            f"The {name} in the field keyring ({source}) must be {KEY_BYTES} bytes in base64."
        )
    return key


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)


def new_key_id() -> str:
    """Readable and unique: the date of creation and a random suffix."""
    return f"k{datetime.now(tz=UTC):%Y%m%d}-{secrets.token_hex(3)}"


def key_source() -> KeySource:
    if settings.CONTINUUM_FIELD_KEYS:
        return KeySource(path=None)
    return KeySource(path=Path(settings.CONTINUUM_FIELD_KEYS_FILE))


_lock = threading.Lock()
_cache: tuple[object, Keyring] | None = None


def keyring() -> Keyring:
    """The keyring in use. Loaded once, and again when the file or the setting changes, so a
    running server picks up a rotation without a restart."""
    global _cache
    source = key_source()
    if source.path is None:
        stamp: object = ("env", settings.CONTINUUM_FIELD_KEYS)
    else:
        info = _keyring_file_stat(source.path)
        stamp = ("file", str(source.path), info.st_ino, info.st_mtime_ns, info.st_size)
    cached = _cache
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        if source.path is None:
            ring = Keyring.from_json(settings.CONTINUUM_FIELD_KEYS, source)
        else:
            ring = Keyring.from_json(source.path.read_text(), source)
        _cache = (stamp, ring)
    return ring


def _keyring_file_stat(path: Path) -> os.stat_result:
    try:
        info = path.stat()
    except FileNotFoundError:
        if settings.PRODUCTION:
            raise KeyringError(
                f"No field keyring: set {KEYS_VARIABLE} or create {path} "
                "(see docs/configuration.md)."
            ) from None
        write_keyring_file(path, Keyring.generate(KeySource(path)), exclusive=True)
        info = path.stat()
    if settings.PRODUCTION and info.st_mode & 0o077:
        raise KeyringError(f"The field keyring {path} must be readable by its owner only (0600).")
    return info


def change_keyring_file(path: Path, change: Callable[[Keyring], Keyring]) -> Keyring:
    """Apply ``change`` to the keyring file under an exclusive lock, reading the file afresh:
    two rotations at once must not each write a keyring without the other's new key, which
    would leave the values encrypted with it unreadable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        changed = change(Keyring.from_json(path.read_text(), KeySource(path)))
        write_keyring_file(path, changed)
    return changed


def write_keyring_file(path: Path, ring: Keyring, *, exclusive: bool = False) -> None:
    """Write the keyring atomically with mode 0600. ``exclusive``: only if no file exists yet
    (two processes generating a first keyring at once must not each keep their own key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".field_keys.")
    try:
        with os.fdopen(descriptor, "w") as handle:  # mkstemp creates it with mode 0600
            handle.write(ring.to_json() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            with contextlib.suppress(FileExistsError):  # another process won: use its keyring
                os.link(temporary, path)
        else:
            os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


# --- values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Binding:
    """Where a value belongs. Part of the associated data, so a value only decrypts there."""

    table: str
    column: str
    row: str

    def associated_data(self, key_id: str) -> bytes:
        # A JSON array is unambiguous whatever characters the parts contain.
        parts = ["continuum-field", TOKEN_VERSION, key_id, self.table, self.column, self.row]
        return json.dumps(parts, separators=(",", ":")).encode()

    def __str__(self) -> str:
        return f"{self.table}.{self.column} of row {self.row}"


def seal(plaintext: str, binding: Binding) -> str:
    """Encrypt ``plaintext`` under the current key, bound to ``binding``."""
    ring = keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(ring.key(ring.current)).encrypt(
        nonce, _pad(plaintext.encode()), binding.associated_data(ring.current)
    )
    return f"{TOKEN_VERSION}:{ring.current}:{_b64(nonce, url=True)}:{_b64(sealed, url=True)}"


def unseal(token: str, binding: Binding) -> str:
    """Decrypt a stored token, or raise :class:`DecryptionError` saying why it cannot be."""
    key_id, nonce, sealed = _parse(token, binding)
    key = keyring().key(key_id)
    try:
        padded = AESGCM(key).decrypt(nonce, sealed, binding.associated_data(key_id))
    except InvalidTag:
        raise DecryptionError(
            f"The encrypted value of {binding} does not authenticate under key {key_id}: "
            "it was altered, or copied from another row or column."
        ) from None
    return _unpad(padded, binding).decode()


def key_id_of(token: str) -> str:
    """The key id a stored token names (for key status and re-encryption)."""
    return _parse(token, None)[0]


def _parse(token: str, binding: Binding | None) -> tuple[str, bytes, bytes]:
    parts = token.split(":")
    where = f" of {binding}" if binding else ""
    if len(parts) != 4 or parts[0] != TOKEN_VERSION or not KEY_ID.match(parts[1]):
        raise DecryptionError(f"The encrypted value{where} is not a {TOKEN_VERSION} token.")
    try:
        nonce, sealed = _unb64(parts[2]), _unb64(parts[3])
    except (binascii.Error, ValueError):
        raise DecryptionError(f"The encrypted value{where} is not valid base64.") from None
    if len(nonce) != NONCE_BYTES or len(sealed) < PAD_BLOCK + 16:
        raise DecryptionError(f"The encrypted value{where} has the wrong length.")
    return parts[1], nonce, sealed


def _pad(data: bytes) -> bytes:
    """ISO/IEC 7816-4 padding: a 0x80 byte, then zeros up to a multiple of the block."""
    data += b"\x80"
    return data + b"\x00" * (-len(data) % PAD_BLOCK)


def _unpad(data: bytes, binding: Binding) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise DecryptionError(f"The encrypted value of {binding} has invalid padding.")
    return stripped[:-1]


def _b64(data: bytes, *, url: bool = False) -> str:
    if url:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


# --- keyed hash indexes ----------------------------------------------------------------------


def normalise_identifier(value: str) -> str:
    """Compatibility forms folded, white space removed, upper case: ``" 999 000 1x "`` and
    ``"9990001X"`` are the same identifier."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def blind_index(value: str | None, *, domain: str) -> str | None:
    """HMAC-SHA256 (hex) of the normalised identifier, or None for no identifier.
    ``domain`` (``table.column``) keeps indexes of different columns apart."""
    if value is None or not (normalised := normalise_identifier(value)):
        return None
    message = f"{domain}\x00{normalised}".encode()
    return hmac.new(keyring().identifier_key, message, hashlib.sha256).hexdigest()


def search_words(text: str) -> list[str]:
    """Words as search sees them: accents and case folded, split at anything not a letter or
    digit. ``"Noa S.\\nDe Vos-Ék"`` gives ``noa s de vos ek``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", folded)


def search_token(word: str, *, domain: str) -> str:
    message = f"{domain}\x00{word}".encode()
    return hmac.new(keyring().search_key, message, hashlib.sha256).hexdigest()[:SEARCH_TOKEN_HEX]


def search_tokens(texts: Mapping[str, str | None]) -> str:
    """The search tokens of ``{domain: text}``: each word, and each of its prefixes of at least
    ``MIN_PREFIX`` letters. Sorted, so the order of the words is not kept; separated and
    surrounded by spaces, so one token is found with ``LIKE '% token %'``."""
    tokens: set[str] = set()
    for domain, text in texts.items():
        for word in search_words(text or ""):
            word = word[:MAX_WORD]
            prefixes = (word[:length] for length in range(MIN_PREFIX, len(word)))
            tokens.update(search_token(w, domain=domain) for w in (word, *prefixes))
    return f" {' '.join(sorted(tokens))} " if tokens else ""


def query_tokens(query: str, domains: Iterable[str]) -> list[str]:
    """The tokens to look up for a search query: one per query word (the first
    ``MAX_QUERY_WORDS``) and domain."""
    return [
        search_token(word[:MAX_WORD], domain=domain)
        for word in search_words(query)[:MAX_QUERY_WORDS]
        for domain in domains
    ]
