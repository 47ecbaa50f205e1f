"""Provinces, customs offices, users with a role, and the one scoping rule."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from core.dates import format_jalali
from core.text import is_persian, isolate


class Province(models.Model):
    code = models.CharField(_("code"), max_length=8, unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["name_fa"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised_name(self.name_fa, self.name_en)


def localised_name(name_fa: str, name_en: str) -> str:
    """The English name on English pages (when there is one), the Persian one everywhere else."""
    return name_en if name_en and (get_language() or "").startswith("en") else name_fa


class CustomsOffice(models.Model):
    class Kind(models.TextChoices):
        BORDER = "border", _("border")
        INLAND = "inland", _("inland")
        PORT = "port", _("port")

    code = models.CharField(_("code"), max_length=16, unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="offices", verbose_name=_("province"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    has_anpr = models.BooleanField(_("has ANPR camera"), default=False)
    has_scanner = models.BooleanField(_("has X-ray scanner"), default=False)
    # When the camera / the scanner started feeding this system: an arrival (a departure) before it
    # is not expected to have a plate read (an origin scan). Empty: expected whenever it happened.
    anpr_since = models.DateTimeField(
        _("plate reader in service since"),
        null=True,
        blank=True,
        help_text=_("Arrivals before this time are not flagged for a missing plate read. Empty: all are."),
    )
    scanner_since = models.DateTimeField(
        _("scanner in service since"),
        null=True,
        blank=True,
        help_text=_("Departures before this time are not flagged for a missing origin scan. Empty: all are."),
    )
    # Letters are numbered in the office's own series, e.g. ۱۴۰۴/۱۲۳۴۵.
    letter_prefix = models.CharField(_("letter number prefix"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("customs office")
        verbose_name_plural = _("customs offices")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised_name(self.name_fa, self.name_en)


class Role(models.TextChoices):
    HQ = "hq", _("HQ transit office")
    IT = "it", _("IT office")
    INSPECTOR = "inspector", _("provincial inspector")
    OFFICE = "office", _("office staff")
    INTEGRATION = "integration", _("integration client")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OFFICE)
    office = models.ForeignKey(
        CustomsOffice, null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name=_("office")
    )
    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT, related_name="inspectors", verbose_name=_("province")
    )
    title = models.CharField(_("job title"), max_length=150, blank=True)
    # The language chosen with the pages' switch (``views_account.set_language``): e-mails are written in it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        if self.role == Role.INSPECTOR and not self.province_id:
            raise ValidationError({"province": _("A provincial inspector needs a province.")})
        if self.role == Role.OFFICE and not self.office_id:
            raise ValidationError({"office": _("Office staff need an office.")})

    @property
    def is_machine(self) -> bool:
        """An integration client (ICS) is a machine account: it uses the API with its token, never the web pages."""
        return self.role == Role.INTEGRATION

    @property
    def is_national(self) -> bool:
        """HQ and IT see the whole country; so does a national integration client (ICS)."""
        if self.is_superuser or self.role in (Role.HQ, Role.IT):
            return True
        return self.role == Role.INTEGRATION and not self.office_id and not self.province_id

    @property
    def reach(self) -> str:
        """Whose offices the user's scope holds, for a page naming them (``scope_q``): "national" (every
        office), "province" (the province's offices), "office" (the user's own)."""
        if self.is_national:
            return "national"
        if self.role == Role.INSPECTOR or (self.role == Role.INTEGRATION and self.province_id):
            return "province"
        return "office"

    def scope_q(self, *office_paths: str) -> Q:
        """Q limiting rows to what this user may see.

        ``office_paths`` name the office foreign keys that put a row in scope,
        e.g. ``("origin", "destination")`` for declarations or ``("camera__office",)``
        for plate reads: an inspector sees rows whose office is in the province,
        office staff rows of their own office. Fails closed: a user with no
        office or province sees nothing.
        """
        if not self.is_active:
            return Q(pk__in=[])
        if self.is_national:
            return Q()
        q = Q(pk__in=[])
        if self.role == Role.INSPECTOR or (self.role == Role.INTEGRATION and self.province_id):
            if self.province_id:
                for path in office_paths:
                    q |= Q(**{f"{path}__province_id": self.province_id})
            return q
        if self.office_id:
            for path in office_paths:
                q |= Q(**{f"{path}_id": self.office_id})
        return q

    def can_see_office(self, office: CustomsOffice) -> bool:
        if self.is_national:
            return True
        if self.role == Role.INSPECTOR or (self.role == Role.INTEGRATION and self.province_id):
            return office.province_id == self.province_id
        return office.pk == self.office_id


class ScopedQuerySet(models.QuerySet):
    """Mixin for querysets of rows that belong to offices; subclasses name the paths."""

    scope_paths: tuple[str, ...] = ()

    def for_user(self, user) -> ScopedQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user.scope_q(*self.scope_paths))


_OFFICES_TTL = 300.0
_offices: tuple[float, dict[int, CustomsOffice]] | None = None


def offices_by_id() -> dict[int, CustomsOffice]:
    """Every office with its province, kept per process for five minutes: 37 rows that change a
    few times a year, joined into nearly every page otherwise (and each join costs planning time)."""
    global _offices
    now = time.monotonic()
    if _offices is None or now - _offices[0] > _OFFICES_TTL:
        _offices = (now, {o.pk: o for o in CustomsOffice.objects.select_related("province")})
    return _offices[1]


def forget_offices(**_kwargs) -> None:
    global _offices
    _offices = None


models.signals.post_save.connect(forget_offices, sender=CustomsOffice)
models.signals.post_save.connect(forget_offices, sender=Province)
models.signals.post_delete.connect(forget_offices, sender=CustomsOffice)


class LoginRecord(models.Model):
    """One login attempt of a known user: a success opens a session (listed until it ends), a failure
    (a wrong password or a wrong second-factor code) is kept for the user's account page.

    The session is named by the SHA-256 of its key, never the key itself: this table shows who is
    logged in where, and must not hand out a way in.
    """

    class Failure(models.TextChoices):
        PASSWORD = "password", _("wrong password")
        CODE = "code", _("wrong two-factor code")

    class Ended(models.TextChoices):
        LOGOUT = "logout", _("logged out")
        IDLE = "idle", _("idle too long")
        EXPIRED = "expired", _("lifetime over")
        BY_USER = "by_user", _("ended from another session")
        PASSWORD_CHANGED = "password_changed", _("password changed")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_records", verbose_name=_("user"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    succeeded = models.BooleanField(_("succeeded"))
    failure = models.CharField(_("failure"), max_length=16, choices=Failure.choices, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    session_key_hash = models.CharField(_("session (SHA-256 of its key)"), max_length=64, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_reason = models.CharField(_("how it ended"), max_length=16, choices=Ended.choices, blank=True)

    class Meta:
        verbose_name = _("login")
        verbose_name_plural = _("logins")
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "-at"], name="accounts_login_user_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(succeeded=True, failure="") | Q(succeeded=False) & ~Q(failure=""),
                name="accounts_login_failure_iff_failed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {format_jalali(self.at)} {'ok' if self.succeeded else self.failure}"

    @property
    def is_open(self) -> bool:
        return self.succeeded and self.ended_at is None


# --- API tokens ------------------------------------------------------------------------------------

TOKEN_PREFIX_LEN = 10  # the public part of a key: looks the token up, shown in lists and audit entries


def hash_api_key(key: str) -> str:
    """Keys carry 256 random bits, so an unsalted SHA-256 keeps them out of the database safely."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now: dt.datetime | None = None) -> ApiTokenQuerySet:
        """Neither revoked nor expired at ``now`` (a rotated token may be revoked in the future: its grace)."""
        now = now or timezone.now()
        return self.filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=now)).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A key of the API (``Authorization: Token <key>``), stored only as its SHA-256.

    The key is ``prefix`` + a secret; the prefix is public (it finds the row and names the token
    in lists and audit entries), the whole key is shown once when issued and never again.
    Tokens are not deleted: revoked or expired, they still name who did what with them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("label"), max_length=100, blank=True)
    prefix = models.CharField(_("key starts with"), max_length=TOKEN_PREFIX_LEN, unique=True, editable=False)
    key_hash = models.CharField(_("SHA-256 of the key"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    rotated_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rotated_to",
        verbose_name=_("replaces token"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    STR_RELATED = ("user",)  # what ``__str__`` follows: read with the rows when many are named (the audit trail)

    def __str__(self) -> str:
        # In the reader's language (the admin, an audit entry's subject), the prefix and the username isolated:
        # Latin in a Persian line keeps its order. The audit seal names the token by ``via_ref``.
        return gettext("token %(prefix)s of %(username)s") % {
            "prefix": isolate(f"{self.prefix}…"),
            "username": isolate(self.user.username if self.user_id else "?"),
        }

    @property
    def via_ref(self) -> str:
        """The token as an audit seal names the request it came with (``core.audit``): stored with the entry
        and hashed into the chain, so the same text in every language, as every seal since the first has it."""
        return f"token {self.prefix}… of {self.user.username if self.user_id else '?'}"

    def matches(self, key: str) -> bool:
        """Constant-time comparison of ``key`` with the stored hash."""
        return hmac.compare_digest(hash_api_key(key), self.key_hash)

    def refusal(self, now: dt.datetime | None = None) -> str:
        """Why this token may not be used now ("" when it may)."""
        now = now or timezone.now()
        # In the reader's language: the key's prefix isolated (Latin in a Persian sentence), the time in Jalali.
        if self.revoked_at is not None and self.revoked_at <= now:
            return gettext("Token %(prefix)s was revoked at %(at)s (Tehran time)") % {
                "prefix": isolate(f"{self.prefix}…"),
                "at": format_jalali(self.revoked_at, persian=is_persian()),
            }
        if self.expires_at is not None and self.expires_at <= now:
            return gettext("Token %(prefix)s expired at %(at)s (Tehran time)") % {
                "prefix": isolate(f"{self.prefix}…"),
                "at": format_jalali(self.expires_at, persian=is_persian()),
            }
        return ""
