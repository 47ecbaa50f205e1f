"""Plate-reader model versions: the list with their metrics, training runs started from the page (with
their progress, polled), and an administrator's roll-back to a version that was in use before."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotAllowed

from . import registry, retraining
from .forms import RollbackForm, TrainingForm
from .models import RecognitionModel, TrainingRun


def _check_viewer(user) -> None:
    if not registry.may_change_models(user):
        raise PermissionDenied(str(registry.WHO_ROLLS_BACK))


@login_required
def models_page(request):
    """Every version (newest first) with its held-out figures; the runs; the actions the user may take."""
    _check_viewer(request.user)
    versions = list(RecognitionModel.objects.select_related("promoted_by").order_by("-version"))
    runs = list(TrainingRun.objects.select_related("started_by", "candidate").order_by("-created_at", "-id")[:10])
    return render(
        request,
        "anpr/models.html",
        {
            "versions": versions,
            "runs": runs,
            "may_train": registry.may_train(request.user),
            "training_form": TrainingForm(
                initial={"steps": retraining.DEFAULTS["steps"], "synth": retraining.DEFAULTS["synth"]}
            ),
            "running": any(r.active for r in runs),
        },
    )


@login_required
@require_POST
def training_start(request):
    if not registry.may_train(request.user):
        raise PermissionDenied(str(retraining.WHO_TRAINS))
    form = TrainingForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("anpr:models")
    try:
        run = retraining.training_start(by=request.user, options=form.cleaned_data)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("anpr:models")
    messages.success(request, _("Training started: you will be notified when it ends."))
    return redirect("anpr:training-run", pk=run.pk)


@login_required
def training_run(request, pk: int):
    """A run and its progress; while it runs, its progress part polls itself (htmx, every 2 s)."""
    _check_viewer(request.user)
    run = get_object_or_404(TrainingRun.objects.select_related("started_by", "candidate"), pk=pk)
    template = "anpr/_training_progress.html" if request.GET.get("partial") else "anpr/training_run.html"
    return render(request, template, {"run": run})


@login_required
@require_POST
def model_rollback(request, pk: int):
    """Put back a version that was in use before, saying why (audited)."""
    _check_viewer(request.user)
    model = get_object_or_404(RecognitionModel, pk=pk)
    form = RollbackForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        registry.model_rollback(model=model, by=request.user, reason=reason)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("anpr:models")
    messages.success(request, _("Version %(v)s is in use again.") % {"v": model.version})
    return redirect("anpr:models")
