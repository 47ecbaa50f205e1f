"""The bell in the navigation bar: how many notifications wait unread."""

from .services import unread_count


def bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
