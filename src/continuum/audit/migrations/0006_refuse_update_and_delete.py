"""Make the audit entry table append-only in the database itself: triggers refuse UPDATE and
DELETE on SQLite and PostgreSQL (and TRUNCATE on PostgreSQL). The SQL for each vendor is in
continuum.audit.triggers.

This is the last migration that touches the table. On SQLite any later migration that alters
it rebuilds the table, which drops these triggers: end such a migration with the same
RunPython(install_triggers, remove_triggers).
"""

from django.db import migrations

from continuum.audit import triggers


def install_triggers(apps, schema_editor):
    triggers.install(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0005_derive_columns_from_content"),
    ]

    operations = [
        migrations.RunPython(install_triggers, remove_triggers),
    ]
