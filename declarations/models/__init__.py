"""Models of the declarations app: the core (core.py) and the follow-up casework (casework.py)."""

from .casework import *  # noqa: F403
from .core import *  # noqa: F403
