"""Fetch one object within the user's scope, or 404: the only way views get objects."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _


def get_scoped_or_404(queryset, user, **lookup):
    try:
        return queryset.for_user(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


def get_scoped_or_invalid(queryset, user, field: str, **lookup):
    """The object a request's body names in ``field`` (not its path): absent or outside the scope is
    a bad value of that field (400 naming it), the same answer both ways, never a 404 of the address."""
    try:
        return queryset.for_user(user).get(**lookup)
    except queryset.model.DoesNotExist:
        what = queryset.model._meta.verbose_name
        raise ValidationError({field: [_("No %(what)s with this id in your scope.") % {"what": what}]}) from None
