"""Which upload the scans page offers: only one the declaration's status lets the office add now."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def page(client, declaration) -> str:
    return client.get(reverse("scans:declaration", args=[declaration.pk])).content.decode()


def stage_options(html: str) -> list[str]:
    select = re.search(r'<select name="stage".*?</select>', html, re.S)
    return re.findall(r'<option value="([a-z]+)"', select.group(0)) if select else []


def test_the_destination_is_not_offered_an_upload_before_the_truck_has_left(client, declaration, dest_clerk):
    client.force_login(dest_clerk)
    html = page(client, declaration)  # registered: the truck has not left the origin
    assert 'id="scan-upload-form"' not in html
    assert "cannot be added" in html and "registered" in html  # says why, instead of a form that fails


def test_the_destination_gets_the_form_once_the_truck_has_left(client, departed, dest_clerk):
    client.force_login(dest_clerk)
    html = page(client, departed)
    assert stage_options(html) == ["destination"]
    assert "cannot be added" not in html


def test_the_origin_keeps_its_form_while_registered(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    html = page(client, declaration)
    assert stage_options(html) == ["origin"]
    assert "cannot be added" not in html
