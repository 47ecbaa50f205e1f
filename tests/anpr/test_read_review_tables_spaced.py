"""The read-review page's «خوانش‌های انسانی» table ran its headers together («زمان توسط پلاک پیش از آن دلیل بررسی
یادداشت»): a narrow table with Bootstrap's small cells and one empty row. Its headers (and the candidates' table beside
it) now have the spaced header cells of the app's other tables (``table-dense``: padding, a minimum width)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest
from anpr.models import PlateRead
from tests import files

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def test_the_people_reads_table_has_spaced_header_cells(client, dest_clerk, thr_camera):
    at = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    item = ingest.ReadInput(captured_at=at, plate_raw="82ج61173", confidence=0.5, photo=files.jpeg((320, 240)))
    (r,) = ingest.reads_ingest(camera=thr_camera, items=[item])
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:read-review", args=[PlateRead.objects.get(pk=r.id).pk])).content.decode()
    table = re.search(r"<table[^>]*data-labels.*?</thead>", page, re.S)[0]
    assert "table-dense" in table.split(">", 1)[0]
    assert '<thead class="table-light">' in table
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", table)
    assert headers == ["زمان", "توسط", "پلاک", "پیش از آن", "دلیل بررسی", "یادداشت"]
    assert table.count('<th scope="col">') == 6
