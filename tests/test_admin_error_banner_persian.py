"""The admin's banner over a refused form speaks Persian on a Persian page, as its field errors do: Django's own
Persian catalogue leaves «Please correct the error(s) below.» untranslated, so ours says it, in both plural forms."""

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


@pytest.fixture
def admin_client(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    return client


def _banner(page: str) -> str:
    return page.split('class="errornote"', 1)[1].split("</p>", 1)[0]


def test_an_empty_tir_park_form_is_refused_with_a_persian_banner(admin_client):
    response = admin_client.post(reverse("admin:declarations_tirpark_add"), {})
    assert response.status_code == 200
    banner = _banner(response.content.decode())
    assert "Please correct" not in banner
    assert "لطفاً خطاهای زیر را اصلاح کنید." in banner, banner


def test_a_single_error_is_named_in_the_singular(admin_client):
    from django.utils.translation import ngettext

    assert ngettext("Please correct the error below.", "Please correct the errors below.", 1) == (
        "لطفاً خطای زیر را اصلاح کنید."
    )
    assert ngettext("Please correct the error below.", "Please correct the errors below.", 2) == (
        "لطفاً خطاهای زیر را اصلاح کنید."
    )
