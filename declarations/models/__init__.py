"""Models of the declarations app (core.py; serials.py: the anti-smuggling rules of issue 15 §2); follow-up letters and cases live in ``casework``."""

from .core import *  # noqa: F403
from .serials import *  # noqa: F403
