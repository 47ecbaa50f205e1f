"""The API's JSON renderer (its own module: DRF reads its settings while ``core.api`` imports DRF's views)."""

from rest_framework import renderers

from core.text import ISOLATE_MARKS


class JSONRenderer(renderers.JSONRenderer):
    """The API's JSON as plain text: without the isolate marks (U+2066..U+2069) that keep a serial or a plate
    in its order inside a Persian sentence on a page. A program reading the JSON, or a CSV made from it, showed
    them raw, and matched no serial it held. Pages keep them: the text is the same, only the marks go here."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = super().render(data, accepted_media_type, renderer_context)
        for mark in ISOLATE_MARKS:  # written as UTF-8 (UNICODE_JSON), never escaped: its bytes are the mark alone
            out = out.replace(mark.encode(), b"")
        return out
