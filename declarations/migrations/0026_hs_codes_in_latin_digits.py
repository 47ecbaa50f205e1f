"""HS codes stored in Persian (or Arabic-Indic) digits before imports normalised them (``۸۵۱۷۱۳``) get their
digits in Latin (``851713``), as every import has stored them since (``import_validation``). Only the digits
change: a code kept with a space or a point keeps it. Left as they were, such codes made the ICS export
imported again "stored with different goods", and the covered-goods list applied again (``refresh_flags``,
which compares prefixes in the database) dropped their declarations' flag; the declarations touched have
their flags set again. A code in Latin digits is not touched, so the migration can run twice.
"""

from django.db import migrations
from django.db.models import Q

from core.dates import ascii_digits

OTHER_DIGITS = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
BATCH = 1000


def latin_hs_codes(apps, schema_editor):
    GoodsItem = apps.get_model("declarations", "GoodsItem")
    in_other_digits = Q()
    for d in OTHER_DIGITS:
        in_other_digits |= Q(hs_code__contains=d)
    touched: set[int] = set()
    last = 0
    # In batches by id, each read before it is written: no cursor stays open over the rows being changed.
    while batch := list(GoodsItem.objects.filter(in_other_digits, pk__gt=last).order_by("pk")[:BATCH]):
        for item in batch:
            item.hs_code = ascii_digits(item.hs_code)
            touched.add(item.declaration_id)
        GoodsItem.objects.bulk_update(batch, ["hs_code"])
        last = batch[-1].pk
    if touched:
        from declarations.covered import refresh_flags

        refresh_flags(touched)


class Migration(migrations.Migration):
    dependencies = [("declarations", "0025_vehicle_status_settled_index")]

    operations = [migrations.RunPython(latin_hs_codes, migrations.RunPython.noop)]
