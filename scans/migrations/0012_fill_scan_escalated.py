"""Fills ``TransitDeclaration.scan_escalated`` from the comparisons escalated before it existed: one UPDATE
over the few declarations with an escalated comparison."""

from django.db import migrations


def fill(apps, schema_editor):
    TransitDeclaration = apps.get_model("declarations", "TransitDeclaration")
    ScanComparison = apps.get_model("scans", "ScanComparison")
    escalated = ScanComparison.objects.filter(review="escalated").values("declaration_id")
    TransitDeclaration.objects.filter(pk__in=escalated).update(scan_escalated=True)


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0031_scan_escalated"),
        ("scans", "0011_escalation_override_refs"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
