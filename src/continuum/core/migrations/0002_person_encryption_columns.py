"""Field encryption, step 1 of 3: columns for the encrypted values and their indexes.

The encrypted values go into ``*_sealed`` columns next to the plaintext ones; step 2 fills
them, step 3 drops the plaintext columns and gives the sealed ones their names. The plaintext
name columns become nullable here so that step 3 can be reversed on a table with rows.
"""

import continuum.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="given_names",
            field=models.CharField(max_length=200, null=True, verbose_name="given names"),
        ),
        migrations.AlterField(
            model_name="person",
            name="family_name",
            field=models.CharField(max_length=200, null=True, verbose_name="family name"),
        ),
        migrations.AddField(
            model_name="person",
            name="national_identifier_index",
            field=continuum.core.fields.BlindIndexField(
                null=True, source="national_identifier", unique=True
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="search_tokens",
            field=continuum.core.fields.SearchTokensField(
                sources=("given_names", "family_name", "aliases")
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="given_names_sealed",
            field=models.TextField(default=""),
        ),
        migrations.AddField(
            model_name="person",
            name="family_name_sealed",
            field=models.TextField(default=""),
        ),
        migrations.AddField(
            model_name="person",
            name="aliases_sealed",
            field=models.TextField(default=""),
        ),
        migrations.AddField(
            model_name="person",
            name="date_of_birth_sealed",
            field=models.TextField(null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="national_identifier_sealed",
            field=models.TextField(null=True),
        ),
    ]
