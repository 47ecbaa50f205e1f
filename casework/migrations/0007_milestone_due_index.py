"""``milestone_due_at``: the milestones due in a month, found without reading every milestone of a scope's cases
(the monthly return counts a month's milestones: due or met in it, or owed at its end)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("casework", "0006_letter_reply_document")]

    operations = [
        migrations.AddIndex(
            model_name="casemilestone",
            index=models.Index(fields=["due_at"], name="milestone_due_at"),
        ),
    ]
