"""How the database derives an audit entry's columns from its canonical content.

Every column of an :class:`~continuum.audit.models.AuditEntry` other than ``content`` and the
two hashes is a *generated column*: the database computes it from ``content`` on insert and
refuses any attempt to set it. The SQL is written out per vendor here, so that it can be read
and checked; it is deliberately small (extract one JSON key, convert its type).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Func
from django.db.models.sql.compiler import SQLCompiler
from django.utils.deconstruct import deconstructible

_KEY = re.compile(r"[a-z][a-z_]*")

# How one JSON value of the content becomes a column, per kind: "{v}" is the extracted value.
_SQLITE = {
    "text": "json_extract({c}, '$.{k}')",
    "integer": "json_extract({c}, '$.{k}')",
    "json": "json_extract({c}, '$.{k}')",
    # Django stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; the content holds
    # 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (always with microseconds).
    "timestamp": "replace(substr(json_extract({c}, '$.{k}'), 1, 26), 'T', ' ')",
}
# PostgreSQL accepts only immutable expressions: text to timestamptz depends on settings, so
# the timestamp is assembled from its parts with make_timestamp() and read as UTC.
_PG_AT = (
    "(make_timestamp(substr({v}, 1, 4)::integer, substr({v}, 6, 2)::integer, "
    "substr({v}, 9, 2)::integer, substr({v}, 12, 2)::integer, substr({v}, 15, 2)::integer, "
    "substr({v}, 18, 9)::double precision) AT TIME ZONE 'UTC')"
)
_POSTGRESQL = {
    "text": "({c}::jsonb ->> '{k}')",
    "integer": "(({c}::jsonb ->> '{k}')::bigint)",
    "json": "({c}::jsonb -> '{k}')",
    "timestamp": _PG_AT.replace("{v}", "({c}::jsonb ->> '{k}')"),
}


@deconstructible(path="continuum.audit.expressions.ContentValue")
class ContentValue(Func):
    """The value under ``key`` in the entry's canonical content, as a column of ``kind``
    (``text``, ``integer``, ``json`` or ``timestamp``)."""

    def __init__(self, key: str, kind: str, **extra: Any) -> None:
        if not _KEY.fullmatch(key) or kind not in _SQLITE:
            raise ValueError(f"Unsupported content value {key!r} of kind {kind!r}.")
        self.key, self.kind = key, kind
        super().__init__(F("content"), **extra)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.key!r}, {self.kind!r})"

    def _template(self, templates: dict[str, str]) -> str:
        return templates[self.kind].replace("{k}", self.key).replace("{c}", "%(expressions)s")

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = self.as_sql(compiler, connection, template=self._template(_SQLITE))
        return sql, tuple(params)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = self.as_sql(compiler, connection, template=self._template(_POSTGRESQL))
        return sql, tuple(params)

    def as_mysql(self, *args: Any, **kwargs: Any) -> tuple[str, tuple[Any, ...]]:
        raise NotSupportedError("The audit log supports SQLite and PostgreSQL.")

    as_oracle = as_mysql
