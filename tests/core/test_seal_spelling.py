"""One Persian spelling of "seal", «پلمپ» as DESIGN.md's glossary gives it, on every page, message and the monthly
return: the catalogue wrote it «پلمپ» in most places and «پلمب» in one, so a search of the page for one missed the other."""

import datetime as dt
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from declarations import services
from reports.labels import REASON_LABELS

OTHER_SPELLING = "پلمب"


def _catalogue() -> dict:
    mo = Path(settings.BASE_DIR) / "locale" / "fa" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as fh:
        return gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]


def test_no_persian_message_spells_seal_the_other_way():
    catalogue = _catalogue()
    assert [text for text in catalogue.values() if OTHER_SPELLING in text] == []
    assert "پلمپ" in catalogue["Seals intact"]
    assert OTHER_SPELLING not in REASON_LABELS["seal_discrepancy"]


@pytest.mark.persian
@pytest.mark.django_db
def test_the_arrival_form_says_seal_one_way(client, dest_clerk, declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert "پلمپ‌ها سالم است" in page and OTHER_SPELLING not in page
