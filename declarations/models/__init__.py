"""Models of the declarations app (core.py; foreign.py: the foreign-truck rules; serials.py: the
anti-smuggling rules of issue 15 §2); follow-up letters and cases live in ``casework``."""

from .core import *  # noqa: F403
from .foreign import *  # noqa: F403
from .serials import *  # noqa: F403
