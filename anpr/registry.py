"""Versions of the plate reader's model: which one reads the photos, registering a trained one,
putting one in use (promotion after training, or an administrator's roll-back).

At most one ``RecognitionModel`` is in use (a partial unique constraint). The weights shipped with
the code are registered as a version the first time they are needed, and again when a deployment
brings other shipped weights (a new SHA-256) while shipped weights are in use. Trained weights are
stored in the media storage; each worker reads them through a local copy checked against the
recorded SHA-256 (onnxruntime needs a file path, and production media are on S3).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

from auditlog.models import LogEntry
from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from core.text import digits
from declarations.arrival_reads import reason_error

from .models import RecognitionModel
from .reasons import SHIPPED_REASON

log = logging.getLogger(__name__)

ENGINE = "plate_crnn"
WHO_ROLLS_BACK = gettext_lazy("Only the IT office or headquarters puts another model version in use.")
WHO_SEES_MODELS = gettext_lazy("Only the IT office or headquarters sees the plate reader's models and training runs.")


class ModelFileError(RuntimeError):
    """A registered model's file is missing or is not the file that was registered."""


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def shipped_weights() -> Path:
    from anpr.recognition.crnn import DEFAULT_WEIGHTS

    return Path(settings.ANPR_CRNN_WEIGHTS or DEFAULT_WEIGHTS)


def shipped_members(path: str | os.PathLike) -> list[Path]:
    """The shipped weights file and, when it is the default one, the other members of the shipped ensemble."""
    from anpr.recognition.crnn import DEFAULT_WEIGHTS, ENSEMBLE_WEIGHTS

    path = Path(path)
    default = path.exists() and DEFAULT_WEIGHTS.exists() and os.path.samefile(path, DEFAULT_WEIGHTS)
    return [path, *(ENSEMBLE_WEIGHTS if default else ())]


def shipped_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of the shipped weights; of an ensemble, of its members' SHA-256s in order, so that a changed
    member is a new version too. Raises ModelFileError when a member is missing."""
    members = shipped_members(path)
    try:
        shas = [file_sha256(p) for p in members]
    except OSError as exc:
        raise ModelFileError(f"shipped weights unreadable: {exc}") from exc
    return shas[0] if len(shas) == 1 else hashlib.sha256("".join(shas).encode()).hexdigest()


def may_change_models(user: User | None) -> bool:
    """IT and headquarters put a model version in use; None is the system (training, a command)."""
    if user is None:
        return True
    return bool(user.is_active and (user.is_superuser or user.role in (Role.IT, Role.HQ)))


def may_train(user: User | None) -> bool:
    """The IT office starts a training run from the page (headquarters sees the results)."""
    if user is None:
        return True
    return bool(user.is_active and (user.is_superuser or user.role == Role.IT))


def _next_version() -> int:
    return (RecognitionModel.objects.aggregate(m=Max("version"))["m"] or 0) + 1


def _create(**fields) -> RecognitionModel:
    """A new version number; a concurrent registration taking it makes us retry with the next."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return RecognitionModel.objects.create(version=_next_version(), **fields)
        except IntegrityError:
            existing = RecognitionModel.objects.filter(sha256=fields["sha256"]).first()
            if existing is not None:
                return existing
    raise RuntimeError("could not allocate a model version")


def _log(model: RecognitionModel, by: User | None, changes: dict) -> None:
    LogEntry.objects.log_create(model, action=LogEntry.Action.UPDATE, actor=by, changes=changes, force_log=True)


def current_model() -> RecognitionModel:
    """The version in use; registers the shipped weights when none is, or when shipped weights are in
    use and the deployment brought others (one query when nothing changed, plus hashing the shipped file
    while shipped weights are in use: about 1 ms for its 1.2 MB)."""
    model = RecognitionModel.objects.filter(promoted=True).first()
    if model is not None and model.source == RecognitionModel.Source.TRAINED:
        return model
    path = shipped_weights()
    if not path.exists():
        if model is not None:
            return model
        raise ModelFileError(f"no model in use and no shipped weights at {path}")
    sha = shipped_sha256(path)
    if model is not None and model.sha256 == sha:
        return model
    members = shipped_members(path)
    manifest: dict = {"source": "shipped with the application", "file": path.name}
    if len(members) > 1:
        manifest["ensemble"] = [p.name for p in members]
    shipped = RecognitionModel.objects.filter(sha256=sha).first() or _create(
        engine=ENGINE,
        source=RecognitionModel.Source.SHIPPED,
        path=str(path),
        sha256=sha,
        manifest=manifest,
    )
    try:
        return model_promote(model=shipped, by=None, reason=SHIPPED_REASON)
    except IntegrityError:  # another worker promoted at the same moment
        return RecognitionModel.objects.get(promoted=True)


@transaction.atomic
def model_register(
    *, path: str | os.PathLike, manifest: dict, metrics: dict, parent_version: int | None
) -> RecognitionModel:
    """Store a trained model file in the media storage and register it as a new version (not in use)."""
    sha = file_sha256(path)
    existing = RecognitionModel.objects.filter(sha256=sha).first()
    if existing is not None:  # the same weights trained twice (same seed, same data)
        return existing
    model = _create(
        engine=ENGINE,
        source=RecognitionModel.Source.TRAINED,
        sha256=sha,
        parent_version=parent_version,
        manifest=manifest,
        metrics=metrics,
    )
    with open(path, "rb") as fh:
        model.file.save(f"{ENGINE}-v{model.version}-{sha[:12]}.onnx", File(fh), save=False)
    model.save(update_fields=["file"])
    return model


@transaction.atomic
def model_promote(*, model: RecognitionModel, by: User | None, reason: str) -> RecognitionModel:
    """Put ``model`` in use in place of the current one, saying why; audited. New reads are read by it."""
    if not may_change_models(by):
        raise NotAllowed(str(WHO_ROLLS_BACK))
    current = RecognitionModel.objects.select_for_update().filter(promoted=True).first()
    model = RecognitionModel.objects.select_for_update().get(pk=model.pk)
    if current is not None and current.pk == model.pk:
        return model
    if current is not None:
        RecognitionModel.objects.filter(pk=current.pk).update(promoted=False)
        _log(current, by, {"promoted": [True, False], "replaced_by": [None, model.version]})
    model.promoted, model.promoted_at, model.promoted_by = True, timezone.now(), by
    model.promoted_reason = reason.strip()[:300]
    model.save(update_fields=["promoted", "promoted_at", "promoted_by", "promoted_reason"])
    _log(
        model,
        by,
        {
            "promoted": [False, True],
            "replaces": [current.version if current else None, model.version],
            "reason": ["", model.promoted_reason],
        },
    )
    return model


def model_rollback(*, model: RecognitionModel, by: User, reason: str) -> RecognitionModel:
    """An administrator puts back a version that was in use before (its file checked first), saying why."""
    if not may_change_models(by) or by is None:
        raise NotAllowed(str(WHO_ROLLS_BACK))
    if model.promoted:
        raise IllegalTransition(_("Version %(v)s is already in use.") % {"v": digits(model.version)})
    if model.promoted_at is None:
        raise IllegalTransition(
            _("Version %(v)s was never in use: only a version that was in use can be put back.")
            % {"v": digits(model.version)}
        )
    # After the version's own state: a version that cannot be put back is refused for that alone (its row on
    # the page has no field for the reason).
    if not reason.strip():
        raise InvalidInput(_("Say why the model is rolled back."), fields={"reason": "required"})
    if short := reason_error(reason, _("why")):  # ten dots say nothing, as in any written reason
        raise InvalidInput(short, fields={"reason": "too short"})
    try:
        local_path(model)
    except ModelFileError as exc:
        raise IllegalTransition(
            _("Version %(v)s cannot be used: %(error)s") % {"v": digits(model.version), "error": exc}
        ) from exc
    return model_promote(model=model, by=by, reason=reason)


# --- Files and engines --------------------------------------------------------------------------

_COPY_LOCK = threading.Lock()


def local_path(model: RecognitionModel) -> str:
    """A local file holding exactly the registered weights (copied from the storage once per worker)."""
    if model.source == RecognitionModel.Source.SHIPPED:
        path = Path(model.path)
        if not path.exists() or shipped_sha256(path) != model.sha256:
            raise ModelFileError(f"shipped weights of version {model.version} are not at {path} any more")
        return str(path)
    cache_dir = Path(settings.ANPR_MODEL_CACHE_DIR)
    target = cache_dir / f"{model.sha256}.onnx"
    with _COPY_LOCK:
        if target.exists() and file_sha256(target) == model.sha256:
            return str(target)
        if not model.file:
            raise ModelFileError(f"version {model.version} has no stored file")
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.part")
        try:
            with model.file.open("rb") as src, open(tmp, "wb") as dst:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    dst.write(chunk)
        except OSError as exc:
            raise ModelFileError(f"the file of version {model.version} cannot be read: {exc}") from exc
        if file_sha256(tmp) != model.sha256:
            tmp.unlink(missing_ok=True)
            log.error("model version %s: stored file does not match its SHA-256", model.version)
            raise ModelFileError(f"the stored file of version {model.version} is not the file registered")
        os.replace(tmp, target)
    return str(target)


_ENGINES: dict[str, object] = {}


def engine_of(model: RecognitionModel):
    """The plate_crnn engine reading with ``model``'s weights (one per weights file and process)."""
    from anpr.recognition.engines import PlateCRNNEngine

    if model.sha256 not in _ENGINES:
        _ENGINES[model.sha256] = PlateCRNNEngine(weights=local_path(model))
    return _ENGINES[model.sha256]


def for_recognition(engine):
    """(engine, model version) to read a photo with. The configured ``plate_crnn`` engine reads with the
    version in use; any other engine (easyocr, tesseract) is outside the registry (version None)."""
    from anpr.recognition.engines import PlateCRNNEngine

    if not isinstance(engine, PlateCRNNEngine):
        return engine, None
    try:
        model = current_model()
        return engine_of(model), model.version
    except ModelFileError as exc:
        log.error("recognition model unusable, reading with the configured weights: %s", exc)
        return engine, None
