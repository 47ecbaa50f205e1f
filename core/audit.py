"""The audit actor: who the audit entries written inside the block are attributed to."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from auditlog.context import set_actor


def actor(by) -> AbstractContextManager:
    """``with actor(by):`` attributes the audit entries written inside to ``by``; with no user (a
    task, a command) it does nothing and the entries keep no actor."""
    return set_actor(by) if by else nullcontext()
