"""The cameras API takes the cameras page's ``?office=CODE``; a parameter a list does not take is named in
words, also when the list takes none («پارامترهای این نشانی: -» read as a typo)."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    api.credentials(HTTP_ACCEPT_LANGUAGE="fa")
    return api


def test_the_cameras_api_lists_one_offices_cameras(inspector, hq, bzg_camera, thr_camera):
    body = _api(hq).get("/api/anpr/cameras/", {"office": "BZG"}).json()
    assert [c["id"] for c in body] == [bzg_camera.pk]
    assert len(_api(hq).get("/api/anpr/cameras/").json()) == 2
    refused = _api(inspector).get("/api/anpr/cameras/", {"office": "THR"})  # another province's office
    assert refused.status_code == 400 and "office" in refused.json()["error"]["fields"]


def test_a_paging_word_on_the_cameras_list_names_the_one_filter_it_takes(hq, bzg_camera):
    refused = _api(hq).get("/api/anpr/cameras/", {"page_size": 5})
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["page_size"] == ["پارامتر ناشناخته؛ پارامترهای این نشانی: office"]


def test_a_list_that_takes_no_parameters_says_so_in_words(hq):
    refused = _api(hq).get("/api/anpr/installation/", {"page_size": 5})
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["page_size"] == ["پارامتر ناشناخته؛ این نشانی پارامتری نمی‌پذیرد"]
