"""The letters list's last column (the «تأخیر در نامه نخست» / «تأخیر در پاسخ» tags) has a header, as every other
column does: it had an empty header cell. In Persian and in English."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from casework import services as casework
from declarations.models import Status
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def _headers(client) -> list[str]:
    page = client.get(reverse("casework:letters")).content.decode()
    head = page.split('<table class="table">', 1)[1].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th>(.*?)</th>", head, re.S)]


@pytest.mark.parametrize(("language", "header"), [("fa", "تأخیر"), ("en", "delay")])
def test_the_late_tags_column_has_a_header(client, bazargan, tehran, origin_clerk, language, header):
    ago = timezone.now() - dt.timedelta(days=10)
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, declared_at=ago, departed_at=ago, deadline=ago
    )
    casework.letter_draft(declaration=declaration, by=origin_clerk)
    client.force_login(origin_clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    headers = _headers(client)
    assert headers[-1] == header, headers
    assert all(headers), headers
