"""Keyset paging, as the declaration pages and API import it: the code lives in ``core.paging``
(the export jobs' list, in ``core``, pages with it too)."""

from core.paging import PAGE_SIZE, BadCursor, Page, keyset_page

__all__ = ["PAGE_SIZE", "BadCursor", "Page", "keyset_page"]
