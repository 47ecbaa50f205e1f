"""``scan_escalated``: a comparison of the declaration was escalated, current or earlier, so that the
``scan_suspicious`` signal keeps a declaration whose escalated comparison a later scan's replaced as the
current one. Its partial index takes the flag. The flag is filled from the comparisons in
``scans.0012_fill_scan_escalated`` (the comparisons are the scans app's)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("declarations", "0030_serial_end_index")]

    operations = [
        migrations.RemoveIndex(model_name="transitdeclaration", name="decl_sig_suspicious"),
        migrations.AddField(
            model_name="transitdeclaration",
            name="scan_escalated",
            field=models.BooleanField(default=False, verbose_name="a scan comparison escalated"),
        ),
        migrations.AddIndex(
            model_name="transitdeclaration",
            index=models.Index(
                condition=models.Q(
                    ("comparison_verdict", "suspicious"),
                    ("comparison_review", "escalated"),
                    ("scan_escalated", True),
                    _connector="OR",
                ),
                fields=["declared_at"],
                name="decl_sig_suspicious",
            ),
        ),
    ]
