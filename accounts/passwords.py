"""Password rules as Django ships them, their counts written in the page's digits.

Django's own Persian messages format the minimum length with ``%d`` (``حداقل از 10 حرف``);
the rest of the page writes numbers in Persian digits (``core.text.digits``).
"""

from __future__ import annotations

from django.contrib.auth import password_validation

from core.text import digits


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return digits(super().get_error_message())

    def get_help_text(self) -> str:
        return digits(super().get_help_text())
