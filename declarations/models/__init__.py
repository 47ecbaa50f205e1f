"""Models of the declarations app (core.py); follow-up letters and cases live in ``casework``."""

from .core import *  # noqa: F403
