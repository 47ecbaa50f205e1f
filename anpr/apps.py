from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnprConfig(AppConfig):
    name = "anpr"
    verbose_name = _("Anpr")
