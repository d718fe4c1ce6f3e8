"""Field encryption, step 3 of 3: drop the plaintext columns; the sealed ones take their names.

On PostgreSQL the dropped values stay in the table's dead tuples until VACUUM (and in old
backups and WAL archives): see docs/configuration.md.
"""

import continuum.core.fields
from django.db import migrations

SEALED = ("given_names", "family_name", "aliases", "date_of_birth", "national_identifier")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_person_encrypt_existing"),
    ]

    operations = [
        *(migrations.RemoveField(model_name="person", name=name) for name in SEALED),
        *(
            migrations.RenameField(model_name="person", old_name=f"{name}_sealed", new_name=name)
            for name in SEALED
        ),
        migrations.AlterField(
            model_name="person",
            name="given_names",
            field=continuum.core.fields.EncryptedCharField(
                max_length=200, verbose_name="given names"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="family_name",
            field=continuum.core.fields.EncryptedCharField(
                max_length=200, verbose_name="family name"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="aliases",
            field=continuum.core.fields.EncryptedTextField(
                blank=True, help_text="One alias per line.", verbose_name="aliases"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="date_of_birth",
            field=continuum.core.fields.EncryptedDateField(
                blank=True, null=True, verbose_name="date of birth"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="national_identifier",
            field=continuum.core.fields.EncryptedCharField(
                blank=True, max_length=32, null=True, verbose_name="national identifier"
            ),
        ),
    ]
