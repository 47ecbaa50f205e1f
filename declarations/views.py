"""Dashboard pages. Function views that read top to bottom: scoped fetch, form, service, redirect."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from accounts.scoping import get_scoped_or_404

from . import monitoring
from .models import TransitDeclaration


@login_required
def home(request):
    scoped = TransitDeclaration.objects.for_user(request.user)
    counts = monitoring.signal_counts(scoped)
    signals = [(sig, counts[key]) for key, sig in monitoring.SIGNALS.items()]
    return render(request, "declarations/home.html", {"signals": signals})


@login_required
def declaration_detail(request, pk: int):
    declaration = get_scoped_or_404(
        TransitDeclaration.objects.select_related("origin", "destination", "vehicle"), request.user, pk=pk
    )
    return render(request, "declarations/detail.html", {"declaration": declaration})


def hello(request):
    """Plain JSON baseline for the dashboard benchmark: no database, no session."""
    return JsonResponse({"hello": "world"})
