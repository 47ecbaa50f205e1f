"""django-otp's two device apps under names in the page's language.

The package does not mark its app and model names for translation, so the admin showed OTP_TOTP,
OTP_STATIC and "TOTP devices" on Persian pages. The app labels (``otp_totp``, ``otp_static``), their
tables and migrations stay the package's own; only the names shown change."""

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
