"""Two-factor login through the real pages: HQ enrols an authenticator before any page, then types
its code at each login; recovery codes work once; office staff may turn it on."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import LoginRecord

PASSWORD = "correct-horse-battery"


def password_login(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password was refused"
    return response


def code(device, drift=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def enrolled(user):
    device = two_factor.enrol_for_demo(user)
    codes = two_factor.new_recovery_codes(user)
    return device, codes


def test_hq_sees_no_page_before_enrolling_an_authenticator(client, hq, declaration):
    password_login(client, "hq")

    for url in (reverse("home"), reverse("declarations:detail", args=[declaration.pk]), "/admin/", "/accounts/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:two-factor-enrol")), url
    # The API through the browser's session is refused as well (a token is another door).
    assert client.get(reverse("api-declaration-list")).status_code == 403


def test_hq_enrols_with_the_qr_code_and_gets_ten_recovery_codes_shown_once(client, hq):
    password_login(client, "hq")
    page = client.get(reverse("accounts:two-factor-enrol"))
    body = page.content.decode()
    assert page.status_code == 200
    assert (
        '<figure class="qr-code"' in body
        and "<svg" in body
        and "<script" not in body.split("<svg", 1)[1].split("</svg>")[0]
    )
    device = TOTPDevice.objects.get(user=hq, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', body).group(1).replace(" ", "")
    from base64 import b32decode

    assert b32decode(secret) == device.bin_key  # the key typed by hand is the one scanned

    response = client.post(reverse("accounts:two-factor-enrol"), {"code": code(device), "next": "/declarations/"})

    assert response.status_code == 302
    codes_page = client.get(response["Location"])
    shown = re.findall(r"<li><code>([a-z2-7]+)</code></li>", codes_page.content.decode())
    assert len(shown) == 10
    stored = sorted(StaticToken.objects.filter(device__user=hq).values_list("token", flat=True))
    assert stored == sorted(two_factor.recovery_digest(c) for c in shown)  # kept as digests only
    assert not set(shown) & set(stored)
    assert 'href="/declarations/"' in codes_page.content.decode()  # then on to the page first asked for
    again = client.get(reverse("accounts:recovery-codes")).content.decode()
    assert not re.findall(r"<li><code>", again)  # shown once only
    assert client.get(reverse("home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_wrong_enrolment_code_is_refused_on_the_field_and_nothing_is_turned_on(client, hq):
    password_login(client, "hq")
    client.get(reverse("accounts:two-factor-enrol"))

    response = client.post(reverse("accounts:two-factor-enrol"), {"code": "000000"})

    assert response.status_code == 400
    assert "The code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=hq, confirmed=True).exists()
    assert not StaticToken.objects.filter(device__user=hq).exists()
    assert client.get(reverse("home")).status_code == 302


def test_an_enrolled_user_types_the_code_after_the_password(client, hq):
    device, _ = enrolled(hq)
    password_login(client, "hq")
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("accounts:two-factor"))

    wrong = client.post(reverse("accounts:two-factor"), {"code": "123 456", "next": "/"})
    assert wrong.status_code == 400
    assert "The code is not right" in wrong.content.decode()
    assert client.get(reverse("home")).status_code == 302

    device.throttle_reset()  # the test's own pause: django-otp waits a second after a wrong code
    right = client.post(reverse("accounts:two-factor"), {"code": code(device), "next": "/reports/trend/"})

    assert right.status_code == 302 and right["Location"] == "/reports/trend/"
    assert client.get(reverse("home")).status_code == 200
    failure = LoginRecord.objects.get(user=hq, succeeded=False)
    assert failure.failure == LoginRecord.Failure.CODE


def test_someone_with_the_password_alone_cannot_replace_the_authenticator(client, hq):
    enrolled(hq)
    password_login(client, "hq")

    response = client.get(reverse("accounts:two-factor-enrol"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two-factor"))
    assert not TOTPDevice.objects.filter(user=hq, confirmed=False).exists()  # no new key was shown
    assert client.get(reverse("accounts:recovery-codes")).status_code == 302
    client.post(reverse("accounts:recovery-codes"))
    assert StaticToken.objects.filter(device__user=hq).count() == 10  # not replaced either


def test_a_recovery_code_lets_in_once(client, hq):
    _, codes = enrolled(hq)
    password_login(client, "hq")
    assert client.post(reverse("accounts:two-factor"), {"code": codes[0].upper()}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))

    password_login(client, "hq")
    reused = client.post(reverse("accounts:two-factor"), {"code": codes[0]})

    assert reused.status_code == 400
    assert client.get(reverse("home")).status_code == 302
    StaticToken.objects.filter(device__user=hq).first().device.throttle_reset()
    assert client.post(reverse("accounts:two-factor"), {"code": codes[1]}).status_code == 302
    assert StaticToken.objects.filter(device__user=hq).count() == 8


def test_after_a_wrong_code_even_the_right_one_waits(client, hq, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute after the first wrong code: no race with the clock
    device, _ = enrolled(hq)
    password_login(client, "hq")
    client.post(reverse("accounts:two-factor"), {"code": "000000"})

    response = client.post(reverse("accounts:two-factor"), {"code": code(device)})

    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_wrong_codes_count_as_failed_logins_and_lock_the_account_out(client, hq, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # only the lock-out under test
    device, _ = enrolled(hq)
    password_login(client, "hq")

    statuses = [client.post(reverse("accounts:two-factor"), {"code": "000000"}).status_code for _ in range(3)]

    assert statuses == [400, 400, 429]
    assert "_auth_user_id" not in client.session  # logged out
    assert LoginRecord.objects.filter(user=hq, failure=LoginRecord.Failure.CODE).count() == 3
    assert client.post(reverse("login"), {"username": "hq", "password": PASSWORD}).status_code == 429


def test_the_admin_asks_staff_for_the_second_factor(client, it_officer):
    it_officer.is_staff = True
    it_officer.save()
    password_login(client, "it_officer")  # the admin has no login form of its own: the app's login

    admin = client.get("/admin/")

    assert admin.status_code == 302 and admin["Location"].startswith(reverse("accounts:two-factor-enrol"))


def test_office_staff_are_not_asked_but_may_turn_it_on(client, origin_clerk):
    password_login(client, "origin_clerk")
    assert client.get(reverse("home")).status_code == 200
    account = client.get(reverse("accounts:account")).content.decode()
    assert reverse("accounts:two-factor-enrol") in account

    client.get(reverse("accounts:two-factor-enrol"))
    device = TOTPDevice.objects.get(user=origin_clerk)
    assert client.post(reverse("accounts:two-factor-enrol"), {"code": code(device)}).status_code == 302
    client.post(reverse("logout"))

    password_login(client, "origin_clerk")
    response = client.get(reverse("home"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two-factor"))


@pytest.mark.persian
def test_the_code_page_speaks_persian_and_takes_persian_digits(client, hq):
    device, _ = enrolled(hq)
    password_login(client, "hq")

    page = client.get(reverse("accounts:two-factor")).content.decode()
    assert "ورود دومرحله‌ای" in page and 'class="navbar-brand"' in page
    persian = code(device).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))

    assert client.post(reverse("accounts:two-factor"), {"code": persian}).status_code == 302


def test_a_code_kept_in_clear_before_the_digests_still_works_once_migrated(client, hq):
    from importlib import import_module

    from django.apps import apps

    device, _ = enrolled(hq)
    static = StaticToken.objects.filter(device__user=hq).first().device
    StaticToken.objects.create(device=static, token="abcd2345")  # as stored before the digests
    import_module("accounts.migrations.0006_hash_recovery_codes").hash_codes(apps, None)

    assert not StaticToken.objects.filter(token="abcd2345").exists()
    password_login(client, "hq")
    assert client.post(reverse("accounts:two-factor"), {"code": "ABCD 2345"}).status_code == 302


@pytest.mark.parametrize("role_user", ["hq", "it_officer"])
def test_before_the_second_factor_the_page_shows_no_menu_no_name_and_no_notifications(client, request, role_user):
    """An outside walk: after the password only, the code page showed the whole menu, the user's full
    name and the unread count. Until the code is typed it shows the app's layout and its form alone."""
    from notifications.models import Kind, Notification

    user = request.getfixturevalue(role_user)
    user.first_name, user.last_name = "Parviz", "Sadeghi"
    user.save()
    Notification.objects.create(user=user, kind=Kind.SCAN_ESCALATED, title="x", body="", url="/")
    device, _ = enrolled(user)
    password_login(client, user.username)

    page = client.get(reverse("accounts:two-factor"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Two-factor login" in body and 'id="two-factor-form"' in body and "Log out" in body
    assert 'class="navbar-brand"' in body  # the app's own layout
    for shown in ("Sadeghi", "Parviz", 'id="bell"', "data-unread", "Declarations", "Dashboard", "Reports"):
        assert shown not in body, shown

    device.throttle_reset()
    client.post(reverse("accounts:two-factor"), {"code": code(device), "next": "/"})
    home = client.get(reverse("home")).content.decode()
    assert "Sadeghi" in home and 'id="bell"' in home and "Declarations" in home  # once through, all of it


def test_before_enrolling_the_required_authenticator_the_page_shows_no_menu(client, hq, origin_clerk):
    hq.last_name = "Sadeghi"
    hq.save()
    password_login(client, "hq")
    body = client.get(reverse("accounts:two-factor-enrol")).content.decode()
    assert "Turn on two-factor login" in body and "Log out" in body
    assert "Sadeghi" not in body and 'id="bell"' not in body and "Declarations" not in body
    client.post(reverse("logout"))
    password_login(client, "origin_clerk")  # office staff turning it on by choice are already in
    assert 'id="bell"' in client.get(reverse("accounts:two-factor-enrol")).content.decode()


def test_a_code_used_twice_is_answered_wait_for_the_next_one(client, hq):
    device, _ = enrolled(hq)
    password_login(client, "hq")
    now = code(device)
    assert client.post(reverse("accounts:two-factor"), {"code": now}).status_code == 302
    client.post(reverse("logout"))

    password_login(client, "hq")
    again = client.post(reverse("accounts:two-factor"), {"code": now})

    assert again.status_code == 400
    body = again.content.decode()
    assert "This code was just used" in body and "wait for the next code" in body.lower()
    assert "The code is not right" not in body
    assert client.get(reverse("home")).status_code == 302
