"""Fetch one object within the user's scope, or 404: the only way views get objects."""

from django.http import Http404


def get_scoped_or_404(queryset, user, **lookup):
    try:
        return queryset.for_user(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
