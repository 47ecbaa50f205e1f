"""The review queue told the IT office, who may not read plates, «آنچه وارد می‌کنید با نام شما ثبت می‌شود»; that
sentence is for those who may read them, and the IT office is told it sees the queue without reading."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
YOURS = "آنچه وارد می‌کنید با نام شما ثبت می‌شود"


@pytest.mark.persian
def test_only_those_who_may_read_plates_are_told_their_reading_is_kept(client, dest_clerk, hq, it_officer, thr_camera):
    for user in (dest_clerk, hq):
        client.force_login(user)
        page = client.get(reverse("anpr:review-queue")).content.decode()
        assert YOURS in page and "data-read-only" not in page
    client.force_login(it_officer)
    page = client.get(reverse("anpr:review-queue")).content.decode()
    assert YOURS not in page
    assert "خوانش‌هایی در گمرک‌ها" in page and "data-read-only" in page
