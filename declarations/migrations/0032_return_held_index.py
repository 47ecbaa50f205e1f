"""``decl_origin_held``: the waiting declarations a flag of the summary may withhold (``MAY_HOLD_SETTLEMENT``), by
origin office and settlement time. The monthly return looks for the settlements blocked at the month's end among
them; without it PostgreSQL read every open row of a province's offices (131,000 heap pages for West Azerbaijan
at 10M declarations) to keep one in sixteen."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("declarations", "0031_scan_escalated")]

    operations = [
        migrations.AddIndex(
            model_name="transitdeclaration",
            index=models.Index(
                condition=models.Q(
                    models.Q(
                        ("comparison_review", "pending"), ("comparison_verdict__in", ["suspicious", "unregistered"])
                    ),
                    ("dup_waybill", True),
                    ("invalid_imei", True),
                    ("dup_goods_serial", True),
                    _connector="OR",
                ),
                fields=["origin", "settled_at"],
                name="decl_origin_held",
            ),
        ),
    ]
