"""A waybill number is an identifier: stored as ``core.text.identifier`` reads it (Latin digits, single spaces),
whichever door it came in by (the import, the registration form, the API), and looked up so. «WB-۷۷» and «WB-77»
were two waybills: neither declaration was flagged as sharing its waybill, and a search in the other digits found
nothing. The data migration ``declarations 0027`` converts the waybills stored before."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from declarations.filters import search
from declarations.importer import import_file
from declarations.models import TransitDeclaration
from tests.declarations.test_importer import offices, row, to_csv  # noqa: F401 (a fixture)
from tests.declarations.test_register import _api_body, _form

pytestmark = pytest.mark.django_db
migration = importlib.import_module("declarations.migrations.0027_waybills_as_identifiers")


def test_the_import_stores_a_waybill_in_latin_digits_and_flags_it_shared_with_the_same_one(offices):  # noqa: F811
    summary = import_file(
        to_csv(
            [
                row("SER-0001", waybill_no=" WB-۱۲۳  ۴ ", goods_serials=""),
                row("SER-0002", waybill_no="WB-123 4", goods_serials=""),
            ]
        ),
        "x.csv",
    )
    assert (summary.created, summary.rejected) == (2, [])
    assert list(TransitDeclaration.objects.order_by("serial").values_list("waybill_no", "dup_waybill")) == [
        ("WB-123 4", True),
        ("WB-123 4", True),
    ]
    again = import_file(to_csv([row("SER-0001", waybill_no="WB-123 4", goods_serials="")]), "again.csv")
    assert (again.rejected, again.unchanged) == ([], 1)  # the same export in Latin digits is the same content


def test_the_form_and_the_api_store_it_so_too(client, origin_clerk, bazargan, tehran):
    client.force_login(origin_clerk)
    assert client.post(reverse("declarations:register"), _form(bazargan, tehran, waybill_no="WB-۷۷")).status_code == 302
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post("/api/declarations/", _api_body(waybill_no="WB-٧٧"), format="json")  # Arabic-Indic digits
    assert response.status_code == 201, response.json()
    assert list(TransitDeclaration.objects.order_by("serial").values_list("serial", "waybill_no", "dup_waybill")) == [
        ("API-HAND-1", "WB-77", True),
        ("HAND-0001", "WB-77", True),
    ]


def test_a_search_in_persian_digits_finds_it(offices):  # noqa: F811
    import_file(to_csv([row("SER-0001", waybill_no="wb 77", goods_serials="")]), "x.csv")
    found = search(TransitDeclaration.objects.all(), " wb  ۷۷ ")
    assert list(found.values_list("serial", flat=True)) == ["SER-0001"]


def test_the_migration_converts_the_waybills_stored_before_and_flags_those_now_shared(offices):  # noqa: F811
    import_file(
        to_csv(
            [
                row("SER-0001", waybill_no="WB-1", goods_serials=""),
                row("SER-0002", waybill_no="WB-77", goods_serials=""),
            ]
        ),
        "x.csv",
    )
    TransitDeclaration.objects.filter(serial="SER-0001").update(waybill_no=" WB-۷۷ ")  # as it was stored before
    assert not TransitDeclaration.objects.filter(dup_waybill=True).exists()

    migration.waybills_as_identifiers(apps, None)
    migration.waybills_as_identifiers(apps, None)  # twice changes nothing more

    assert list(TransitDeclaration.objects.order_by("serial").values_list("waybill_no", "dup_waybill")) == [
        ("WB-77", True),
        ("WB-77", True),
    ]
