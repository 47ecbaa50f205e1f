"""Models of the declarations app (core.py; foreign.py: the foreign-truck rules; serials.py: the
anti-smuggling rules of issue 15 §2; arrival_reads.py: reviews of an arrival without plate read);
follow-up letters and cases live in ``casework``."""

from .arrival_reads import *  # noqa: F403
from .core import *  # noqa: F403
from .foreign import *  # noqa: F403
from .serials import *  # noqa: F403
