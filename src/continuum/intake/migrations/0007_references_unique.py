"""Step 3 of 3: every row has its reference (0006); from now on it is unique and required."""

from django.db import migrations, models

MODELS = ("measure", "monitoringreview", "stakeholdernotice")


class Migration(migrations.Migration):
    dependencies = [("intake", "0006_references_fill")]

    operations = [
        migrations.AlterField(
            model_name=name,
            name="reference",
            field=models.CharField(
                editable=False, max_length=20, unique=True, verbose_name="reference"
            ),
        )
        for name in MODELS
    ]
