"""Plate-reader model versions: the list with what each was trained on (its manifest, summarised, and the
whole of it as JSON) and its metrics, training runs started from the page (with their progress, polled),
and an administrator's roll-back to a version that was in use before."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotAllowed
from core.files import serve_export
from core.forms import apply_error
from core.text import digits

from . import manifests, registry, retraining
from .forms import RollbackForm, TrainingForm
from .models import RecognitionModel, TrainingRun


def _check_viewer(user) -> None:
    if not registry.may_change_models(user):
        raise PermissionDenied(str(registry.WHO_SEES_MODELS))


def _page(request, *, training_form: TrainingForm | None = None, rollback: tuple | None = None, status: int = 200):
    """The models page; a form that failed comes back bound, its errors beside its fields (400)."""
    versions = list(RecognitionModel.objects.select_related("promoted_by").order_by("-version"))
    trained_on = manifests.training_data(versions)
    for m in versions:
        m.training = trained_on[m.pk]  # type: ignore[attr-defined]
    runs = list(TrainingRun.objects.select_related("started_by", "candidate").order_by("-created_at", "-id")[:10])
    if training_form is None:
        training_form = TrainingForm(
            initial={"steps": retraining.DEFAULTS["steps"], "synth": retraining.DEFAULTS["synth"]}
        )
    return render(
        request,
        "anpr/models.html",
        {
            "versions": versions,
            "runs": runs,
            "may_train": registry.may_train(request.user),
            "training_form": training_form,
            "rollback_pk": rollback[0].pk if rollback else None,
            "rollback_form": rollback[1] if rollback else None,
            # A version whose row has no roll-back form (in use already, never in use): its refusal above the table.
            "rollback_refused": (
                [str(e) for e in rollback[1].non_field_errors()]
                if rollback and not _may_roll_back_to(rollback[0])
                else []
            ),
            # Why no run can start on this server (the trainer not installed): said beside the held-back button.
            "trainer_missing": _trainer_missing(request.user),
            "training_unavailable": retraining.TRAINING_UNAVAILABLE,  # the same, for those who cannot install it
            # The run that holds the button back (one at a time): named beside it, with its link.
            "running": TrainingRun.objects.filter(active=True).order_by("-created_at", "-id").first(),
        },
        status=status,
    )


def _may_roll_back_to(model: RecognitionModel) -> bool:
    """Has the version's row a roll-back form: it was in use before and is not now."""
    return not model.promoted and model.promoted_at is not None


def _trainer_missing(user) -> str:
    return retraining.trainer_missing_html(user) if retraining.trainer_missing() else ""


@login_required
def models_page(request):
    """Every version (newest first) with what it was trained on and its held-out figures; the runs; the
    actions the user may take."""
    _check_viewer(request.user)
    return _page(request)


@login_required
def model_manifest(request, pk: int):
    """A version's whole manifest as JSON (each reviewed crop: read, label, plate, crop SHA-256), for those
    who see the models page; the download is audited like every export."""
    _check_viewer(request.user)
    model = get_object_or_404(RecognitionModel, pk=pk)
    body = json.dumps(model.manifest, ensure_ascii=False, indent=1, sort_keys=True)
    response = HttpResponse(body.encode(), content_type="application/json; charset=utf-8")
    filename = f"{model.engine}-v{model.version}-manifest.json"
    return serve_export(request, response, subject=model, filename=filename)


@login_required
@require_POST
def training_start(request):
    if not registry.may_train(request.user):
        raise PermissionDenied(str(retraining.WHO_TRAINS))
    form = TrainingForm(request.POST)
    if not form.is_valid():
        return _page(request, training_form=form, status=400)
    try:
        run = retraining.training_start(by=request.user, options=form.cleaned_data)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        # The trainer not installed: the page says so beside the held-back button already (``trainer_missing``),
        # once; any other refusal stands above the form.
        if not retraining.trainer_missing():
            apply_error(form, exc)
        return _page(request, training_form=form, status=400)
    messages.success(request, _("Training started: you will be notified when it ends."))
    return redirect("anpr:training-run", pk=run.pk)


@login_required
def training_run(request, pk: int):
    """A run and its progress; while it runs, its progress part polls itself (htmx, every 2 s)."""
    _check_viewer(request.user)
    run = get_object_or_404(TrainingRun.objects.select_related("started_by", "candidate"), pk=pk)
    template = "anpr/_training_progress.html" if request.GET.get("partial") else "anpr/training_run.html"
    # What the run was asked for (the form's fields), the defaults filling what it did not say.
    options = {**retraining.DEFAULTS, **(run.options or {})}
    return render(request, template, {"run": run, "steps": options["steps"], "synth": options["synth"]})


@login_required
@require_POST
def model_rollback(request, pk: int):
    """Put back a version that was in use before, saying why (audited)."""
    _check_viewer(request.user)
    model = get_object_or_404(RecognitionModel, pk=pk)
    form = RollbackForm(request.POST)
    # A version with no roll-back form on its row (in use, never in use) is refused for that by the service,
    # whatever its reason field holds: the reason's own errors would stand beside no field.
    if form.is_valid() or not _may_roll_back_to(model):
        try:
            registry.model_rollback(model=model, by=request.user, reason=form.cleaned_data.get("reason", ""))
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except DomainError as exc:
            apply_error(form, exc)
    if not form.is_valid():
        return _page(request, rollback=(model, form), status=400)
    messages.success(request, _("Version %(v)s is in use again.") % {"v": digits(model.version)})
    return redirect("anpr:models")
