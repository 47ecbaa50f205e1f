"""The scan fixtures (a departed declaration, a finished suspicious comparison) are used here too."""

from tests.scans.conftest import _fresh_cache, departed, done_comparison  # noqa: F401
