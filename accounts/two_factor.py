"""Two-factor login with TOTP (django-otp): who must have it, enrolment, verification, recovery codes.

Headquarters, IT and anyone who may enter the admin (staff, superusers) must pass a second factor
before any page; others may enrol from their account page and are then asked for it too. Each
user has at most one confirmed authenticator (a ``TOTPDevice``) and one set of single-use
recovery codes (a ``StaticDevice``). A recovery code is kept only as a keyed digest
(``recovery_digest``): whoever reads the database cannot log in with it; rotating ``SECRET_KEY``
voids the codes, which are then made again from the account page.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import text
from core.dates import ascii_digits

from .models import Role, User

HAS_DEVICE = "_2fa_has_device"  # set at login: this user enrolled, so this session must verify too
FAILED_CODE_SENDER = "accounts.two_factor"  # user_login_failed sent by a wrong code (not a password)
RECOVERY_SHOWN = "_2fa_recovery_codes"  # the codes just made, shown once and dropped
DEVICE_NAME = "authenticator"


def required_for(user) -> bool:
    """HQ, IT and whoever may use the admin must pass a second factor (no query)."""
    return bool(user.is_superuser or user.is_staff or getattr(user, "role", None) in (Role.HQ, Role.IT))


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_digest(code: str) -> str:
    """What is stored for a recovery code: an HMAC of the normalised code, cut to the 16 characters
    django-otp's ``StaticToken.token`` holds (64 bits, more than the code's own 40)."""
    mac = hmac.new(settings.SECRET_KEY.encode(), b"recovery-code:" + normalise(code).encode(), hashlib.sha256)
    return mac.hexdigest()[:16]


# At or under this many recovery codes left, each login with the second factor says to make new ones.
RECOVERY_CODES_LOW = 2


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_codes_low(user: User) -> bool:
    return recovery_codes_left(user) <= RECOVERY_CODES_LOW


def must_verify(request) -> bool:
    """This logged-in session must pass the second factor before any page."""
    user = request.user
    return not user.is_verified() and (required_for(user) or bool(request.session.get(HAS_DEVICE)))


def pending_device(user: User) -> TOTPDevice:
    """The authenticator being enrolled (unconfirmed, made on first sight; its key stays across reloads)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG (made here: no script, no outside service)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg") :]  # no XML declaration inside HTML


def secret_base32(device: TOTPDevice) -> str:
    """The key as an authenticator app's "enter a setup key" wants it, in groups of four."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise(code: str) -> str:
    """What the user typed, as a token: Persian or Arabic digits to ASCII, spaces and dashes dropped."""
    return re.sub(r"[\s\-\u200c]", "", ascii_digits(code or "")).lower()


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str = ""


def _throttled(device) -> str:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return ""
    until = (data or {}).get("locked_until")
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
    return _("Too many wrong codes: wait %(seconds)s seconds and try again.") % {"seconds": text.digits(seconds)}


def _failed(request, user: User) -> None:
    """A wrong code counts as a failed login: the lock-out counts it and the audit trail records it."""
    user_login_failed.send(sender=FAILED_CODE_SENDER, credentials={"username": user.username}, request=request)


def _used_already(device: TOTPDevice, token: str) -> bool:
    """Is this refused code a right one already used? django-otp accepts each time step once (``last_t``):
    the same code typed again within its window (a double submit, a second login) is refused as any wrong
    code, yet the person needs to hear to wait for the next one, not that it is wrong."""
    check = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return check.verify(int(token), device.tolerance) and check.t() <= device.last_t


def verify(request, code: str) -> Outcome:
    """Check a code from the authenticator (six digits) or a recovery code (single use); on success
    the session is verified. Throttled per device (django-otp: 1, 2, 4 … seconds after each wrong code)."""
    user = request.user
    token = normalise(code)
    with transaction.atomic():
        if re.fullmatch(r"\d{6}", token):
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        else:
            device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            ok, error = False, _("The code is not right. Enter the six digits your app shows now, or a recovery code.")
        elif waiting := _throttled(device):
            return Outcome(False, waiting)
        else:
            ok = device.verify_token(token if isinstance(device, TOTPDevice) else recovery_digest(token))
            if ok:
                error = ""
            elif isinstance(device, TOTPDevice) and _used_already(device, token):
                error = _("This code was just used. Wait for the next code your app shows and enter that one.")
            else:
                error = _("The code is not right. Enter the six digits your app shows now, or a recovery code.")
    if not ok:
        _failed(request, user)
        return Outcome(False, error)
    otp_login(request, device)
    request.session[HAS_DEVICE] = True
    return Outcome(True)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ``OTP_RECOVERY_CODES`` new ones; returns them (shown once)."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(settings.OTP_RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_digest(c)) for c in codes)
    return codes


def confirm_enrolment(request, code: str) -> Outcome:
    """Confirm the pending authenticator with a code it shows: it becomes the user's only one, the
    session is verified, and a fresh set of recovery codes is kept in the session to be shown once."""
    user = request.user
    token = normalise(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None:
            return Outcome(False, _("Start the enrolment again: the key shown has expired."))
        if waiting := _throttled(device):
            return Outcome(False, waiting)
        if not re.fullmatch(r"\d{6}", token) or not device.verify_token(token):
            return Outcome(
                False,
                _("The code is not right. Check the time on your phone and enter the six digits your app shows now."),
            )
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user)
    otp_login(request, device)
    request.session[HAS_DEVICE] = True
    request.session[RECOVERY_SHOWN] = codes
    return Outcome(True)


def recovery_codes_for_demo(user: User, written: list[str]) -> list[str]:
    """A demo user's recovery codes (seed_demo writes them beside the password): those written last time
    that still work, while they are all the user has and more than ``RECOVERY_CODES_LOW`` (so that logging in
    does not say few are left); otherwise a new set, made as the account page makes one
    (``new_recovery_codes``: only their digests are stored)."""
    stored = set(StaticToken.objects.filter(device__user=user, device__confirmed=True).values_list("token", flat=True))
    kept = [code for code in written if recovery_digest(code) in stored]
    if len(kept) > RECOVERY_CODES_LOW and len(kept) == len(stored):
        return kept
    return new_recovery_codes(user)


def enrol_for_demo(user: User) -> TOTPDevice:
    """A confirmed authenticator for a demo user (seed_demo), kept if there is one already."""
    device = totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    return device
