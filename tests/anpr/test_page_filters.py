"""The plate reader's pages with a filter that is not valid (an office that is none of the user's, a file
format, a column or an order the report does not have): 400 in the app's layout, the error beside the
filters, no rows and no file; never the whole list, the page in place of the file, or a silent default."""

import pytest
from django.urls import reverse

from tests.anpr.test_pages import _read

pytestmark = pytest.mark.django_db


def refused_page(response, label: str, error: str = "Select a valid choice.") -> str:
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")  # the app's page, not a file
    html = response.content.decode()
    assert "<html" in html and 'id="filter-errors"' in html
    errors = html.split('id="filter-errors"', 1)[1].split("</div></div>", 1)[0]
    assert f"<strong>{label}</strong>: {error}" in errors
    return html


@pytest.mark.parametrize("office", ["NOPE", "THR", "SRK"])  # unknown; another province's (Tehran, Khorasan)
def test_a_camera_office_that_is_none_of_the_users_shows_no_cameras(
    client, inspector, bzg_camera, thr_camera, srk_camera, office
):
    client.force_login(inspector)
    assert 'data-camera="BZG-1"' in client.get("/anpr/cameras/", {"office": "bzg "}).content.decode()
    html = refused_page(client.get("/anpr/cameras/", {"office": office}), "office")
    assert "data-camera=" not in html
    assert "No cameras at your offices." not in html  # it does not say the office has none
    assert f'href="{reverse("anpr:cameras")}"' in html  # the way back to all the user's cameras


@pytest.mark.parametrize("query", [{"format": "docx"}, {"format": "CSV "}])
def test_a_plate_search_in_a_format_that_is_none_gives_no_sightings_and_no_file(client, hq, thr_camera, truck, query):
    _read(thr_camera, truck.plate)
    client.force_login(hq)
    assert client.get("/anpr/plates/", {"q": truck.plate})["Content-Type"].startswith("text/html")
    html = refused_page(client.get("/anpr/plates/", {"q": truck.plate, **query}), "format")
    assert "data-plate=" not in html and "THR-1" not in html


@pytest.mark.parametrize(
    ("code", "query", "label"),
    [
        ("anpr-reads-per-office-day", {"format": "docx"}, "format"),
        ("anpr-reads-per-office-day", {"format": "docx", "sort": "1"}, "format"),
        ("anpr-reads-per-office-day", {"sort": "1"}, "sort"),  # a report that does not sort
        ("anpr-camera-corrections", {"sort": "99"}, "sort"),
        ("anpr-camera-corrections", {"sort": "abc"}, "sort"),
        ("anpr-camera-corrections", {"sort": "1", "dir": "down"}, "sort order"),
    ],
)
def test_a_report_filter_that_is_not_valid_gives_no_rows_and_no_file(client, hq, thr_camera, truck, code, query, label):
    _read(thr_camera, truck.plate)
    client.force_login(hq)
    url = reverse("anpr:report", args=[code])
    assert f'data-report="{code}"' in client.get(url).content.decode()
    html = refused_page(client.get(url, query), label)
    assert "data-report=" not in html and "<tbody>" not in html


def test_a_report_sorts_by_a_column_it_has_either_way(client, hq, thr_camera, truck):
    client.force_login(hq)
    url = reverse("anpr:report", args=["anpr-camera-corrections"])
    for query in ({"sort": "0"}, {"sort": "2", "dir": "desc"}, {"sort": "2", "dir": "asc"}, {"dir": "desc"}):
        assert client.get(url, query).status_code == 200


@pytest.mark.persian
def test_a_plate_reader_filter_error_is_in_the_pages_language(client, inspector, bzg_camera):
    client.force_login(inspector)
    html = client.get("/anpr/cameras/", {"office": "NOPE"}).content.decode()
    assert "<strong>گمرک</strong>: یک گزینهٔ معتبر انتخاب کنید" in html
    url = reverse("anpr:report", args=["anpr-camera-corrections"])
    html = client.get(url, {"sort": "1", "dir": "down"}).content.decode()
    assert "<strong>ترتیب</strong>: یک گزینهٔ معتبر انتخاب کنید" in html


def test_the_reads_api_names_an_office_code_that_is_no_office(client, inspector, dest_clerk, bzg_camera, truck):
    """``?office=NOPE`` answered ``[]`` (200): a client took it for an office with no reads."""
    _read(bzg_camera, truck.plate)
    client.force_login(inspector)
    response = client.get("/api/anpr/reads/search/", {"office": "NOPE"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["office"] and "NOPE" in response.json()["error"]["message"]
    assert len(client.get("/api/anpr/reads/search/", {"office": "bzg"}).json()["results"]) == 1
    client.force_login(dest_clerk)  # Tehran sees Bazargan's read of its truck: another office's code is no error
    assert len(client.get("/api/anpr/reads/search/", {"office": "BZG"}).json()["results"]) == 1
    assert client.get("/api/anpr/reads/search/", {"office": "THR"}).json()["results"] == []
