"""Sessions: idle and absolute limits, the list of open sessions and ending the others, the account
page's last logins, the password change, Argon2."""

import re
import time

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from accounts import logins
from accounts.models import LoginRecord

PASSWORD = "correct-horse-battery"


def login_from(address, username, agent="Firefox/128.0"):
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


def age(client, **seconds_ago):
    """Move this session's marks into the past (no waiting: the clock is what the session says)."""
    session = client.session
    for mark, ago in seconds_ago.items():
        session[{"started": logins.STARTED, "seen": logins.SEEN}[mark]] = int(time.time()) - ago
    session.save()


def test_a_session_idle_past_the_limit_goes_to_the_login_page_saying_why(client, origin_clerk, settings):
    settings.SESSION_IDLE_SECONDS = 1800
    client.force_login(origin_clerk)
    age(client, seen=1801)

    response = client.get(reverse("declarations:list"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "after a period without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginRecord.objects.get(user=origin_clerk).ended_reason == LoginRecord.Ended.IDLE


def test_activity_slides_the_idle_limit_but_not_the_lifetime(client, origin_clerk, settings):
    settings.SESSION_IDLE_SECONDS = 1800
    settings.SESSION_COOKIE_AGE = 10 * 3600
    client.force_login(origin_clerk)
    age(client, started=9 * 3600, seen=1700)

    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session[logins.SEEN] < 60  # the request slid the idle limit

    age(client, started=10 * 3600 + 1)  # busy all day: the lifetime still ends it
    response = client.get(reverse("home"), follow=True)
    assert "maximum lifetime" in response.content.decode()
    assert LoginRecord.objects.get(user=origin_clerk).ended_reason == LoginRecord.Ended.EXPIRED


def test_a_user_sees_their_sessions_and_ends_another(origin_clerk, dest_clerk):
    office = login_from("198.51.100.7", "origin_clerk", agent="Firefox/128.0")
    home = login_from("203.0.113.9", "origin_clerk", agent="Chrome/140.0")
    stranger = login_from("198.51.100.8", "dest_clerk")

    page = office.get(reverse("accounts:sessions")).content.decode()
    assert "203.0.113.9" in page and "Chrome/140.0" in page and "this session" in page
    assert "198.51.100.8" not in page  # someone else's
    other = LoginRecord.objects.get(user=origin_clerk, ip_address="203.0.113.9")
    theirs = LoginRecord.objects.get(user=dest_clerk)

    office.post(reverse("accounts:sessions"), {"session": theirs.pk})  # not mine: nothing happens
    assert stranger.get(reverse("home")).status_code == 200
    office.post(reverse("accounts:sessions"), {"session": other.pk})

    ended = home.get(reverse("home"), follow=True)
    assert "ended from another session" in ended.content.decode()
    assert "_auth_user_id" not in home.session
    assert office.get(reverse("home")).status_code == 200
    assert list(logins.open_sessions(origin_clerk).values_list("ip_address", flat=True)) == ["198.51.100.7"]


def test_end_all_other_sessions_keeps_this_one(origin_clerk):
    first, second, third = (login_from(f"198.51.100.{n}", "origin_clerk") for n in (1, 2, 3))

    third.post(reverse("accounts:sessions"))

    assert first.get(reverse("home")).status_code == 302
    assert second.get(reverse("home")).status_code == 302
    assert third.get(reverse("home")).status_code == 200


def test_logging_out_ends_the_record(client, origin_clerk):
    client.force_login(origin_clerk)
    client.post(reverse("logout"))

    assert LoginRecord.objects.get(user=origin_clerk).ended_reason == LoginRecord.Ended.LOGOUT


def test_changing_the_password_ends_the_other_sessions(origin_clerk):
    here, there = login_from("198.51.100.1", "origin_clerk"), login_from("198.51.100.2", "origin_clerk")

    response = here.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )

    assert response.status_code == 302
    assert here.get(reverse("home")).status_code == 200
    assert there.get(reverse("home")).status_code == 302
    ended = LoginRecord.objects.get(user=origin_clerk, ip_address="198.51.100.2")
    assert ended.ended_reason == LoginRecord.Ended.PASSWORD_CHANGED


def test_a_weak_new_password_is_refused_on_its_field(client, origin_clerk):
    client.force_login(origin_clerk)

    response = client.post(
        reverse("accounts:password"), {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"}
    )

    assert response.status_code == 400
    assert "too short" in response.content.decode()
    origin_clerk.refresh_from_db()
    assert origin_clerk.check_password(PASSWORD)


@pytest.mark.persian
def test_the_account_page_lists_last_logins_failed_ones_too_in_jalali(origin_clerk):
    Client(REMOTE_ADDR="198.51.100.66").post(reverse("login"), {"username": "origin_clerk", "password": "wrong"})
    client = login_from("198.51.100.7", "origin_clerk")

    page = client.get(reverse("accounts:account")).content.decode()

    assert "198.51.100.66" in page and "198.51.100.7" in page
    assert "گذرواژه نادرست" in page  # the failed one says why
    assert "۱۴۰" in page  # a Jalali year in Persian digits
    assert reverse("accounts:password") in page and reverse("accounts:sessions") in page


def test_an_old_pbkdf2_password_still_works_and_is_rehashed_with_argon2(client, origin_clerk, settings):
    import transit_monitor.settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS  # the suite uses a fast hasher; here the real list
    origin_clerk.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    origin_clerk.save()

    assert client.post(reverse("login"), {"username": "origin_clerk", "password": PASSWORD}).status_code == 302

    origin_clerk.refresh_from_db()
    assert origin_clerk.password.startswith("argon2$")


def test_login_records_past_their_keeping_go_each_night_and_the_audit_trail_keeps_the_logins(origin_clerk, settings):
    import datetime as dt

    from auditlog.models import LogEntry
    from django.utils import timezone

    from accounts.tasks import login_records_prune

    settings.LOGIN_RECORD_KEEP_DAYS = 30
    login_from("10.0.0.5", "origin_clerk")
    Client(REMOTE_ADDR="10.0.0.6").post(reverse("login"), {"username": "origin_clerk", "password": "wrong"})
    old, failed = LoginRecord.objects.filter(user=origin_clerk).order_by("id")
    LoginRecord.objects.filter(pk=failed.pk).update(at=timezone.now() - dt.timedelta(days=31))
    LoginRecord.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=29))

    assert login_records_prune.apply().get() == 1  # the task beat runs each night

    assert list(LoginRecord.objects.filter(user=origin_clerk)) == [old]
    logged = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__access="login failed")
    assert logged.exists()  # the failed login is still in the audit trail


def test_a_keeping_shorter_than_a_session_never_drops_an_open_session(origin_clerk, settings):
    settings.LOGIN_RECORD_KEEP_DAYS = 0
    login_from("10.0.0.5", "origin_clerk")
    assert logins.login_records_prune() == 0
    assert logins.open_sessions(origin_clerk).count() == 1


@pytest.mark.persian
def test_the_password_rules_count_in_the_pages_digits(client, origin_clerk):
    client.force_login(origin_clerk)

    page = client.get(reverse("accounts:password")).content.decode()
    response = client.post(
        reverse("accounts:password"), {"old_password": PASSWORD, "new_password1": "x-3", "new_password2": "x-3"}
    )

    help_text = re.search(r'<div class="form-text">(.*?)</div>', page, re.S)[1]
    assert "۱۰" in help_text and "10" not in help_text
    errors = " ".join(re.findall(r'<div class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', response.content.decode()))
    assert response.status_code == 400 and "۱۰" in errors and "10" not in errors


@pytest.mark.persian
def test_a_too_short_new_password_is_refused_in_persian(client, origin_clerk):
    """Django 5.2 writes this message with ``%d``; its own Persian has ``%(min_length)d``, so it stayed English."""
    client.force_login(origin_clerk)
    response = client.post(
        reverse("accounts:password"), {"old_password": PASSWORD, "new_password1": "kq7#", "new_password2": "kq7#"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "گذرواژه کوتاه است: دست‌کم ۱۰ نویسه لازم است." in page and "too short" not in page
