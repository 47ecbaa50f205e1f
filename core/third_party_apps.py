"""Third-party apps under names in the page's language: django-otp's two device apps and axes.

These packages do not mark their app (and django-otp its model) names for translation, so the admin
showed AXES, OTP_TOTP, OTP_STATIC and "TOTP devices" on Persian pages. The app labels (``axes``,
``otp_totp``, ``otp_static``), their tables and migrations stay the packages' own; only the names
shown change."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class TwoFactorCodesConfig(TOTPConfig):
    verbose_name = _("Two-factor authenticator apps")

    def ready(self) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # Not the model's Meta (migrations read ``original_attrs``): the name shown only.
        TOTPDevice._meta.verbose_name = _("authenticator device")
        TOTPDevice._meta.verbose_name_plural = _("authenticator devices")


class BackupCodesConfig(StaticConfig):
    verbose_name = _("Two-factor backup codes")

    def ready(self) -> None:
        from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

        StaticDevice._meta.verbose_name = _("backup code list")
        StaticDevice._meta.verbose_name_plural = _("backup code lists")
        StaticToken._meta.verbose_name = _("backup code")
        StaticToken._meta.verbose_name_plural = _("backup codes")


class SignInAttemptsConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts and lockouts")
