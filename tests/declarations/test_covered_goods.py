"""Covered goods (groups الف، ب، ج of the household-appliance anti-smuggling rules, each mandatory from a
date after its notice): goods under a covered HS code declared on or after that date without serials are
a signal; an IMEI must be 15 digits with its Luhn check digit, or it is a signal too. Headquarters edit
the list; the registry check of an IMEI is recorded with its date.
"""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from core.errors import InvalidInput, NotAllowed
from declarations import covered, monitoring, serials
from declarations.covered_data import ensure_covered_goods
from declarations.importer import import_rows
from declarations.models import CoveredGoods, CoveredGroup, ImeiRegistryCheck, Status, TransitDeclaration
from tests.factories import GoodsFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shipped_list(db):
    """The list the migration writes (a transactional test run before this one flushes it)."""
    ensure_covered_goods()


VALID_IMEI = "356938035643809"
BAD_LUHN = "356938035643808"


def _row(serial, origin, destination, *, declared="2025-08-03T10:00:00+03:30", hs="851713", serials=""):
    return {
        "serial": serial,
        "declared_at": declared,
        "origin": origin.code,
        "destination": destination.code,
        "plate": "12ب34565",
        "plate_country": "IR",
        "waybill_no": f"WB-{serial}",
        "status": "registered",
        "goods_line": "1",
        "hs_code": hs,
        "description": "کالا",
        "quantity": "10",
        "unit": "عدد",
        "gross_weight_kg": "100",
        "value": "1000",
        "goods_serials": serials,
    }


def _import(*rows):
    summary = import_rows(list(enumerate(rows, start=2)), source_ref="test")
    assert not summary.rejected, summary.rejected
    return {d.serial: d for d in TransitDeclaration.objects.all()}


def test_the_groups_and_their_dates_ship_with_the_app():
    groups = dict(CoveredGroup.objects.values_list("code", "mandatory_from"))
    assert groups == {"alef": dt.date(2023, 9, 23), "be": dt.date(2024, 3, 20), "jim": dt.date(2025, 3, 21)}
    prefixes = set(CoveredGoods.objects.values_list("hs_prefix", flat=True))
    assert {"8418", "8450", "8528", "8415", "851713"} <= prefixes
    assert CoveredGoods.objects.get(hs_prefix="851713").identifier == "imei"


def test_covered_goods_without_serials_after_the_group_date_raise_the_signal(bazargan, tehran):
    decls = _import(
        _row("FRIDGE-NO-SERIAL", bazargan, tehran, hs="841821"),
        _row("FRIDGE-SERIAL", bazargan, tehran, hs="841821", serials="SN-1"),
        # group الف became mandatory on 1402/07/01 (2023-09-23): a fridge declared before it is not flagged
        _row("FRIDGE-BEFORE", bazargan, tehran, hs="841821", declared="2023-09-22T23:00:00+03:30"),
        _row("CEMENT", bazargan, tehran, hs="252329"),
    )
    flagged = {k for k, d in decls.items() if d.covered_without_serials}
    assert flagged == {"FRIDGE-NO-SERIAL"}
    in_signal = monitoring.filter_signal(TransitDeclaration.objects.all(), "covered_without_serials")
    assert set(in_signal.values_list("serial", flat=True)) == {"FRIDGE-NO-SERIAL"}


def test_the_group_date_is_midnight_in_tehran(bazargan, tehran):
    """1403/01/01 00:10 Tehran is 2024-03-19 20:40 UTC: already group ب's date."""
    decls = _import(
        _row("PHONE-NEWYEAR", bazargan, tehran, hs="851713", declared="2024-03-19T20:40:00+00:00"),
        _row("PHONE-EVE", bazargan, tehran, hs="851713", declared="2024-03-19T20:20:00+00:00"),
    )
    assert decls["PHONE-NEWYEAR"].covered_without_serials and not decls["PHONE-EVE"].covered_without_serials


def test_an_imei_failing_its_luhn_digit_or_not_15_digits_on_a_phone_line_is_a_signal(bazargan, tehran):
    decls = _import(
        _row("PHONE-OK", bazargan, tehran, serials=VALID_IMEI),
        _row("PHONE-LUHN", bazargan, tehran, serials=f"{VALID_IMEI};{BAD_LUHN}"),
        _row("PHONE-SHORT", bazargan, tehran, serials="12345"),
        _row("FRIDGE-SHORT", bazargan, tehran, hs="841821", serials="12345"),  # a serial, not an IMEI
    )
    assert {k for k, d in decls.items() if d.invalid_imei} == {"PHONE-LUHN", "PHONE-SHORT"}
    in_signal = monitoring.filter_signal(TransitDeclaration.objects.all(), "invalid_imei")
    assert set(in_signal.values_list("serial", flat=True)) == {"PHONE-LUHN", "PHONE-SHORT"}


def test_headquarters_add_a_code_and_the_flags_follow(bazargan, tehran, hq, origin_clerk):
    decls = _import(_row("DRYER", bazargan, tehran, hs="845121"))
    assert not decls["DRYER"].covered_without_serials
    group = CoveredGroup.objects.get(code="jim")
    with pytest.raises(NotAllowed):
        covered.goods_add(group=group, hs_prefix="8451", description="خشک‌کن", identifier="serial", by=origin_clerk)
    with pytest.raises(InvalidInput):
        covered.goods_add(group=group, hs_prefix="84", description="خشک‌کن", identifier="serial", by=hq)
    with pytest.raises(InvalidInput):
        covered.goods_add(group=group, hs_prefix="8418", description="دوباره", identifier="serial", by=hq)
    covered.goods_add(group=group, hs_prefix="8451", description="خشک‌کن لباس", identifier="serial", by=hq)
    assert covered.refresh_flags() >= 0  # the task ran on commit (eager); running again is harmless
    assert TransitDeclaration.objects.get(serial="DRYER").covered_without_serials
    covered.goods_remove(item=CoveredGoods.objects.get(hs_prefix="8451"), by=hq, reason="خشک‌کن از فهرست بیرون رفت")
    covered.refresh_flags()
    assert not TransitDeclaration.objects.get(serial="DRYER").covered_without_serials


def test_moving_a_group_date_later_clears_declarations_before_it(bazargan, tehran, hq):
    _import(_row("FRIDGE", bazargan, tehran, hs="841821"))
    covered.group_set_date(group=CoveredGroup.objects.get(code="alef"), mandatory_from=dt.date(2026, 1, 1), by=hq)
    covered.refresh_flags()
    assert not TransitDeclaration.objects.get(serial="FRIDGE").covered_without_serials


def test_headquarters_edit_the_list_on_its_page_and_others_only_read_it(client, hq, origin_clerk):
    url = reverse("declarations:covered-goods")
    client.force_login(origin_clerk)
    page = client.get(url).content.decode()
    assert 'data-prefix="8418"' in page and 'id="covered-add"' not in page
    assert client.post(url, {"add-hs_prefix": "8451"}).status_code == 403
    client.force_login(hq)
    group = CoveredGroup.objects.get(code="jim")
    bad = client.post(
        url, {"add-group": group.pk, "add-hs_prefix": "x", "add-description": "d", "add-identifier": "serial"}
    )
    assert bad.status_code == 400 and "4 to 10 digits" in bad.content.decode()
    good = {"add-group": group.pk, "add-hs_prefix": "8451.21", "add-description": "خشک‌کن", "add-identifier": "serial"}
    assert client.post(url, good).status_code == 302
    assert CoveredGoods.objects.get(hs_prefix="845121").group == group
    moved = client.post(url, {"date-group": group.pk, "date-mandatory_from": "۱۴۰۵/۰۱/۰۱"})
    assert moved.status_code == 302
    assert CoveredGroup.objects.get(code="jim").mandatory_from == dt.date(2026, 3, 21)


def test_the_registry_check_of_an_imei_is_recorded_with_its_date(client, declaration, origin_clerk, outsider):
    from declarations.models import GoodsSerial

    item = GoodsFactory(declaration=declaration, serials=[VALID_IMEI])
    GoodsSerial.objects.create(value=VALID_IMEI, is_imei=True, declaration=declaration, goods_item=item)
    with pytest.raises(InvalidInput):
        serials.imei_check_record(
            declaration=declaration,
            imei="356938035643817",
            result="registered",
            checked_on=dt.date(2025, 8, 1),
            by=origin_clerk,
        )
    with pytest.raises(NotAllowed):
        serials.imei_check_record(
            declaration=declaration, imei=VALID_IMEI, result="registered", checked_on=dt.date(2025, 8, 1), by=outsider
        )
    client.force_login(origin_clerk)
    url = reverse("declarations:imei-check", args=[declaration.pk])
    response = client.post(
        url,
        {
            "imei-imei": VALID_IMEI,
            "imei-result": "not_registered",
            "imei-checked_on": "1404/05/10",
            "imei-reference": "H-9",
        },
    )
    assert response.status_code == 302
    check = ImeiRegistryCheck.objects.get()
    assert (check.result, check.checked_on, check.by) == ("not_registered", dt.date(2025, 8, 1), origin_clerk)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert f'data-imei-check="{VALID_IMEI}"' in page


def test_signals_hold_only_while_the_declaration_is_open(declaration):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(covered_without_serials=True, invalid_imei=True)
    declaration.refresh_from_db()
    keys = {s.key for s in monitoring.signals_holding(declaration)}
    assert {"covered_without_serials", "invalid_imei"} <= keys
    declaration.status = Status.SETTLED
    keys = {s.key for s in monitoring.signals_holding(declaration)}
    assert not {"covered_without_serials", "invalid_imei"} & keys


@pytest.mark.parametrize("value", ["x<>'", "²", "9" * 5000, ""])
def test_a_remove_posted_to_the_list_removes_nothing(client, hq, value):
    """It was a 500: the value went straight into the query; a code is now removed on its own page only."""
    client.force_login(hq)
    before = CoveredGoods.objects.count()
    response = client.post(reverse("declarations:covered-goods"), {"remove": value})
    assert response.status_code == 400
    assert CoveredGoods.objects.count() == before


def test_the_groups_are_named_in_the_readers_language(client, hq):
    """An English page read «گروه الف · mandatory from 1402/07»: the regulation's groups are named in English."""
    client.force_login(hq)
    page = client.get(reverse("declarations:covered-goods")).content.decode()
    assert "Group A · mandatory from" in page and "Group C · mandatory from" in page
    assert "گروه" not in page  # nor in the group choices of headquarters' forms
    client.cookies["django_language"] = "fa"
    page = client.get(reverse("declarations:covered-goods"), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert "گروه الف ·" in page and "Group A" not in page


def test_removing_a_code_asks_first_names_what_changes_and_is_audited(client, hq, bazargan, tehran):
    """One click on «remove» took a prefix off the national list at once: the button now leads to a page naming
    the prefix and what its removal changes, and only its own button removes it, in the audit trail."""
    _import(_row("DRYER", bazargan, tehran, hs="845121"))
    group = CoveredGroup.objects.get(code="jim")
    covered.goods_add(group=group, hs_prefix="8451", description="خشک‌کن لباس", identifier="serial", by=hq)
    covered.refresh_flags()  # the task runs on commit
    item = CoveredGoods.objects.get(hs_prefix="8451")
    confirm = reverse("declarations:covered-goods-remove", args=[item.pk])
    client.force_login(hq)
    listing = client.get(reverse("declarations:covered-goods")).content.decode()
    assert f'href="{confirm}"' in listing and 'name="remove"' not in listing
    page = client.get(confirm)
    assert page.status_code == 200
    text = page.content.decode()
    assert "8451" in text and "خشک‌کن لباس" in text and "Covered goods without serials" in text
    assert "1 open declaration" in text and f'action="{confirm}"' in text
    client.cookies["django_language"] = "fa"
    persian = client.get(confirm, HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    client.cookies["django_language"] = "en"
    assert "«کالای مشمول بدون شماره سریال»" in persian and "از ۱ اظهارنامهٔ باز" in persian
    assert CoveredGoods.objects.filter(pk=item.pk).exists()  # looking removes nothing
    done = client.post(confirm, {"reason": "خشک‌کن از فهرست بیرون رفت"})
    assert done.status_code == 302 and done["Location"] == reverse("declarations:covered-goods")
    assert not CoveredGoods.objects.filter(hs_prefix="8451").exists()
    covered.refresh_flags()
    assert not TransitDeclaration.objects.get(serial="DRYER").covered_without_serials
    other_hq = UserFactory(username="hq2", role=Role.HQ)
    client.force_login(other_hq)
    trail = client.get(reverse("reports:audit")).content.decode()
    entry = trail[trail.index("خشک‌کن لباس") - 3000 : trail.index("خشک‌کن لباس")]
    entry = entry[entry.rindex("<tr") :]
    assert ">hq<" in entry or "hq " in entry, entry
    assert "8451" in entry


def test_only_headquarters_see_the_removal_page(client, hq, origin_clerk):
    item = CoveredGoods.objects.get(hs_prefix="8418")
    confirm = reverse("declarations:covered-goods-remove", args=[item.pk])
    client.force_login(origin_clerk)
    assert client.get(confirm).status_code == 403
    assert client.post(confirm).status_code == 403
    assert CoveredGoods.objects.filter(pk=item.pk).exists()
    client.force_login(hq)
    assert client.get(reverse("declarations:covered-goods-remove", args=[999999])).status_code == 404


def test_removing_a_code_no_open_declaration_carries_says_so_not_zero(client, hq):
    """With no open declaration holding the signal for the code, the page said «clears now for 0 open
    declarations» («از ۰ اظهارنامهٔ باز»): it now says that no open declaration carries the signal now."""
    item = CoveredGoods.objects.get(hs_prefix="8418")
    confirm = reverse("declarations:covered-goods-remove", args=[item.pk])
    client.force_login(hq)
    client.cookies["django_language"] = "fa"
    persian = client.get(confirm, HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    client.cookies["django_language"] = "en"
    effect = persian.split('id="removal-effect">', 1)[1].split("</p>", 1)[0]
    assert "۰" not in effect and "اکنون هیچ اظهارنامهٔ بازی این هشدار را ندارد." in effect
    english = client.get(confirm).content.decode()
    assert "No open declaration carries this signal now." in english and "0 open" not in english
