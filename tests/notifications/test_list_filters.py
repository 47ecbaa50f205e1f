"""The notification list's filters: a value that is not one of the choices is the page with the error
beside that filter and no notifications (400), never every notification in place of the kind asked for."""

import pytest
from django.urls import reverse

from notifications import services
from notifications.messages import Ident, Message
from notifications.models import Kind

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")


@pytest.fixture
def noted(inspector):
    serial = "%(serial)s"
    services.notify(
        Kind.SCAN_ESCALATED, [inspector], title=Message(serial, serial=Ident("serial", "DECL-ESCALATED")), url="/"
    )
    services.notify(
        Kind.SCAN_SUSPICIOUS, [inspector], title=Message(serial, serial=Ident("serial", "DECL-SUSPICIOUS")), url="/"
    )
    return inspector


def test_a_kind_filters_the_list(client, noted):
    client.force_login(noted)
    html = client.get(LIST, {"kind": Kind.SCAN_ESCALATED}).content.decode()
    assert "DECL-ESCALATED" in html and "DECL-SUSPICIOUS" not in html


@pytest.mark.parametrize("query", [{"kind": "no-such-kind"}, {"show": "everything"}])
def test_a_filter_that_is_not_valid_shows_the_error_beside_it_and_no_notifications(client, noted, query):
    client.force_login(noted)
    response = client.get(LIST, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and 'id="notification-filters"' in html
    (name,) = query
    field = html.split(f'name="{name}"', 1)[1].split("</div>", 1)[0]
    assert 'aria-invalid="true"' in html.split(f'name="{name}"', 1)[1].split(">", 1)[0]
    assert "Select a valid choice." in field  # beside the field that is wrong
    assert "DECL-ESCALATED" not in html and "DECL-SUSPICIOUS" not in html


@pytest.mark.persian
def test_the_error_is_in_the_pages_language(client, noted):
    client.force_login(noted)
    response = client.get(LIST, {"kind": "no-such-kind"})
    assert response.status_code == 400
    assert "یک گزینهٔ معتبر انتخاب کنید" in response.content.decode()
