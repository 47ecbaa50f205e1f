"""Wrong two-factor codes count toward the lock-out, but its page spoke of failed logins as if the
password had failed, and sent the IT office's own locked account to the IT office. Its release read
«حذف تلاش ورود it @ 127.0.0.1 · Failed Logins: ۱۲» in the audit trail and its XLSX (a deletion, an English
label): now «قفل ورود … برداشته شد» with the count in Persian digits."""

import io

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import load_workbook

from accounts import services
from accounts.lockout import lockout_response
from reports import audit

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_the_lockout_page_covers_a_wrong_code_and_who_releases_an_it_account(settings):
    settings.AXES_FAILURE_LIMIT = 10
    request = RequestFactory().post("/accounts/login/", {"username": "it"})
    body = lockout_response(request, {"username": "it"}).content.decode()
    assert "رمز عبور یا کد تأیید دومرحله‌ای نادرست" in body
    assert "مدیر سامانه" in body and "دفتر فاوا" in body


def _release(it_officer):
    AccessAttempt.objects.create(
        username="it",
        ip_address="127.0.0.1",
        user_agent="test",
        attempt_time=timezone.now(),
        failures_since_start=12,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    assert services.lockout_release(username="it", ip_address="127.0.0.1", by=it_officer) == 12


@pytest.mark.persian
def test_the_audit_trail_says_the_lock_was_released_with_the_count(client, it_officer, hq):
    _release(it_officer)
    client.force_login(hq)
    page = client.get("/reports/audit/").content.decode().split('id="audit"', 1)[1].split("</table>", 1)[0]
    assert "قفل ورود" in page and "برداشته شد" in page and "۱۲" in page
    assert "Failed Logins" not in page and "حذف" not in page

    out = io.BytesIO()
    audit.write_export(audit.entries_for(hq, {}), "xlsx", out)
    cells = [
        str(c) for row in load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True) for c in row
    ]
    text = " ".join(cells)
    assert "برداشته شد" in text and "۱۲" in text and "Failed Logins" not in text
