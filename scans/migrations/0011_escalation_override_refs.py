"""An escalated comparison's block is now named by its comparison (``scan_escalated:<id>``), so that a later
scan does not lift it and an override covers the escalation it was made for. An override recorded before
covered the bare ``scan_escalated``: it now covers, by name, the comparisons escalated when it was made."""

from django.db import migrations


def name_the_escalations(apps, schema_editor):
    SettlementOverride = apps.get_model("declarations", "SettlementOverride")
    ScanComparison = apps.get_model("scans", "ScanComparison")
    for override in SettlementOverride.objects.iterator():  # a few: each an inspector's decision
        if "scan_escalated" not in override.covers:
            continue
        escalated = ScanComparison.objects.filter(declaration_id=override.declaration_id, review="escalated").exclude(
            reviewed_at__gt=override.at
        )
        refs = [f"scan_escalated:{pk}" for pk in escalated.order_by("pk").values_list("pk", flat=True)]
        override.covers = [r for r in override.covers if r != "scan_escalated"] + refs
        override.save(update_fields=["covers"])


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0030_serial_end_index"),
        ("scans", "0010_scan_pseudo_colour"),
    ]

    operations = [migrations.RunPython(name_the_escalations, migrations.RunPython.noop)]
