"""The admin's cameras list at 1366 px was wider than its box: ten columns, some held on one line (an office's long
name), so in a right-to-left page the last one («ابتدای توکن») started hidden and the table scrolled sideways, while
a camera's code («BZG-CAM-01») broke at its hyphen. The list now has fewer, shorter columns (a camera's place on its
own page, its state in one column), and the code is held on one line as every identifier is."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from accounts.models import User
from anpr.models import Camera

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


@pytest.fixture
def admin_client(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    return client


def _table(html: str) -> str:
    return re.search(r'<table id="result_list".*?</table>', html, re.S)[0]


def _headers(table: str) -> list[str]:
    heads = re.findall(r'<th scope="col".*?</th>', table, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", h).strip() for h in heads[1:]]  # after the select-all box


def test_the_cameras_list_has_few_short_columns_and_holds_the_code_on_one_line(admin_client, bzg_camera):
    Camera.objects.filter(pk=bzg_camera.pk).update(code="BZG-CAM-01")
    html = admin_client.get(reverse("admin:anpr_camera_changelist")).content.decode()
    table = _table(html)
    assert _headers(table) == ["کد", "گمرک", "خط تردد", "جهت", "وضعیت", "آخرین قرائت", "توکن"]
    row = re.search(r"<tr>.*?</tr>", table.split("<tbody>")[1], re.S)[0]
    # the code in the identifiers' box, which no line breaks
    assert re.search(r'<th class="field-\w+"><a [^>]*><bdi dir="ltr" class="ident ident-camera">BZG-CAM-01</bdi>', row)
    # the office's name may wrap (Django holds a foreign key's cell on one line)
    assert re.search(r'<td class="field-\w+">گمرک بازرگان</td>', row)
    sheet = re.search(r'<link href="/static/(anpr/admin\.css)"', html)
    assert sheet, "the list loads the stylesheet that holds identifiers on one line"
    with open(finders.find(sheet[1]), encoding="utf-8") as css:
        assert re.search(r"\.ident\s*\{[^}]*white-space:\s*nowrap", css.read())


def test_a_camera_under_maintenance_or_retired_says_so_where_its_health_was(admin_client, bzg_camera):
    Camera.objects.filter(pk=bzg_camera.pk).update(status=Camera.Status.MAINTENANCE, health=Camera.Health.OK)
    table = _table(admin_client.get(reverse("admin:anpr_camera_changelist")).content.decode())
    assert ">در دست تعمیر</td>" in table
    Camera.objects.filter(pk=bzg_camera.pk).update(status=Camera.Status.ACTIVE, health=Camera.Health.SILENT)
    table = _table(admin_client.get(reverse("admin:anpr_camera_changelist")).content.decode())
    assert ">بدون قرائت</td>" in table


def test_the_lane_is_in_persian_digits_on_a_persian_page(admin_client, bzg_camera):
    Camera.objects.filter(pk=bzg_camera.pk).update(lane="1")
    table = _table(admin_client.get(reverse("admin:anpr_camera_changelist")).content.decode())
    assert re.search(r'<td class="field-lane\w*">۱</td>', table)


def test_an_english_page_gives_the_times_in_latin_digits(client, hq, bzg_camera, settings):
    """The English list wrote «۱۴۰۵/۰۹/۱۳ ۰۹:۳۰» and the lane «1» beside it: the page's language's digits."""
    import datetime as dt

    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    Camera.objects.filter(pk=bzg_camera.pk).update(last_read_at=dt.datetime(2026, 12, 4, 6, tzinfo=dt.UTC), lane="1")
    table = _table(client.get(reverse("admin:anpr_camera_changelist")).content.decode())
    assert "1405/09/13 09:30" in table and not re.search("[۰-۹]", table)
