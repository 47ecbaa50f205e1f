"""A goods serial or IMEI typed in Persian digits is the same as in Latin digits: stored with Latin digits (as
``core.text.identifier`` writes identifiers) whichever door it came in by, so the same phone on two open
declarations is flagged whatever keyboard typed it. The data migration ``declarations 0028`` converts those stored
before."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from declarations.importer import import_file
from declarations.models import GoodsItem, GoodsSerial, TransitDeclaration
from tests.declarations.test_importer import offices, row, to_csv  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
migration = importlib.import_module("declarations.migrations.0028_goods_serials_in_latin_digits")
IMEI = "490154203237518"
PERSIAN_IMEI = "۴۹۰۱۵۴۲۰۳۲۳۷۵۱۸"


def test_an_imei_in_persian_digits_is_stored_in_latin_and_flagged_shared_with_the_same_one(offices):  # noqa: F811
    summary = import_file(
        to_csv(
            [
                row("SER-0001", goods_serials=PERSIAN_IMEI, waybill_no="A"),
                row("SER-0002", goods_serials=IMEI, waybill_no="B"),
            ]
        ),
        "x.csv",
    )
    assert (summary.created, summary.rejected) == (2, [])
    assert set(GoodsSerial.objects.values_list("value", "is_imei")) == {(IMEI, True)}
    assert [g.serials for g in GoodsItem.objects.order_by("pk")] == [[IMEI], [IMEI]]
    assert set(TransitDeclaration.objects.values_list("dup_goods_serial", flat=True)) == {True}


def test_the_migration_converts_those_stored_before_and_flags_them(offices):  # noqa: F811
    import_file(
        to_csv(
            [row("SER-0001", goods_serials="X1", waybill_no="A"), row("SER-0002", goods_serials=IMEI, waybill_no="B")]
        ),
        "x.csv",
    )
    first = TransitDeclaration.objects.get(serial="SER-0001")
    GoodsSerial.objects.filter(declaration=first).update(value=PERSIAN_IMEI)  # as they were stored before
    first.goods.update(serials=[PERSIAN_IMEI])
    assert not TransitDeclaration.objects.filter(dup_goods_serial=True).exists()

    migration.latin_goods_serials(apps, None)
    migration.latin_goods_serials(apps, None)  # twice changes nothing more

    assert set(GoodsSerial.objects.values_list("value", "is_imei")) == {(IMEI, True)}
    assert first.goods.get().serials == [IMEI]
    assert set(TransitDeclaration.objects.values_list("dup_goods_serial", flat=True)) == {True}
