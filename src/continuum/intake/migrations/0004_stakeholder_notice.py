"""The glossary's words: what a "notify" decision sends an agency is a stakeholder notice (a
"notification" is a message that something needs a user's attention). The rows are kept: the
table is renamed, and so are the decision's text field and the one-per-recipient constraint."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("intake", "0003_timeline_held_by")]

    operations = [
        migrations.RenameModel(old_name="Notification", new_name="StakeholderNotice"),
        migrations.AlterModelOptions(
            name="stakeholdernotice",
            options={
                "ordering": ["-created_at", "-id"],
                "verbose_name": "stakeholder notice",
                "verbose_name_plural": "stakeholder notices",
            },
        ),
        migrations.AlterField(
            model_name="stakeholdernotice",
            name="decision",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="stakeholder_notices",
                to="intake.triagedecision",
                verbose_name="triage decision",
            ),
        ),
        migrations.AlterField(
            model_name="stakeholdernotice",
            name="recipient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="stakeholder_notices",
                to="core.agency",
                verbose_name="recipient",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="stakeholdernotice", name="notification_one_per_recipient"
        ),
        migrations.AddConstraint(
            model_name="stakeholdernotice",
            constraint=models.UniqueConstraint(
                fields=("decision", "recipient"), name="stakeholder_notice_one_per_recipient"
            ),
        ),
        migrations.RenameField(
            model_name="triagedecision", old_name="notification_text", new_name="notice_text"
        ),
    ]
