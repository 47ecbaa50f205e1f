"""The notification centre: a person's own notifications, each opening what it is about."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import read_filters
from core.paging import numbered_page
from core.redirects import local_next, to_login

from . import services
from .forms import EmailPreferencesForm, NotificationFilterForm
from .models import EmailPreference, Notification


@login_required
def notification_list(request):
    form, data = read_filters(NotificationFilterForm, request)
    counts = {
        "open": Notification.objects.filter(user=request.user).open().count(),
        "unread": services.unread_count(request.user),
    }
    context = {"form": form, "counts": counts}
    if data is None:  # a filter that is not valid: the error beside it and no notifications, never all of them
        return render(request, "notifications/list.html", {**context, "page": None, "invalid": True}, status=400)
    show, kind = data["show"] or "open", data["kind"]
    rows = Notification.objects.filter(user=request.user)
    if show == "open":
        rows = rows.open()
    if kind:
        rows = rows.filter(kind=kind)
    page = numbered_page(request, rows, size=30)
    return render(request, "notifications/list.html", {**context, "page": page, "show": show, "kind": kind})


@require_GET
def bell(request):
    """The bell alone, for a page that stays open (its htmx refresh every 30 s): one count, the person's own.

    Logged out meanwhile (elsewhere, or idle): the whole page goes to the login page (``to_login``), never
    the login page inside the bell."""
    if not request.user.is_authenticated:
        return to_login(request)
    html = render_to_string("notifications/_bell.html", {"unread_notifications": services.unread_count(request.user)})
    return HttpResponse(html.strip())


@login_required
def notification_open(request, pk: int):
    """Mark it read and go to what it is about (only one's own: another's is 404)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_read(notification)
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()}):
        return redirect("notifications:list")
    return redirect(notification.url)


@login_required
@require_POST
def notification_done(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_done(notification)
    messages.success(request, _("Marked as done."))
    return redirect(local_next(request, request.POST.get("next")) or "notifications:list")


@login_required
@require_POST
def notification_all_read(request):
    services.mark_all_read(request.user)
    return redirect("notifications:list")


@login_required
def email_preferences(request):
    current = list(EmailPreference.objects.filter(user=request.user).values_list("kind", flat=True))
    # Every box unticked posts nothing: still a submission (it clears the choices).
    form = EmailPreferencesForm(request.POST if request.method == "POST" else None, initial={"kinds": current})
    if request.method == "POST" and form.is_valid():
        services.set_email_kinds(request.user, form.cleaned_data["kinds"])
        messages.success(request, _("Your e-mail choices were saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
        status=400 if form.errors else 200,
    )
