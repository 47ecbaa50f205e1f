"""The per-camera corrections report's column of reads corrected though no reason of the review queue held
for them read «اصلاح‌شده: بررسی‌شده به‌دست کاربر» beside «بررسی‌شده», explaining nothing; it says where the
reads were, and the explanation under the title says what every column counts."""

import pytest
from django.utils import translation

from anpr.reports import CameraCorrections

pytestmark = pytest.mark.django_db
URL = "/anpr/reports/anpr-camera-corrections/"


@pytest.mark.persian
def test_no_column_is_explained_by_itself(client, hq):
    """«اصلاح‌شده: بررسی‌شده به‌دست کاربر» beside «بررسی‌شده» said nothing: the column of reads corrected
    though no reason of the review queue held for them says so, and the explanation says what it counts."""
    with translation.override("fa"):
        headers = [str(h) for h in CameraCorrections.headers]
        explanation = str(CameraCorrections.explanation)
    assert "اصلاح‌شده: بررسی‌شده به‌دست کاربر" not in headers
    assert "اصلاح‌شده: بیرون از صف بررسی" in headers
    assert "«اصلاح‌شده: بیرون از صف بررسی»" in explanation
    assert "قرائت‌ها:" in explanation  # every column said, the reads too
    client.force_login(hq)
    page = client.get(URL).content.decode()
    assert "اصلاح‌شده: بیرون از صف بررسی" in page and "اصلاح‌شده: بررسی‌شده به‌دست کاربر" not in page
