"""Database triggers that make the audit entry table append-only.

The database itself refuses UPDATE and DELETE of audit entries (and, on PostgreSQL, TRUNCATE),
whoever asks: the application, the admin site, a migration or someone at a SQL prompt. The
triggers are a guard, not the proof: someone who may change the schema can drop them, which is
why the entries are also sealed (:mod:`continuum.audit.chain`) and why the verifier reports
missing or disabled triggers. In production, also grant the application's database role only
INSERT and SELECT on the table.

The one sanctioned way around them is ``continuum flush`` (which empties every table, for the
test suite), which lifts and restores them in the same transaction
(``audit/management/commands/flush.py``).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditentry"
REFUSE_UPDATE = "audit_entry_refuse_update"
REFUSE_DELETE = "audit_entry_refuse_delete"
REFUSE_TRUNCATE = "audit_entry_refuse_truncate"
PG_FUNCTION = "audit_entry_refuse"
MESSAGE = "audit entries are append-only"

_PG_FUNCTION_BODY = (
    f"BEGIN RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP "
    "USING ERRCODE = 'integrity_constraint_violation'; END;"
)


def _sqlite_trigger(name: str, operation: str) -> str:
    return (
        f'CREATE TRIGGER IF NOT EXISTS "{name}" BEFORE {operation} ON "{TABLE}" '
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {operation} refused'); END"
    )


def _pg_trigger(name: str, operation: str, level: str) -> str:
    return (
        f'CREATE OR REPLACE TRIGGER "{name}" BEFORE {operation} ON "{TABLE}" '
        f'FOR EACH {level} EXECUTE FUNCTION "{PG_FUNCTION}"()'
    )


INSTALL = {
    "sqlite": [
        _sqlite_trigger(REFUSE_UPDATE, "UPDATE"),
        _sqlite_trigger(REFUSE_DELETE, "DELETE"),
    ],
    "postgresql": [
        f'CREATE OR REPLACE FUNCTION "{PG_FUNCTION}"() RETURNS trigger LANGUAGE plpgsql '
        f"AS $$ {_PG_FUNCTION_BODY} $$",
        _pg_trigger(REFUSE_UPDATE, "UPDATE", "ROW"),
        _pg_trigger(REFUSE_DELETE, "DELETE", "ROW"),
        _pg_trigger(REFUSE_TRUNCATE, "TRUNCATE", "STATEMENT"),
    ],
}
EXPECTED = {
    "sqlite": {REFUSE_UPDATE, REFUSE_DELETE},
    "postgresql": {REFUSE_UPDATE, REFUSE_DELETE, REFUSE_TRUNCATE},
}

# Each trigger's whole definition, as the database reports it back: a trigger re-created under
# its own name with a condition (``WHEN 0``, ``WHEN (false)``), on other events, or calling
# another function, keeps its name but no longer guards, so the name alone proves nothing.
# SQLite keeps the statement's text (without IF NOT EXISTS); PostgreSQL rebuilds it
# (pg_get_triggerdef), naming the table with its schema.
DEFINITIONS = {
    "sqlite": {
        REFUSE_UPDATE: _sqlite_trigger(REFUSE_UPDATE, "UPDATE").replace(" IF NOT EXISTS", ""),
        REFUSE_DELETE: _sqlite_trigger(REFUSE_DELETE, "DELETE").replace(" IF NOT EXISTS", ""),
    },
    "postgresql": {
        name: (
            f"CREATE TRIGGER {name} BEFORE {operation} ON {{schema}}.{TABLE} "
            f"FOR EACH {level} EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        for name, operation, level in (
            (REFUSE_UPDATE, "UPDATE", "ROW"),
            (REFUSE_DELETE, "DELETE", "ROW"),
            (REFUSE_TRUNCATE, "TRUNCATE", "STATEMENT"),
        )
    },
}


def _require_supported(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in INSTALL:
        raise NotImplementedError(f"The audit log does not support {connection.vendor}.")
    return connection.vendor


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (again); does nothing to triggers already in place."""
    with connection.cursor() as cursor:
        for statement in INSTALL[_require_supported(connection)]:
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper) -> None:
    vendor = _require_supported(connection)
    suffix = f' ON "{TABLE}"' if vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for name in sorted(EXPECTED[vendor]):
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"{suffix}')


def missing(connection: BaseDatabaseWrapper) -> list[str]:
    """The triggers that should refuse changes but are absent, disabled or altered."""
    vendor = _require_supported(connection)
    found = _sqlite_guards(connection) if vendor == "sqlite" else _pg_guards(connection)
    return sorted(EXPECTED[vendor] - found)


def _same(found: str, expected: str) -> bool:
    return " ".join(found.split()) == " ".join(expected.split())


def _sqlite_guards(connection: BaseDatabaseWrapper) -> set[str]:
    """The triggers whose stored statement is exactly the one installed."""
    expected = DEFINITIONS["sqlite"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [TABLE],
        )
        return {
            name
            for name, sql in cursor.fetchall()
            if name in expected and _same(sql or "", expected[name])
        }


def _pg_guards(connection: BaseDatabaseWrapper) -> set[str]:
    """The triggers that fire in every ordinary session (enabled, not only for replication:
    'O' or 'A'), whose definition is exactly the one installed, and whose function has the
    installed body."""
    expected = DEFINITIONS["postgresql"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, pg_get_triggerdef(t.oid), p.prosrc, n.nspname "
            "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE t.tgrelid = to_regclass(%s) AND NOT t.tgisinternal "
            "AND t.tgenabled IN ('O', 'A')",
            [f'"{TABLE}"'],
        )
        return {
            name
            for name, definition, source, schema in cursor.fetchall()
            if name in expected
            and _same(definition, expected[name].format(schema=schema))
            and _same(source, _PG_FUNCTION_BODY)
        }


def ungenerated_columns(connection: BaseDatabaseWrapper, expected: list[str]) -> list[str]:
    """Which of the ``expected`` derived columns the database no longer computes from the
    content (for instance after ``ALTER TABLE … ALTER COLUMN … DROP EXPRESSION``)."""
    vendor = _require_supported(connection)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            # hidden: 2 for a virtual generated column, 3 for a stored one.
            cursor.execute(
                "SELECT name FROM pragma_table_xinfo(%s) WHERE hidden IN (2, 3)", [TABLE]
            )
        else:
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) "
                "AND attnum > 0 AND NOT attisdropped AND attgenerated = 's'",
                [f'"{TABLE}"'],
            )
        generated = {row[0] for row in cursor.fetchall()}
    return [column for column in expected if column not in generated]
