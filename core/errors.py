"""Named domain errors. Views answer them with a 4xx, never a silent change."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal. ``fields`` names the fields it is about, each with a short code or the value refused
    (``{"serial": "exists"}``, ``{"status": "settled"}``), for the code that placed it; ``messages`` gives
    the fields' own messages when they differ from the error's (an import row: each bad column its own).
    What a reader is told per field is ``field_messages``."""

    code = "invalid"

    def __init__(self, message: str, *, fields: dict | None = None, messages: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.fields = fields or {}
        self.messages = messages or {}


def field_messages(exc: DomainError) -> dict[str, list[str]]:
    """Each field the error names with its messages, as the API's error body and the forms show them: its
    own (``messages``), else the error's message."""
    return {name: list(exc.messages.get(name) or [str(exc)]) for name in {**exc.fields, **exc.messages}}


class IllegalTransition(DomainError):
    code = "illegal_transition"


class InvalidInput(DomainError):
    code = "invalid"


class FileRejected(InvalidInput):
    """An uploaded file refused for its content (``core.uploads``); ``status`` is the
    HTTP status to answer with: 400, 413 (too large, too many pixels) or 415 (not an accepted kind)."""

    def __init__(self, message: str, *, field: str, code: str = "invalid", status: int = 400):
        super().__init__(message, fields={field: code})
        self.code = code
        self.status = status

    @classmethod
    def from_upload(cls, exc, *, field: str | None = None, name: str = "") -> FileRejected:
        message = f"{name}: {exc.message}" if name else exc.message
        return cls(message, field=field or exc.field, code=exc.code, status=exc.status)


class NotAllowed(IllegalTransition):
    """The user's role or offices may not do this: a 403, not a 409."""

    code = "forbidden"  # core.api.FORBIDDEN: every 403 of the API


def http_status(exc: DomainError) -> int:
    """The HTTP status a domain error is answered with, on a page or in the API: a refused file its
    own (413 too large or too many pixels, 415 not an accepted kind), NotAllowed 403, any other
    illegal move 409, bad input 400."""
    if status := getattr(exc, "status", None):
        return status
    if isinstance(exc, NotAllowed):
        return 403
    if isinstance(exc, IllegalTransition):
        return 409
    return 400
