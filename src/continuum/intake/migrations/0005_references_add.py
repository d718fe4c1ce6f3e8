"""Measures, monitoring reviews and stakeholder notices get a reference like the other intake
records, so that URLs and the API address them without leaking counts. Step 1 of 3: the
column, empty (0006 fills it, 0007 makes it unique and required)."""

from django.db import migrations, models

MODELS = ("measure", "monitoringreview", "stakeholdernotice")


class Migration(migrations.Migration):
    dependencies = [("intake", "0004_stakeholder_notice")]

    operations = [
        migrations.AddField(
            model_name=name,
            name="reference",
            field=models.CharField(
                editable=False, max_length=20, null=True, verbose_name="reference"
            ),
        )
        for name in MODELS
    ]
