"""Provinces and offices are listed in one order on every page, their names' in the Persian alphabet
(``core.text.name_sort_key``). An outside walk found the declarations' filter and the trend's provinces in code
point order (…هرمزگان، کردستان، کرمان…: Unicode puts ک and گ after ه), the build form's in the alphabet's, and
the office lists and the return's «by province» table (page, PDF, XLSX) in the order of the Latin codes. The
return's stored figures keep their order (they are sealed): it is sorted as it is shown."""

import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Role
from anpr.forms import CameraForm
from declarations.filters import DeclarationFilter
from declarations.forms import PermitStopForm
from declarations.models import TransitDeclaration
from reports import exports, returns, services
from reports.views import ActionForm, InspectionForm, ProblemForm, TrendFilterForm
from tests.factories import OfficeFactory, ProvinceFactory, UserFactory

# By code: GIL HRM KRD KRM; by name: کردستان کرمان گیلان هرمزگان.
PROVINCES = [("GIL", "گیلان", "Gilan"), ("HRM", "هرمزگان", "Hormozgan"), ("KRD", "کردستان", "Kurdistan")]
PROVINCES += [("KRM", "کرمان", "Kerman")]
IN_NAME_ORDER = ["کردستان", "کرمان", "گیلان", "هرمزگان"]
# By code: ARD BSH EAZ; by name: گمرک اردبیل، گمرک ارومیه، گمرک بوشهر.
OFFICES = [("ARD", "گمرک اردبیل"), ("BSH", "گمرک بوشهر"), ("EAZ", "گمرک ارومیه")]
OFFICES_IN_NAME_ORDER = ["گمرک اردبیل", "گمرک ارومیه", "گمرک بوشهر"]


@pytest.fixture
def places(db):
    provinces = {code: ProvinceFactory(code=code, name_fa=fa, name_en=en) for code, fa, en in PROVINCES}
    for code, fa in OFFICES:
        OfficeFactory(code=code, name_fa=fa, name_en=code, province=provinces["GIL"])
    return provinces


def _labels(field) -> list[str]:
    return [str(label) for value, label in field.choices if value != ""]


def _only(labels: list[str], among: list[str]) -> list[str]:
    return [label for label in labels if label in among]


@pytest.mark.persian
def test_the_declarations_filter_lists_provinces_and_offices_by_name(places, hq):
    form = DeclarationFilter({}, queryset=TransitDeclaration.objects.none()).form
    assert _only(_labels(form.fields["province"]), IN_NAME_ORDER) == IN_NAME_ORDER
    for name in ("office", "origin", "destination"):
        assert _only(_labels(form.fields[name]), OFFICES_IN_NAME_ORDER) == OFFICES_IN_NAME_ORDER, name


@pytest.mark.persian
def test_the_trend_lists_provinces_by_name(client, places, hq):
    assert _only(_labels(TrendFilterForm(user=hq).fields["province"]), IN_NAME_ORDER) == IN_NAME_ORDER
    client.force_login(hq)
    page = client.get(reverse("reports:trend")).content.decode()
    assert sorted(IN_NAME_ORDER, key=page.index) == IN_NAME_ORDER


@pytest.mark.persian
def test_the_office_lists_are_by_name(places, hq):
    it = UserFactory(username="it2", role=Role.IT)
    for form, name in (
        (InspectionForm(user=hq), "office"),
        (ActionForm(user=hq), "responsible_office"),
        (ProblemForm(user=hq), "office"),
        (CameraForm(user=it), "office"),
        (PermitStopForm(), "office"),
    ):
        labels = _only(_labels(form.fields[name]), OFFICES_IN_NAME_ORDER)
        assert labels == OFFICES_IN_NAME_ORDER, (type(form).__name__, name, labels)


@pytest.fixture
def figures(places):
    figures = returns.build_figures(1404, 5, None)
    zero = dict.fromkeys(returns.BALANCE_KEYS, 0)
    figures["provinces"] = [{"province": code, **zero} for code, _fa, _en in PROVINCES]  # stored: by code
    return figures


@pytest.mark.persian
def test_the_return_page_lists_its_provinces_by_name(client, hq, figures):
    snap = services.return_build(year=1404, month=5, province=None, by=hq)
    stored = {**snap.figures, "provinces": figures["provinces"]}
    type(snap).objects.filter(pk=snap.pk).update(figures=stored)
    client.force_login(hq)
    page = client.get(reverse("reports:return", args=[snap.pk])).content.decode()
    table = page[page.index('id="provinces"') :]
    table = table[: table.index("</table>")]
    assert sorted(IN_NAME_ORDER, key=table.index) == IN_NAME_ORDER
    snap.refresh_from_db()
    assert [p["province"] for p in snap.figures["provinces"]] == ["GIL", "HRM", "KRD", "KRM"]  # as sealed


def test_the_return_xlsx_lists_its_provinces_by_name(figures):
    buf = io.BytesIO()
    exports.write_xlsx(figures, buf)
    buf.seek(0)
    rows = list(openpyxl.load_workbook(buf)["استان‌ها"].iter_rows(values_only=True))[1:]
    assert [r[0].split(" (")[0] for r in rows] == IN_NAME_ORDER
    assert [p["province"] for p in figures["provinces"]] == ["GIL", "HRM", "KRD", "KRM"]  # the figures unchanged


def test_the_return_pdf_lists_its_provinces_by_name(figures, monkeypatch):
    seen = {}
    real = exports.render_to_string

    def capture(template, context, *args, **kwargs):
        seen.update(context)
        return real(template, context, *args, **kwargs)

    monkeypatch.setattr(exports, "render_to_string", capture)
    exports.render_pdf(figures)
    assert [str(row[0]).split(" (")[0] for row in seen["provinces"]] == IN_NAME_ORDER


def test_the_return_xlsx_lists_the_offices_compliance_by_name(figures):
    figures["scan_compliance"]["offices"] = [
        {"office": code, "departed": 1, "origin_scanned_in_time": 1, "arrived": 1, "reviewed": 1}
        for code, _fa in OFFICES
    ]
    figures["plate_compliance"]["offices"] = [{"office": code, "arrived": 1, "sighted": 1} for code, _fa in OFFICES]
    buf = io.BytesIO()
    exports.write_xlsx(figures, buf)
    buf.seek(0)
    rows = list(openpyxl.load_workbook(buf)["انطباق"].iter_rows(values_only=True))[1:]
    for kind in ("اسکن", "پلاک‌خوان"):
        assert [r[1].split(" (")[0] for r in rows if r[0] == kind] == OFFICES_IN_NAME_ORDER, kind
