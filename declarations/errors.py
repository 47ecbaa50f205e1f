"""Named domain errors. Views answer them with a 4xx, never a silent change."""

from __future__ import annotations


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message: str, *, fields: dict | None = None):
        super().__init__(message)
        self.fields = fields or {}


class IllegalTransition(DomainError):
    code = "illegal_transition"


class InvalidInput(DomainError):
    code = "invalid"
