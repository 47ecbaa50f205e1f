"""HS codes stored in Persian digits before imports normalised them (``۸۵۱۷۱۳``): the data migration
``declarations 0025`` writes their digits in Latin, as every import has stored them since."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from declarations.covered import refresh_flags
from declarations.importer import import_file
from declarations.models import GoodsItem, TransitDeclaration
from tests.declarations.test_importer import offices, row, to_csv  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
migration = importlib.import_module("declarations.migrations.0026_hs_codes_in_latin_digits")


def _stored_the_old_way(code: str) -> TransitDeclaration:
    """The phone line of ``row()`` as it was stored before imports wrote HS codes in Latin digits."""
    import_file(to_csv([row(goods_serials="")]), "old.csv")
    d = TransitDeclaration.objects.get(serial="T140400000001")
    d.goods.update(hs_code=code)
    return d


def test_the_ics_export_imported_again_is_no_longer_refused_for_different_goods(offices):  # noqa: F811
    _stored_the_old_way("۸۵۱۷۱۳")
    again = import_file(to_csv([row(goods_serials="")]), "again.csv")
    assert [(e.field, "stored with different" in e.message) for e in again.rejected] == [("goods", True)]

    migration.latin_hs_codes(apps, None)

    assert GoodsItem.objects.get().hs_code == "851713"
    again = import_file(to_csv([row(goods_serials="")]), "again.csv")
    assert (again.rejected, again.unchanged) == ([], 1)


def test_a_phone_line_without_imeis_is_flagged_again_and_stays_so_when_the_list_changes(offices):  # noqa: F811
    d = _stored_the_old_way("٨٥١٧١٣")  # Arabic-Indic digits, as some keyboards type them
    assert TransitDeclaration.objects.get(pk=d.pk).covered_without_serials  # set by the import
    refresh_flags()  # headquarters changed the covered list: the code in other digits lost its flag
    assert not TransitDeclaration.objects.get(pk=d.pk).covered_without_serials

    migration.latin_hs_codes(apps, None)
    assert TransitDeclaration.objects.get(pk=d.pk).covered_without_serials
    refresh_flags()
    assert TransitDeclaration.objects.get(pk=d.pk).covered_without_serials


def test_only_the_digits_change_and_twice_changes_nothing_more(offices):  # noqa: F811
    d = _stored_the_old_way("۸۴۷۱ ۳۰")
    GoodsItem.objects.create(
        declaration=d, line_no=2, hs_code="6403", description="کفش", quantity=1, unit="جفت", gross_weight_kg=1
    )
    migration.latin_hs_codes(apps, None)
    migration.latin_hs_codes(apps, None)
    assert list(d.goods.order_by("line_no").values_list("hs_code", flat=True)) == ["8471 30", "6403"]
