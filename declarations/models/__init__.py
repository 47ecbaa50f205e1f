"""Models of the declarations app (core.py; foreign.py: the foreign-truck rules); follow-up letters and
cases live in ``casework``."""

from .core import *  # noqa: F403
from .foreign import *  # noqa: F403
