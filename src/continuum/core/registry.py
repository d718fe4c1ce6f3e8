"""The one shape of every registry through which a stage plugs into the platform.

The core knows no stage. A stage app (signals and triage, assessments, plans, ...) contributes
its timeline kinds, navigation, tasks, demo seeding, periodic jobs and routes by registering
them from its ``AppConfig.ready()``; the shell reads the registries. Because ``ready()`` runs in
``INSTALLED_APPS`` order, a registry lists its entries in that order, and removing a stage from
``INSTALLED_APPS`` removes everything it contributed.

Modelled on :mod:`continuum.access.disclosures`: small and typed, with a context manager so a
test can register an entry for its own duration.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, Protocol, TypeVar


class Keyed(Protocol):
    @property
    def key(self) -> str: ...


T = TypeVar("T", bound=Keyed)


class AlreadyRegistered(ValueError):
    """Two entries claim one key: a programming error, raised at start-up."""


class Registry(Generic[T]):
    """Entries by their unique ``key``, in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, T] = {}

    def register(self, entry: T) -> T:
        """Add ``entry``. Registering the very same entry again is harmless (``ready()`` may
        run more than once in tests); another entry with a taken key is refused."""
        existing = self._entries.get(entry.key)
        if existing is not None and existing != entry:
            raise AlreadyRegistered(f"{self.name}: {entry.key!r} is already registered.")
        self._entries[entry.key] = entry
        return entry

    @contextmanager
    def registered(self, *entries: T) -> Iterator[None]:
        """Register ``entries`` for the duration of a ``with`` block (for tests). An entry that
        was registered before the block stays registered after it."""
        added = [entry.key for entry in entries if entry.key not in self._entries]
        for entry in entries:
            self.register(entry)
        try:
            yield
        finally:
            for key in added:
                self._entries.pop(key, None)

    def get(self, key: str) -> T | None:
        return self._entries.get(key)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries
