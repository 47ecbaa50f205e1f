"""Dates in forms are Jalali, with a hint; a refused resolve keeps its form (issue 11, item 22)."""

import datetime as dt
import importlib
import re

import pytest
from django import forms

from core.dates import TEHRAN, date_example, datetime_example, persian_digits
from core.errors import InvalidInput
from reports import services
from reports.models import ProblemStatus, Symptom, System, SystemProblem
from tests.core.test_form_style import beside

FORM_MODULES = [
    "declarations.forms",
    "declarations.filters",
    "casework.forms",
    "declarations.views_import",
    "reports.views",
    "scans.forms",
]


def _all_forms():
    for name in FORM_MODULES:
        importlib.import_module(name)
    seen, todo = [], list(forms.Form.__subclasses__())
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(cls.__subclasses__())
    return [
        cls for cls in seen if cls.__module__.split(".")[0] in ("declarations", "casework", "reports", "scans", "anpr")
    ]


def test_no_form_of_the_app_asks_for_an_iso_date():
    """Django's own date fields take ISO (2026-12-02) only: every date field here is Jalali."""
    found = _all_forms()
    assert any(cls.__name__ == "ProblemForm" for cls in found)
    for cls in found:
        for name, field in cls.base_fields.items():
            assert not isinstance(field, forms.DateField | forms.DateTimeField), f"{cls.__name__}.{name}"


@pytest.fixture
def report_form(client, origin_clerk, bazargan):
    client.force_login(origin_clerk)

    def post(since: str):
        return client.post(
            "/reports/problems/new/",
            {
                "system": "ics",
                "symptom": "arrivals_not_visible",
                "office": bazargan.pk,
                "since": since,
                "description": "وصول‌ها دیده نمی‌شوند",
            },
        )

    return post


@pytest.mark.parametrize("since", ["1405/09/09 10:00", "۱۴۰۵/۰۹/۰۹ ۱۰:۰۰", "1405-09-09 10:00"])
def test_the_problem_form_takes_a_jalali_since_in_any_digits(report_form, since):
    response = report_form(since)
    assert response.status_code == 302, response.content.decode()[-2000:]
    problem = SystemProblem.objects.get()
    assert problem.since == dt.datetime(2026, 11, 30, 10, 0, tzinfo=TEHRAN)  # 9 Azar 1405


def test_a_bad_since_is_named_with_the_form_it_takes(report_form):
    response = report_form("yesterday")
    assert response.status_code == 400
    assert datetime_example() in response.content.decode()
    assert not SystemProblem.objects.exists()


@pytest.mark.persian
def test_date_fields_show_a_jalali_hint(client, origin_clerk, inspector, bazargan):
    client.force_login(origin_clerk)
    page = client.get("/reports/problems/new/").content.decode()
    assert f'placeholder="{persian_digits(datetime_example())}"' in page
    client.force_login(inspector)  # the inspection form is the inspector's (#24)
    page = client.get("/reports/inspections/new/").content.decode()
    assert f'placeholder="{persian_digits(date_example())}"' in page


@pytest.fixture
def problem(origin_clerk, bazargan, it_officer):
    return services.problem_report(
        by=origin_clerk,
        system=System.ICS,
        symptom=Symptom.ARRIVALS_NOT_VISIBLE,
        office=bazargan,
        since=dt.datetime(2026, 11, 30, 10, 0, tzinfo=TEHRAN),
        description="ICS shows no arrivals since morning",
    )


def test_an_empty_resolve_keeps_the_form_with_the_error_beside_the_field(client, it_officer, problem):
    client.force_login(it_officer)
    url = f"/reports/problems/{problem.pk}/"
    page = client.post(url, {"action": "resolve", "resolution": "  "})
    html = page.content.decode()
    assert page.status_code == 400
    assert 'name="resolution"' in html and "is-invalid" in html and "Describe the resolution." in html

    # htmx gets the actions block alone, the form still in it.
    part = client.post(url, {"action": "resolve", "resolution": ""}, headers={"HX-Request": "true"})
    html = part.content.decode()
    assert part.status_code == 400 and html.lstrip().startswith('<div id="problem-actions">')
    assert 'name="resolution"' in html and "Describe the resolution." in html
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.NEW

    done = client.post(
        url, {"action": "resolve", "resolution": "سامانه دوباره راه‌اندازی شد"}, headers={"HX-Request": "true"}
    )
    assert done["HX-Redirect"] == url
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RESOLVED
    assert "The problem is resolved." in client.get(url).content.decode()


@pytest.mark.parametrize("typed", ["x", "ok", "   fixed   ", "..........", "- - - - - - !"])
def test_a_resolution_that_says_nothing_is_refused_beside_the_field_naming_it(client, it_officer, problem, typed):
    """An outside walk: IT resolved a problem straight from «new» with «x». A resolution says what was done:
    at least ten characters, refused beside the field as the empty one is; the problem stays as it was."""
    client.force_login(it_officer)
    url = f"/reports/problems/{problem.pk}/"
    page = client.post(url, {"action": "resolve", "resolution": typed})
    html = page.content.decode()
    assert page.status_code == 400
    beside = html.split('name="resolution"', 1)[1]
    assert (
        "Describe the resolution in at least 10 letters or digits: what was done, or why nothing needed doing" in beside
    )
    assert "(punctuation marks are not counted)" in beside
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.NEW and problem.resolution == ""


@pytest.mark.persian
def test_the_scan_form_offers_the_capture_time_in_persian_digits(client, origin_clerk, declaration):
    client.force_login(origin_clerk)
    page = client.get(f"/scans/declaration/{declaration.pk}/").content.decode()
    value = page.split('name="captured_at"', 1)[1].split(">", 1)[0]
    assert re.search(r'value="[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}"', value), value
    assert f'placeholder="{persian_digits(datetime_example())}"' in value


def _report_with(client, bazargan, serials: str):
    return client.post(
        "/reports/problems/new/",
        {
            "system": "ics",
            "symptom": "arrivals_not_visible",
            "office": bazargan.pk,
            "since": "1405/09/09 10:00",
            "description": "وصول‌ها دیده نمی‌شوند",
            "serials": serials,
        },
    )


def test_affected_serials_are_read_a_line_each_and_a_wrong_line_is_named_whole(client, origin_clerk, bazargan):
    """«not a serial» on its own line was cut into words and sorted («…, a, not, serial»)."""
    from tests.factories import DeclarationFactory

    known = DeclarationFactory(origin=bazargan)
    client.force_login(origin_clerk)
    response = _report_with(client, bazargan, f"not a serial\n{known.serial}\n1405-XXX-00000000")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not found in your scope: \u2066not a serial\u2069, \u20661405-XXX-00000000\u2069" in page
    assert not SystemProblem.objects.exists()


def test_affected_serials_typed_in_persian_digits_or_with_commas_are_found(client, origin_clerk, bazargan):
    from tests.factories import DeclarationFactory

    first, second = DeclarationFactory(origin=bazargan), DeclarationFactory(origin=bazargan)
    persian = first.serial.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    client.force_login(origin_clerk)
    response = _report_with(client, bazargan, f"{persian}، {second.serial}")
    assert response.status_code == 302, response.content.decode()[:3000]
    problem = SystemProblem.objects.get()
    assert set(problem.declarations.values_list("pk", flat=True)) == {first.pk, second.pk}


@pytest.mark.persian
@pytest.mark.parametrize("field", ["description", "serials"])
def test_a_text_past_its_limit_is_refused_beside_its_field_saying_both_lengths(client, origin_clerk, bazargan, field):
    """A 2 MB description was stored and made its page 2 MB; the serials box had no limit either."""
    client.force_login(origin_clerk)
    data = {
        "system": "ics",
        "symptom": "arrivals_not_visible",
        "office": bazargan.pk,
        "since": "1405/09/09 10:00",
        "description": "وصول‌ها دیده نمی‌شوند",
        field: "x" * 2_000_000,
    }
    response = client.post("/reports/problems/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "حداکثر ۴٬۰۰۰ نویسه؛ ۲٬۰۰۰٬۰۰۰ نوشته شد." in page
    assert not SystemProblem.objects.exists()


def test_the_service_refuses_a_description_past_its_limit(origin_clerk, bazargan):
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        services.problem_report(
            by=origin_clerk,
            system=System.ICS,
            symptom=Symptom.ARRIVALS_NOT_VISIBLE,
            office=bazargan,
            since=dt.datetime(2026, 11, 30, 10, 0, tzinfo=TEHRAN),
            description="x" * (services.PROBLEM_DESCRIPTION_MAX + 1),
        )
    assert "description" in exc.value.fields and "At most 4,000 characters;" in str(exc.value)
    assert not SystemProblem.objects.exists()


def test_a_person_of_one_office_finds_it_chosen_with_no_blank(client, origin_clerk, bazargan):
    client.force_login(origin_clerk)
    page = client.get("/reports/problems/new/").content.decode()
    select = page.split('name="office"', 1)[1].split("</select>", 1)[0]
    assert "---------" not in select
    assert re.search(rf'<option value="{bazargan.pk}"[^>]*selected', select), select


def test_a_person_of_a_province_keeps_the_choice_between_its_offices(client, inspector):
    client.force_login(inspector)
    select = client.get("/reports/problems/new/").content.decode().split('name="office"', 1)[1]
    assert "---------" in select.split("</select>", 1)[0]


@pytest.mark.persian
def test_a_day_too_old_without_its_time_is_refused_as_too_old_not_given_as_the_example(report_form):
    """1300/01/01 with no time: the day is out of range (1390 to today), said first; the «enter the time too»
    hint would offer «۱۳۰۰/۰۱/۰۱ ۱۴:۳۰», an impossible date, as the example."""
    response = report_form("1300/01/01")
    assert response.status_code == 400
    errors = response.context["form"].errors["since"]
    assert errors == ["«\u2066۱۳۰۰/۰۱/۰۱\u2069» خارج از بازه مجاز است (۱۳۹۰ تا امروز)"], errors
    assert "ساعت را هم وارد کنید" not in response.content.decode()
    assert not SystemProblem.objects.exists()


def test_a_day_in_range_without_its_time_still_asks_for_the_time(report_form):
    response = report_form("1404/05/12")
    assert response.status_code == 400
    assert response.context["form"].errors["since"] == ["Enter the time too (Tehran time), like 1404/05/12 14:30."]


@pytest.mark.persian
@pytest.mark.parametrize("description", ["x", "  کند   است  ", "...........", "؟؟؟؟؟؟؟؟؟؟؟؟"])
def test_a_description_that_says_nothing_is_refused_beside_the_field(client, origin_clerk, bazargan, description):
    """«x» reached the IT office's queue: a problem is described in at least ten characters."""
    client.force_login(origin_clerk)
    data = {
        "system": "ics",
        "symptom": "arrivals_not_visible",
        "office": bazargan.pk,
        "since": "1405/09/09 10:00",
        "description": description,
    }
    response = client.post("/reports/problems/new/", data)
    assert response.status_code == 400
    beside(response.content.decode(), "id_description", "اشکال را دست‌کم در ۱۰ حرف یا رقم شرح دهید")
    assert not SystemProblem.objects.exists()
    with pytest.raises(InvalidInput, match="دست‌کم در ۱۰ حرف یا رقم") as refused:
        services.problem_report(
            by=origin_clerk,
            system=System.ICS,
            symptom=Symptom.ARRIVALS_NOT_VISIBLE,
            office=bazargan,
            since=dt.datetime(2026, 11, 30, 10, 0, tzinfo=TEHRAN),
            description=description,
        )
    assert refused.value.fields == {"description": "too short"}
    assert not SystemProblem.objects.exists()


def test_a_resolution_past_its_limit_is_refused_beside_the_field_and_nobody_is_told(
    client, it_officer, problem, origin_clerk
):
    """An outside walk: 200,000 characters were taken as a resolution and copied into the reporter's notification,
    the audit and the CSV. Past 4,000 it is refused beside the field, both lengths said; nothing changes."""
    SystemProblem.objects.filter(pk=problem.pk).update(reported_by=origin_clerk)
    client.force_login(it_officer)
    url = f"/reports/problems/{problem.pk}/"
    page = client.post(url, {"action": "resolve", "resolution": "سامانه دوباره راه‌اندازی شد. " * 8000})
    assert page.status_code == 400
    beside = page.content.decode().split('name="resolution"', 1)[1]
    assert "At most 4,000 characters; " in beside
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.NEW and problem.resolution == ""
    from notifications.models import Notification

    assert not Notification.objects.filter(user=origin_clerk).exists()


def test_the_service_refuses_a_resolution_past_its_limit(it_officer, problem):
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        services.problem_resolve(problem=problem, by=it_officer, resolution="y" * (services.PROBLEM_RESOLUTION_MAX + 1))
    assert exc.value.fields == {"resolution": "too long"} and "At most 4,000 characters;" in str(exc.value)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.NEW
