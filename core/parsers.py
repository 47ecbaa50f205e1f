"""The API's JSON parser: what no field can store is a 400 naming where it is, never a 500.

JSON may carry text that is not valid Unicode (a lone surrogate such as ``"\\ud800"``: UTF-8 cannot
encode it, so the database driver fails on it) or a NUL (``"\\u0000"``: PostgreSQL refuses it in
text). Form fields and query strings are checked by ``core.middleware.RejectNulMiddleware``; JSON
bodies are checked here, keys and values, at any depth (walked without recursion). A body nested
too deeply to parse is a parse error too.
"""

from __future__ import annotations

import json
import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.text import digits

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnstorableText(ParseError):
    """A key or text value no field can store; ``field`` is where it is (``goods[0].description``),
    named in the error body's ``fields`` (core/api.py), or empty for the body itself."""

    def __init__(self, detail: str, *, field: str):
        super().__init__(detail)
        self.field = field


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error: nested too deeply.")) from None
        except ParseError as exc:  # DRF's "JSON parse error - …" is English whatever the request's language
            raise ParseError(_unparsable(exc.__context__) or exc.detail) from None
        if data is None:  # DRF answers a JSON null with "No data provided", in English
            raise ParseError(_("The body is JSON null: send a JSON object."))
        check_text(data)
        return data


def _unparsable(cause) -> str:
    """Where the body stops being JSON, in the request's language (DRF's parser raised on ``cause``)."""
    if isinstance(cause, json.JSONDecodeError):
        where = {"line": digits(cause.lineno), "column": digits(cause.colno)}
        return _("The body is not valid JSON: line %(line)s, column %(column)s.") % where
    if isinstance(cause, UnicodeDecodeError):
        return _("The body is not UTF-8 text.")
    if isinstance(cause, ValueError):  # NaN or Infinity, which JSON has no word for
        return _("The body is not valid JSON: %(error)s.") % {"error": cause}
    return ""


def check_text(data) -> None:
    """Raise ``ParseError`` at the first key or text value holding a NUL or a lone surrogate."""
    todo: list[tuple[str, object]] = [("", data)]
    while todo:
        where, value = todo.pop()
        if isinstance(value, str):
            _check(where, value)
        elif isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else str(key)
                _check(path, str(key))
                todo.append((path, item))
        elif isinstance(value, list):
            todo.extend((f"{where}[{i}]", item) for i, item in enumerate(value))


def _check(where: str, text: str) -> None:
    found = _UNSTORABLE.search(text)
    if found is None:
        return
    shown = _UNSTORABLE.sub("?", where)[:120] or _("the body")
    if found[0] == "\x00":
        message = _("“%(name)s” contains a NUL character (\\u0000), which no field accepts.")
    else:
        message = _("“%(name)s” contains a lone surrogate (\\u%(code)04x): not valid Unicode text.")
    raise UnstorableText(message % {"name": shown, "code": ord(found[0])}, field=shown if where else "")
