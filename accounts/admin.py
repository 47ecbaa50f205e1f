"""Admin for offices, users and API tokens; the login records read-only (the audit trail's is core's);
django-otp's authenticator devices and backup codes and axes' login attempts in the page's language with
Jalali dates."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin_utils import EvidenceAdmin, jalali, number, titled
from core.dates import format_jalali

from . import services
from .models import ApiToken, CustomsOffice, Province, User


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fa", "name_en")
    search_fields = ("code", "name_fa", "name_en")


@admin.register(CustomsOffice)
class CustomsOfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fa", "name_en", "province", "kind", "has_anpr", "has_scanner")
    list_filter = ("kind", "province", "has_anpr", "has_scanner")
    search_fields = ("code", "name_fa", "name_en")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "office", "province", "is_active")
    list_filter = ("role", "province", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role and scope"), {"fields": ("role", "office", "province", "title")}),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Never deleted, only deactivated: audit entries name their actor (core.audit, docs/audit.md).
        return False

    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ("role", "office", "province", "title")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by ``manage.py issue_token`` or ``POST /api/token/``; here they are listed,
    relabelled, rotated (the new key shown once) and revoked. Never deleted: they name who used them."""

    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at", "last_used_ip", "revoked_at")
    list_filter = ("user__role",)
    search_fields = ("=prefix", "user__username", "name")
    fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "created_by",
        "expires_at",
        "last_used_at",
        "last_used_ip",
        "revoked_at",
        "rotated_from",
    )
    readonly_fields = tuple(f for f in fields if f != "name")
    actions = ["revoke", "rotate"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke (the token stops working now)"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token, by=request.user)
        messages.success(request, _("The selected tokens are revoked."))

    @admin.action(description=_("Rotate (a new token; the old one stops working now)"))
    def rotate(self, request, queryset):
        for token in queryset:
            if reason := token.refusal():
                messages.error(request, reason)
                continue
            new, key = services.api_token_rotate(token=token, by=request.user)
            messages.warning(request, _("New key of %(token)s (shown once): %(key)s") % {"token": new, "key": key})


# The login records are evidence: shown, never changed or deleted, here too. (A login lock-out is released
# at /accounts/lockouts/, which records who released it.) The audit trail's admin is ``core.admin``'s: it
# hides a reader's own entries, as the audit page does; registering it again here replaced it.
class _LoginRecordColumns:
    """The columns axes' records share, under headers in the page's language (axes has no Persian catalogue)."""

    @admin.display(description=_("IP address"), ordering="ip_address")
    def attempt_ip_address(self, attempt):
        return attempt.ip_address

    @admin.display(description=_("browser (user agent)"), ordering="user_agent")
    def attempt_user_agent(self, attempt):
        return attempt.user_agent

    @admin.display(description=_("username"), ordering="username")
    def attempt_username(self, attempt):
        return attempt.username

    @admin.display(description=_("path"), ordering="path_info")
    def attempt_path(self, attempt):
        return attempt.path_info

    @admin.display(description=_("attempt time"))
    def attempt_when(self, attempt):
        return format_jalali(attempt.attempt_time)

    @admin.display(description=_("query string (GET)"))
    def attempt_get_data(self, attempt):
        return attempt.get_data

    @admin.display(description=_("form data (POST)"))
    def attempt_post_data(self, attempt):
        return attempt.post_data

    @admin.display(description=_("accepted content (HTTP Accept)"))
    def attempt_http_accept(self, attempt):
        return attempt.http_accept


# A record's page: its rows under headers in the page's language, the time in Jalali (axes's own rows are
# titled «GET Data», «Meta Data» …). Every row is read-only (``EvidenceAdmin``).
_RECORD = ("attempt_username", "attempt_path", "attempt_user_agent", "attempt_ip_address", "attempt_http_accept")
_BY_PATH = ("path_info", titled(admin.AllValuesFieldListFilter, _("path")))


def _tehran_time(value) -> str:
    return format_jalali(value) if value is not None else "—"


# The record's title (its page's heading, its history, the audit trail's name for it): axes writes its time
# as stored, «Attempted Access: 2025-03-10 06:00:00+00:00»; here in Jalali Tehran time, in the page's language.
AccessAttempt.__str__ = lambda attempt: _("Login attempt of %(user)s at %(at)s") % {  # type: ignore[method-assign]
    "user": attempt.username,
    "at": _tehran_time(attempt.attempt_time),
}
AccessLog.__str__ = lambda log: _("Login of %(user)s at %(at)s") % {  # type: ignore[method-assign]
    "user": log.username,
    "at": _tehran_time(log.attempt_time),
}
AccessFailureLog.__str__ = lambda failure: _("Failed login of %(user)s at %(at)s") % {  # type: ignore[method-assign]
    "user": failure.username,
    "at": _tehran_time(failure.attempt_time),
}


class LoginAttemptAdmin(_LoginRecordColumns, AccessAttemptAdmin):
    """axes' login attempts with headers in the page's language, the time in Jalali and the count in the page's
    digits. Its filter and date drill-down by Gregorian date are left out: the search finds an address, a
    username or a path."""

    list_display = (
        jalali("attempt_time", _("attempt time")),
        "attempt_ip_address",
        "attempt_user_agent",
        "attempt_username",
        "attempt_path",
        number("failures_since_start", _("failed logins")),
    )
    list_filter = [_BY_PATH]
    date_hierarchy = None
    search_help_text = _("Search by IP address, username, browser or path")
    fields = ("attempt_when", *_RECORD, "attempt_failures", "attempt_get_data", "attempt_post_data")
    attempt_failures = staticmethod(number("failures_since_start", _("failed logins")))
    fieldsets = None
    readonly_fields = fields


class LoginLogAdmin(_LoginRecordColumns, AccessLogAdmin):
    """axes' log of logins as its login attempts are shown (``LoginAttemptAdmin``): no filter or drill-down by
    Gregorian date."""

    list_display = (
        jalali("attempt_time", _("attempt time")),
        jalali("logout_time", _("logout time")),
        "attempt_ip_address",
        "attempt_username",
        "attempt_user_agent",
        "attempt_path",
    )
    list_filter = [_BY_PATH]
    date_hierarchy = None
    search_help_text = LoginAttemptAdmin.search_help_text
    fields = ("attempt_when", "logout_when", *_RECORD)
    fieldsets = None
    readonly_fields = fields

    @admin.display(description=_("logout time"))
    def logout_when(self, log):
        return _tehran_time(log.logout_time)


class LoginFailureAdmin(_LoginRecordColumns, AccessFailureLogAdmin):
    """axes' failed logins as its login attempts are shown, with whether each locked the account out."""

    list_display = (
        jalali("attempt_time", _("attempt time")),
        "attempt_ip_address",
        "attempt_username",
        "attempt_user_agent",
        "attempt_path",
        "attempt_locked_out",
    )
    list_filter = [("locked_out", titled(admin.BooleanFieldListFilter, _("locked out"))), _BY_PATH]
    date_hierarchy = None
    search_help_text = LoginAttemptAdmin.search_help_text
    fields = ("attempt_when", *_RECORD, "attempt_locked_out")
    fieldsets = None
    readonly_fields = fields

    @admin.display(description=_("locked out"), ordering="locked_out", boolean=True)
    def attempt_locked_out(self, failure):
        return failure.locked_out


for _model, _admin in (
    (AccessAttempt, LoginAttemptAdmin),
    (AccessLog, LoginLogAdmin),
    (AccessFailureLog, LoginFailureAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(f"Evidence{_admin.__name__}", (EvidenceAdmin, _admin), {}))


class AuthenticatorDeviceAdmin(TOTPDeviceAdmin):
    """django-otp's list of TOTP devices with headers in the page's language (the package's field names
    are not marked for translation, and renaming the fields would be a migration of its app) and Jalali
    dates. Its filters by Gregorian month and year are left out: one device per user needs none."""

    list_display = [
        "device_user",
        "device_name",
        jalali("created_at", _("created on")),
        jalali("last_used_at", _("last used on")),
        "device_confirmed",
    ]
    list_filter = [("confirmed", titled(admin.BooleanFieldListFilter, _("confirmed")))]
    search_help_text = _("Search by the user's username or email address")

    @admin.display(description=_("user"), ordering="user__username")
    def device_user(self, device):
        return device.user

    @admin.display(description=_("device name"), ordering="name")
    def device_name(self, device):
        return device.name

    @admin.display(description=_("confirmed"), ordering="confirmed", boolean=True)
    def device_confirmed(self, device):
        return device.confirmed


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, AuthenticatorDeviceAdmin)


class BackupCodesAdmin(StaticDeviceAdmin):
    """django-otp's backup-code devices as its TOTP devices are shown (``AuthenticatorDeviceAdmin``)."""

    list_display = [
        "device_user",
        "device_name",
        jalali("created_at", _("created on")),
        jalali("last_used_at", _("last used on")),
        "device_confirmed",
    ]
    list_filter = [("confirmed", titled(admin.BooleanFieldListFilter, _("confirmed")))]
    search_help_text = _("Search by the user's username or email address")

    device_user = AuthenticatorDeviceAdmin.device_user
    device_name = AuthenticatorDeviceAdmin.device_name
    device_confirmed = AuthenticatorDeviceAdmin.device_confirmed


if admin.site.is_registered(StaticDevice):
    admin.site.unregister(StaticDevice)
admin.site.register(StaticDevice, BackupCodesAdmin)
