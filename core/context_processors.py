"""What the user may do, for menus, links and buttons: the same predicates the views and services
check, so a page never offers what the action would refuse."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

# Offer → the app's own predicate (user → bool), by dotted path as settings name things.
PREDICATES = {
    "import": "declarations.views_import.may_import",
    "register": "declarations.views_register.may_open_register",
    "inspect": "reports.services.may_record_inspections",
    "build_returns": "reports.services.may_build_some_return",
    "release_lockouts": "accounts.services.may_release_lockouts",
    "read_audit": "reports.audit.may_read_audit",
    "use_api": "accounts.services.uses_api",
    "see_all_exports": "core.models.sees_every_export",
}


@cache
def _predicate(path: str):
    return import_string(path)


def may(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"may": {}}
    return {"may": {offer: _predicate(path)(user) for offer, path in PREDICATES.items()}}


def uploads(request) -> dict:
    """For the upload forms: whether to say that malware scanning is off on this installation."""
    from core import malware

    return {"malware_scanning_off": not malware.enabled()}
