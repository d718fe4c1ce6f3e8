"""``flush``, with the audit log's triggers lifted for the moment it takes.

Django's ``flush`` empties every table (the test suite runs it after each transactional test).
The triggers that make audit entries append-only would refuse that on SQLite, where it is a
DELETE, and on PostgreSQL, where it is a TRUNCATE. This command removes them, flushes and puts
them back, all in one transaction: if the flush fails, the triggers were never gone. Emptying
the whole database is the one change to the log this allows; the verifier reports it as lost
entries against any checkpoint taken before.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections, transaction

from continuum.audit import triggers


class Command(flush.Command):
    help = flush.Command.help + " The audit log's triggers are lifted for the flush only."

    def handle(self, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("flush would erase the audit log; it never runs in production.")
        connection = connections[options["database"]]
        if triggers.TABLE not in connection.introspection.table_names():
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias):
            triggers.remove(connection)
            super().handle(**options)
            triggers.install(connection)
