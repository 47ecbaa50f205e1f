"""An empty review queue said it twice, «۰ قرائت در انتظار بررسی است.» above a table saying «موردی برای بررسی
نیست.»; it says it once."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_an_empty_queue_says_so_once(client, dest_clerk, thr_camera):
    client.force_login(dest_clerk)
    for query in ("", "?kind=low_confidence"):
        page = client.get(reverse("anpr:review-queue") + query).content.decode()
        assert page.count("موردی برای بررسی نیست.") == 1
        assert "در انتظار بررسی است" not in page and "data-waiting" not in page
