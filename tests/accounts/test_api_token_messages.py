"""A person's or a system's API token refused (the header written wrong, a key no token has, a token expired or
revoked, its user deactivated, a rotation refused) is told in the request's language, the key's prefix and
the username isolated, a time in Jalali, Tehran time, in the reader's digits. They were English whatever the
language, with a UTC time."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role
from accounts.services import api_token_issue, api_token_revoke, api_token_rotate
from core.dates import format_jalali
from core.errors import InvalidInput
from core.text import strip_isolates
from tests.factories import UserFactory

pytestmark = pytest.mark.persian
LIST = "/api/declarations/"
LRI, PDI = "\u2066", "\u2069"


@pytest.fixture
def ics(db):
    return UserFactory(username="ics", role=Role.HQ)


def _refusal(header: str) -> str:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(LIST, HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 401
    return response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token nonsense-that-is-long-enough-to-have-a-prefix", "توکن ناشناخته است."),
        ("Token a b", f"توکن را به شکل {LRI}Authorization: Token <key>{PDI} بفرستید: یک کلید، بی‌فاصله."),
    ],
)
def test_a_wrong_header_or_key_is_told_in_persian(db, header, message):
    assert _refusal(header) == strip_isolates(message)  # the API's JSON is plain text (core/renderers.py)


def test_an_expired_token_says_when_in_jalali_and_persian_digits(ics):
    token, key = api_token_issue(user=ics, name="ICS nightly import")
    expired = timezone.now() - dt.timedelta(hours=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=expired)
    assert _refusal(f"Token {key}") == (
        f"توکن {token.prefix}… در {format_jalali(expired)} (به وقت تهران) منقضی شده است: توکن تازه بخواهید."
    )


def test_a_revoked_token_says_so_in_persian_and_cannot_be_rotated(ics, hq):
    token, key = api_token_issue(user=ics, name="ICS nightly import")
    api_token_revoke(token=token, by=hq)
    assert "باطل شده است: توکن تازه بخواهید." in _refusal(f"Token {key}")
    token.refresh_from_db()
    with pytest.raises(InvalidInput, match="این توکن را نمی‌توان تعویض کرد: .*باطل شده است"):
        api_token_rotate(token=token, by=hq)


def test_a_token_of_a_deactivated_user_names_the_user_isolated(ics):
    _token, key = api_token_issue(user=ics, name="ICS nightly import")
    ics.is_active = False
    ics.save()
    assert _refusal(f"Token {key}") == "کاربر ics غیرفعال است."


def test_a_lifetime_grace_or_user_refused_when_issuing_or_rotating_is_told_in_persian(ics, hq):
    # No page takes these: the IT office meets them at ``manage.py issue_token`` (which runs in the site's
    # language) and through the services; each names its field, as a form beside it would.
    with pytest.raises(CommandError, match=r"^عمر توکن به روز باید ۰ \(بی‌انقضا\) یا بیشتر باشد\.$"):
        call_command("issue_token", "ics", "--days", "-1", stdout=io.StringIO(), stderr=io.StringIO())
    token, _key = api_token_issue(user=ics, name="ICS nightly import")
    with pytest.raises(InvalidInput, match="^مهلت کار توکن قبلی نمی‌تواند منفی باشد.$") as refused:
        api_token_rotate(token=token, by=hq, grace=-dt.timedelta(hours=1))
    assert list(refused.value.fields) == ["grace"]
    ics.is_active = False
    ics.save()
    with pytest.raises(CommandError, match=f"^کاربر {LRI}ics{PDI} غیرفعال است.$"):
        call_command("issue_token", "ics", stdout=io.StringIO(), stderr=io.StringIO())


def test_issue_token_names_an_unknown_user_and_the_new_token_in_persian(ics):
    with pytest.raises(CommandError, match=f"^نام کاربری: کاربری به نام {LRI}nobody{PDI} نیست.$"):
        call_command("issue_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())
    err = io.StringIO()
    call_command("issue_token", "ics", "--days", "7", stdout=io.StringIO(), stderr=err)
    token = ApiToken.objects.get()
    assert err.getvalue() == (
        f"توکن {LRI}{token.prefix}…{PDI} کاربر {LRI}ics{PDI} در {format_jalali(token.expires_at)} (به وقت تهران) "
        "منقضی می‌شود؛ کلید زیر فقط همین اکنون نشان داده می‌شود:\n"
    )
