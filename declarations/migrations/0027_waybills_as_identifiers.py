"""Waybill numbers stored as typed before every door stored them as identifiers (``core.text.identifier``: Latin
digits, single spaces, none around) get that form: «WB-۷۷» is «WB-77», « WB-12  3 » «WB-12 3», as the import,
the registration form and the API have stored them since (``import_validation``). Letters are kept as typed. Left
as they were, a waybill typed in Persian digits and the same one in Latin digits were two waybills: neither
declaration was flagged as sharing it, and the ICS export imported again was "stored with different waybill
number". The declarations whose waybill is now shared are flagged. A waybill already in that form is not
touched, so the migration can run twice.
"""

from django.db import migrations
from django.db.models import Q

from core.text import identifier

OTHER_DIGITS = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
SPACES = " \t\r\n\u00a0"  # a single space inside is kept; these mark a waybill to look at
BATCH = 1000


def waybills_as_identifiers(apps, schema_editor):
    TransitDeclaration = apps.get_model("declarations", "TransitDeclaration")
    maybe = Q()
    for ch in OTHER_DIGITS + SPACES:
        maybe |= Q(waybill_no__contains=ch)
    changed: set[str] = set()
    last = 0
    # In batches by id, each read before it is written: no cursor stays open over the rows being changed.
    while batch := list(
        TransitDeclaration.objects.filter(maybe, pk__gt=last).order_by("pk").only("pk", "waybill_no")[:BATCH]
    ):
        last = batch[-1].pk
        touched = [d for d in batch if identifier(d.waybill_no) != d.waybill_no]
        for d in touched:
            d.waybill_no = identifier(d.waybill_no)
            changed.add(d.waybill_no)
        TransitDeclaration.objects.bulk_update(touched, ["waybill_no"])
    if changed:
        from declarations.flags import refresh_waybill_flag

        refresh_waybill_flag(changed)


class Migration(migrations.Migration):
    dependencies = [("declarations", "0026_hs_codes_in_latin_digits")]

    operations = [migrations.RunPython(waybills_as_identifiers, migrations.RunPython.noop)]
