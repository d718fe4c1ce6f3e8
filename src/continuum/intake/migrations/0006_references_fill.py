"""Step 2 of 3: a random, unique reference for every existing measure (M), monitoring review
(R) and stakeholder notice (N).

The generator is a copy of ``continuum.core.models.new_reference``, not an import: a migration
must keep working when the model code changes."""

import secrets

from django.db import migrations

# Unambiguous characters for references that people read out on the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

PREFIXES = {"Measure": "M", "MonitoringReview": "R", "StakeholderNotice": "N"}


def new_reference(prefix):
    return prefix + "-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def fill_references(apps, schema_editor):
    for model_name, prefix in PREFIXES.items():
        model = apps.get_model("intake", model_name)
        rows = model._default_manager.using(schema_editor.connection.alias)
        used = set(rows.exclude(reference=None).values_list("reference", flat=True))
        for pk in list(rows.filter(reference=None).values_list("pk", flat=True)):
            reference = new_reference(prefix)
            while reference in used:
                reference = new_reference(prefix)
            used.add(reference)
            rows.filter(pk=pk).update(reference=reference)


class Migration(migrations.Migration):
    dependencies = [("intake", "0005_references_add")]

    operations = [migrations.RunPython(fill_references, migrations.RunPython.noop)]
