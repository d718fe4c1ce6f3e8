"""Seal the entries written before the log was chained, in the order they were written.

The seals date from this migration: they show every change made to these entries after it,
not before. Entries are numbered from 1 in id order; the head row is set to the last one.
"""

from django.db import migrations

from continuum.audit import canonical
from continuum.audit.chain import GENESIS, seal
from continuum.audit.keys import keyring


def _facts(entry):
    facts = {name: getattr(entry, name) for name in canonical.FACTS}
    facts["client_address"] = str(entry.client_address) if entry.client_address else None
    return facts


def chain_existing_entries(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditHead = apps.get_model("audit", "AuditHead")
    entries = AuditEntry.objects.using(schema_editor.connection.alias)
    sequence, previous = 0, GENESIS
    if entries.exists():
        keys = keyring()
        mac = keys.mac()
        for entry in entries.order_by("id").iterator(chunk_size=2000):
            sequence += 1
            text = canonical.content(_facts(entry), sequence=sequence, key_id=keys.current_id)
            sealed = seal(mac, previous, text)
            entries.filter(pk=entry.pk).update(content=text, prev_hash=previous, entry_hash=sealed)
            previous = sealed
    AuditHead.objects.using(schema_editor.connection.alias).update_or_create(
        pk=1, defaults={"sequence": sequence, "entry_hash": previous}
    )


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_chain_columns"),
    ]

    operations = [
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
    ]
