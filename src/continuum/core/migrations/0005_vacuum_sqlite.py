"""Field encryption, after step 3: on SQLite, rewrite the database file.

Dropping a column leaves its old pages in the file's free list, plaintext included, and the
write-ahead log may still hold copies. VACUUM rebuilds the file from the live data only, and a
truncating checkpoint empties the log. VACUUM cannot run inside a transaction, hence
``atomic = False``. PostgreSQL keeps dropped values in dead tuples until they are overwritten:
see docs/configuration.md for VACUUM FULL there.
"""

from django.db import migrations


def vacuum(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("core", "0004_person_drop_plaintext"),
    ]

    operations = [
        migrations.RunPython(vacuum, migrations.RunPython.noop, elidable=True),
    ]
