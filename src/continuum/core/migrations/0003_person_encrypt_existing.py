"""Field encryption, step 2 of 3: encrypt the identifying fields of every existing person.

The table and column names here are those the values will have after step 3: they are part of
each value's associated data (see ``continuum.core.encryption``). Reversible: the reverse
decrypts into the plaintext columns again.
"""

from datetime import date

from django.db import migrations

from continuum.core import encryption

TABLE = "core_person"
BATCH = 200
SEALED = ("given_names", "family_name", "aliases", "date_of_birth", "national_identifier")
WORDS = ("given_names", "family_name", "aliases")


def _batches(manager):
    ids = list(manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        yield list(manager.filter(pk__in=ids[start : start + BATCH]).order_by("pk"))


def seal_rows(apps, schema_editor):
    Person = apps.get_model("core", "Person")
    manager = Person.objects.using(schema_editor.connection.alias)
    holders = {}
    for persons in _batches(manager):
        for person in persons:
            plain = {
                "given_names": person.given_names or "",
                "family_name": person.family_name or "",
                "aliases": person.aliases or "",
                "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
                "national_identifier": person.national_identifier or None,
            }
            for column, value in plain.items():
                binding = encryption.Binding(TABLE, column, person.reference)
                sealed = None if value is None else encryption.seal(value, binding)
                setattr(person, f"{column}_sealed", sealed)
            index = encryption.blind_index(
                plain["national_identifier"], domain=f"{TABLE}.national_identifier"
            )
            if index is not None:
                if index in holders:
                    raise RuntimeError(
                        f"Persons {holders[index]} and {person.reference} have the same national "
                        "identifier once spaces and case are ignored. Correct one of them, then "
                        "migrate again."
                    )
                holders[index] = person.reference
            person.national_identifier_index = index
            person.search_tokens = encryption.search_tokens(
                {f"{TABLE}.{column}": plain[column] for column in WORDS}
            )
        manager.bulk_update(
            persons,
            [f"{column}_sealed" for column in SEALED]
            + ["national_identifier_index", "search_tokens"],
        )


def open_rows(apps, schema_editor):
    Person = apps.get_model("core", "Person")
    manager = Person.objects.using(schema_editor.connection.alias)
    for persons in _batches(manager):
        for person in persons:
            for column in SEALED:
                token = getattr(person, f"{column}_sealed")
                binding = encryption.Binding(TABLE, column, person.reference)
                value = None if token is None else encryption.unseal(token, binding)
                if column == "date_of_birth" and value is not None:
                    value = date.fromisoformat(value)
                setattr(person, column, value)
        manager.bulk_update(persons, list(SEALED))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_person_encryption_columns"),
    ]

    operations = [
        migrations.RunPython(seal_rows, open_rows, elidable=False),
    ]
