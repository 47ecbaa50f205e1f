"""Goods serials and IMEIs stored as typed before every door stored them with Latin digits (``core.text.identifier``:
Latin digits, single spaces, none around) get that form: «۴۹۰۱۵۴۲۰۳۲۳۷۵۱۸» is «490154203237518», as the import,
the registration form and the API have stored them since (``import_validation``). Letters are kept as typed. Left
as they were, the same phone typed in Persian digits on one declaration and in Latin digits on another was not
flagged as on two declarations. Both the indexed rows (``GoodsSerial``) and their goods lines' lists change; the
declarations whose serial is now shared are flagged. A serial already in that form is not touched, so the
migration can run twice.
"""

from django.db import migrations
from django.db.models import Q

from core.text import identifier

OTHER_DIGITS = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
SPACES = " \t\r\n\u00a0"  # a single space inside is kept; these mark a serial to look at
BATCH = 1000


def latin_goods_serials(apps, schema_editor):
    GoodsSerial = apps.get_model("declarations", "GoodsSerial")
    GoodsItem = apps.get_model("declarations", "GoodsItem")
    maybe = Q()
    for ch in OTHER_DIGITS + SPACES:
        maybe |= Q(value__contains=ch)
    changed: set[str] = set()
    items: set[int] = set()
    last = 0
    # In batches by id, each read before it is written: no cursor stays open over the rows being changed.
    while batch := list(GoodsSerial.objects.filter(maybe, pk__gt=last).order_by("pk")[:BATCH]):
        last = batch[-1].pk
        touched = [s for s in batch if identifier(s.value) != s.value]
        for s in touched:
            s.value = identifier(s.value)
            s.is_imei = len(s.value) == 15 and s.value.isdigit()
            changed.add(s.value)
            items.add(s.goods_item_id)
        GoodsSerial.objects.bulk_update(touched, ["value", "is_imei"])
    ids = sorted(items)
    for start in range(0, len(ids), BATCH):
        goods = list(GoodsItem.objects.filter(pk__in=ids[start : start + BATCH]))
        for item in goods:
            item.serials = [identifier(v) for v in item.serials or []]
        GoodsItem.objects.bulk_update(goods, ["serials"])
    if changed:
        from declarations.flags import refresh_serial_flag

        refresh_serial_flag(changed)


class Migration(migrations.Migration):
    dependencies = [("declarations", "0027_waybills_as_identifiers")]

    operations = [migrations.RunPython(latin_goods_serials, migrations.RunPython.noop)]
