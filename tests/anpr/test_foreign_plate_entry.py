"""A foreign plate typed on the review page: a text that is no plate and a code that is no country are each
refused beside their own field, in the page's language, the typed value kept in its own order."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review, sightings
from anpr.models import PlateLabel, PlateRead
from core.errors import InvalidInput
from core.text import isolate

pytestmark = pytest.mark.django_db


@pytest.fixture
def read(thr_camera):
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw="87و58392")])
    sightings.reads_match(read_ids=[r.id])
    return PlateRead.objects.get(pk=r.id)


def _error_beside(html: str, field: str) -> str:
    after = html.split(f'id="id_{field}"', 1)[1].split("</div>\n    {% endif %}", 1)[0]
    return after.split('class="invalid-feedback d-block" role="alert">', 1)[1].split("</div>", 1)[0]


@pytest.mark.persian
def test_a_foreign_plate_that_is_no_plate_and_a_country_that_is_none_are_refused_beside_their_fields(
    client, dest_clerk, read
):
    client.force_login(dest_clerk)
    response = client.post(
        reverse("anpr:read-review", args=[read.pk]),
        {"kind": "foreign", "foreign_country": "ZZ", "foreign_text": "!!@@"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="alert alert-danger' not in html  # nothing above the form
    assert _error_beside(html, "foreign_text") == f"{isolate('!!@@')} پلاک خارجی نیست: ۲ تا ۱۲ حرف لاتین و رقم."
    assert _error_beside(html, "foreign_country").startswith(f"{isolate('ZZ')} کد هیچ کشور خارجی نیست")
    assert "is not a foreign plate" not in html
    assert not PlateLabel.objects.exists()


def test_a_real_country_and_plate_are_taken(client, dest_clerk, read):
    client.force_login(dest_clerk)
    response = client.post(
        reverse("anpr:read-review", args=[read.pk]),
        {"kind": "foreign", "foreign_country": "tr", "foreign_text": "34 abc 123"},
    )
    assert response.status_code == 302
    label = PlateLabel.objects.get(read=read)
    assert (label.plate, label.country) == ("34ABC123", "TR")


def test_the_service_refuses_a_code_that_is_no_country(dest_clerk, read):
    with pytest.raises(InvalidInput) as exc:
        review.read_label(read=read, by=dest_clerk, plate="34ABC123", country="ZZ")
    assert "country" in exc.value.fields
    assert not PlateLabel.objects.exists()


def _foreign_section(html: str) -> str:
    return html.split("<details", 2)[1].split(">", 1)[0]


def test_choosing_the_foreign_kind_opens_its_section(client, dest_clerk, read):
    """The page's own script opens «A foreign plate» when that kind is chosen (CSP allows no inline
    script); after a refused foreign plate the page itself comes back with it open."""
    client.force_login(dest_clerk)
    url = reverse("anpr:read-review", args=[read.pk])
    html = client.get(url).content.decode()
    assert 'data-opens-for="foreign"' in _foreign_section(html)
    assert " open" not in _foreign_section(html)  # an Iranian plate was read: the section waits closed
    assert '<script src="/static/anpr/plate_entry.js" defer></script>' in html
    script = client.get("/static/anpr/plate_entry.js")
    assert script.status_code == 200
    assert b"data-opens-for" in b"".join(script.streaming_content)

    refused = client.post(url, {"kind": "foreign", "foreign_country": "TR", "foreign_text": ""})
    assert refused.status_code == 400
    assert _foreign_section(refused.content.decode()).endswith(" open")
