"""Retraining the plate reader from what people read (``manage.py anpr_train``, or the models page).

1. The reviewed crops: each read's latest label of an Iranian plate whose crop is stored and still has
   its recorded SHA-256.
2. Split by plate string (seeded): a share of the distinct plates is held out, never trained on.
3. Render synthetic plates (``anpr.training.render``) and train a candidate from the model in use with
   the trainer of ``settings.ANPR_TRAINER`` (torch; tests plug a quick one in).
4. Read the held-out crops with the candidate and with the model in use, through the same engine the
   app reads with; the candidate is registered as a version with its training-data manifest and
   metrics, and **put in use only when it reads them better** (more exactly right; on a tie, more
   characters right) and at least ``min_heldout`` crops were held out to judge by.

A run is a ``TrainingRun`` row (one at a time) whose progress the page polls; the IT office starts it
from the page (a Celery task) and is notified when it ends. Where the trainer's training-only modules
(requirements-train.txt) are not installed no run is started; a run that fails says so plainly, the
technical detail going to the server log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import logging
import random
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Role, User
from core import jobs, taskruns
from core.audit import actor
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from core.text import is_persian, isolate
from notifications.messages import Message, Number
from notifications.models import Kind
from notifications.services import it_office, notify

from . import registry
from .models import PlateLabel, RecognitionModel, TrainingRun
from .reasons import decision_message, decision_text

log = logging.getLogger(__name__)

WHO_TRAINS = gettext_lazy("Only the IT office starts a training run of the plate reader.")

DEFAULTS = {
    "steps": 600,  # optimiser steps (batches)
    "batch": 64,
    "lr": 5e-4,
    "synth": 6000,  # rendered plates
    "holdout": 0.2,  # share of the reviewed plate strings held out
    "split_seed": 0,
    "seed": 0,
    "min_heldout": 30,  # reviewed crops held out: fewer, and nothing is promoted
}
LIMITS = {"steps": (1, 100_000), "batch": (2, 512), "synth": (0, 500_000), "min_heldout": (1, 100_000)}


def clean_options(options: dict | None) -> dict:
    """The defaults with ``options`` over them, checked (a message naming the option otherwise)."""
    out = dict(DEFAULTS)
    for key, value in (options or {}).items():
        if key not in DEFAULTS:
            raise InvalidInput(f"unknown training option '{key}'", fields={key: str(value)})
        if value is None:
            continue
        try:
            out[key] = type(DEFAULTS[key])(value)
        except (TypeError, ValueError):
            raise InvalidInput(f"{key} must be a number, not '{value}'", fields={key: str(value)}) from None
    for key, (low, high) in LIMITS.items():
        if not low <= out[key] <= high:
            raise InvalidInput(f"{key} must be between {low} and {high}", fields={key: str(out[key])})
    if not 0 < out["holdout"] < 1:
        raise InvalidInput("holdout must be a share between 0 and 1", fields={"holdout": str(out["holdout"])})
    return out


# --- Data ---------------------------------------------------------------------------------------


# The decision and a run's outcome, recorded in English (anpr.reasons shows them in the page's language).
BETTER = "reads {n} held-out reviewed crops better than v{v}"
TOO_FEW = "only {n} reviewed crops held out (at least {min} needed to judge)"
NOT_BETTER = "not better than v{v} on {n} held-out reviewed crops"
ABANDONED = "abandoned: still unfinished {h} hours after it was queued (its worker stopped)"
# A run that failed, as its page and notice say it to a person; the technical detail is in the server log
# under the run's number (``log.exception``), for the IT office.
NOTHING_TO_TRAIN = "nothing to train on: no rendered plates and no reviewed crops"
NO_FONTS = "no Persian fonts to render plates with (install fonts-farsiweb or fonts-noto-core)"
NOT_INSTALLED = "the trainer is not installed where the run ran: {missing} missing (requirements-train.txt)"
FAILED = "failed: the details are in the server log (training run {run})"


# How a run that failed before its failures were recorded plainly kept its error (``Class: message``): kept as it
# is for the admin and the log, shown as a failure is recorded now (``shown_outcome``).
_RAW_ERROR = re.compile(r"(?P<kind>[A-Za-z_]\w*(?:Error|Exception)): (?P<detail>.*)", re.DOTALL)
_RAW_NO_MODULE = re.compile(r"No module named '(?P<name>[\w.]+)'")
# What this server lacks for training (the trainer, the fonts): the IT office installs it; anyone else reads
# ``TRAINING_UNAVAILABLE``, plain and naming whom to ask, not the commands.
_SERVER_SETUP = re.compile(
    "|".join((re.escape(NO_FONTS), re.escape(NOT_INSTALLED).replace(re.escape("{missing}"), r"[\w.]+")))
)
TRAINER_NOT_INSTALLED = gettext_lazy("Training is not installed on this server: ask the IT office to install it.")
# The same said to the IT office, who installs it: what is missing, the command and where the steps are.
TRAINER_TO_INSTALL = gettext_lazy(
    "Training is not installed on this server: %(missing)s missing. Install the training dependencies with"
    " %(command)s where web and the %(queue)s queue's worker run, then restart them; the steps are in"
    " %(doc)s («Installing the trainer») and %(readme)s."
)
TRAINER_INSTALL_COMMAND = "pip install -r requirements-train.txt"
TRAINING_QUEUE = "reports"  # the worker that runs ``anpr.tasks.train_model`` (``CELERY_TASK_ROUTES``)
TRAINING_UNAVAILABLE = gettext_lazy(
    "Training a new version of the plate reader is not available on this server: ask the IT office."
)


def needs_server_setup(outcome: str) -> bool:
    """Did the run fail for something only the IT office can install on the server?"""
    return _SERVER_SETUP.fullmatch((outcome or "").strip()) is not None


def shown_outcome(run: TrainingRun) -> str:
    """A run's recorded outcome, for its page: a failed run's raw error, stored before failures were recorded
    plainly, is given in the words such a failure is recorded in now (the detail stays in the admin and the log)."""
    outcome = (run.outcome or "").strip()
    if run.state != TrainingRun.State.FAILED:
        return outcome
    return plain_failure(outcome, run.pk)


def is_raw_error(text: str) -> bool:
    """Is ``text`` an error as it was stored before failures were recorded plainly (``Class: message``)?"""
    return _RAW_ERROR.fullmatch((text or "").strip()) is not None


def plain_failure(outcome: str, run_id: int) -> str:
    """The outcome of failed run ``run_id`` as a failure is recorded now: a recorded text as it is; a raw error
    (``is_raw_error``) as the failure a person can act on that it was, else ``FAILED`` (the detail is in the log)."""
    outcome = (outcome or "").strip()
    if decision_text(outcome) is not None:
        return outcome
    raw = _RAW_ERROR.fullmatch(outcome)
    if raw is not None:
        if decision_text(raw["detail"]) is not None:  # a failure a person can act on, raised as an error then
            return raw["detail"].strip()
        missing = _RAW_NO_MODULE.fullmatch(raw["detail"].strip())
        if missing is not None:
            return NOT_INSTALLED.format(missing=missing["name"])
    return FAILED.format(run=run_id)


class TrainingFailed(Exception):
    """A run cannot go on for a reason a person can act on: ``outcome`` is one of the recorded texts above."""

    def __init__(self, outcome: str):
        super().__init__(outcome)
        self.outcome = outcome


def trainer_missing() -> list[str]:
    """What the trainer of ``settings.ANPR_TRAINER`` needs and this server lacks (its ``requires``, the
    training-only modules of requirements-train.txt; or the trainer itself): empty when it can train.
    Looks the modules up without importing them."""
    try:
        trainer = import_string(settings.ANPR_TRAINER)
    except ImportError as exc:
        return [getattr(exc, "name", None) or settings.ANPR_TRAINER]
    return [name for name in getattr(trainer, "requires", ()) if importlib.util.find_spec(name) is None]


def trainer_missing_message(user: User | None = None) -> str:
    """Why no run can start here, for the page of ``user``: to the IT office (who installs it) what is missing,
    the command and the docs (docs/operations.md, anpr/training/README.md); to anyone else (a superuser of
    another office, a command) in plain words whom to ask. ``manage.py anpr_train`` names what is missing and
    the command."""
    if user is None or user.role != Role.IT:
        return str(TRAINER_NOT_INSTALLED)
    return str(TRAINER_TO_INSTALL) % {
        "missing": ("، " if is_persian() else ", ").join(isolate(name) for name in trainer_missing()),
        "command": isolate(TRAINER_INSTALL_COMMAND),
        "queue": isolate(TRAINING_QUEUE),
        "doc": isolate("docs/operations.md"),
        "readme": isolate("anpr/training/README.md"),
    }


def trainer_missing_html(user: User | None = None) -> SafeString:
    """``trainer_missing_message`` for a page: the command, the queue and the files it names each in a ``<code dir="ltr">``,
    set apart from the sentence around them (the Persian one reads right to left)."""
    if user is None or user.role != Role.IT:
        return conditional_escape(str(TRAINER_NOT_INSTALLED))
    code = '<code dir="ltr">{}</code>'
    return mark_safe(  # noqa: S308 - the sentence escaped, each part escaped by format_html
        conditional_escape(str(TRAINER_TO_INSTALL))
        % {
            "missing": conditional_escape(("، " if is_persian() else ", ").join(isolate(n) for n in trainer_missing())),
            "command": format_html(code, TRAINER_INSTALL_COMMAND),
            "queue": format_html(code, TRAINING_QUEUE),
            "doc": format_html(code, "docs/operations.md"),
            "readme": format_html(code, "anpr/training/README.md"),
        }
    )


@dataclass
class Sample:
    read_id: int
    label_id: int
    plate: str
    crop_sha256: str
    image: np.ndarray  # BGR crop


def reviewed_samples() -> tuple[list[Sample], dict[str, int]]:
    """Each read's latest label of an Iranian plate with a stored crop, the crop checked against its
    SHA-256. Returns the samples and what was left out, counted by why."""
    import cv2

    newer = PlateLabel.objects.filter(read=OuterRef("read"), at__gt=OuterRef("at"))
    latest = (
        PlateLabel.objects.filter(~Q(Exists(newer)))
        .select_related("read")
        .order_by("read_id")
        .only("id", "plate", "country", "layout", "read__id", "read__crop", "read__crop_sha256")
    )
    samples: list[Sample] = []
    skipped = {"foreign": 0, "other_layout": 0, "no_crop": 0, "crop_changed": 0, "undecodable": 0}
    for label in latest.iterator(chunk_size=2000):
        read = label.read
        if label.country != "IR":
            skipped["foreign"] += 1
            continue
        if label.layout:  # the reader reads the standard layout only
            skipped["other_layout"] += 1
            continue
        if not read.crop or not read.crop_sha256:
            skipped["no_crop"] += 1
            continue
        try:
            with read.crop.open("rb") as fh:
                data = fh.read()
        except OSError:
            skipped["no_crop"] += 1
            continue
        if hashlib.sha256(data).hexdigest() != read.crop_sha256:
            log.error("crop of read %s does not match its SHA-256: left out of training", read.pk)
            skipped["crop_changed"] += 1
            continue
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if img is None or not img.size:
            skipped["undecodable"] += 1
            continue
        samples.append(Sample(read.pk, label.pk, label.plate, read.crop_sha256, img))
    return samples, skipped


def split_by_plate(samples: list[Sample], holdout: float, seed: int) -> tuple[list[Sample], list[Sample]]:
    """(train, held out): a seeded share of the distinct plate strings is held out, so that no plate of
    the held-out crops was seen in training (a truck passes a camera many times)."""
    plates = sorted({s.plate for s in samples})
    random.Random(seed).shuffle(plates)
    held = set(plates[: round(len(plates) * holdout)])
    return [s for s in samples if s.plate not in held], [s for s in samples if s.plate in held]


def _edit_distance(a: str, b: str) -> int:
    d = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, cb in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (ca != cb))
    return d[len(b)]


def evaluate(engine, samples: list[Sample]) -> dict:
    """Read each crop as the app reads one (``read_crop``: grammar, the not-Iranian check): the share read
    exactly, the share of characters right (1 - edit distance / 8; no text counts all wrong), and how
    many got no text."""
    exact = no_text = 0
    chars = 0.0
    for s in samples:
        plate = engine.read_crop(s.image).plate
        exact += plate == s.plate
        no_text += not plate
        chars += max(0.0, 1 - _edit_distance(plate, s.plate) / len(s.plate))
    n = len(samples)
    return {
        "n": n,
        "plates": len({s.plate for s in samples}),
        "exact": round(exact / n, 4) if n else None,
        "char": round(chars / n, 4) if n else None,
        "no_text": no_text,
    }


def is_better(candidate: dict, current: dict) -> bool:
    """More crops read exactly; on a tie, more characters right. Equal is not better."""
    if not candidate.get("n") or candidate["exact"] is None:
        return False
    return (candidate["exact"], candidate["char"]) > (current["exact"], current["char"])


def render_plates(n: int, seed: int) -> tuple[np.ndarray, list[str], list[str]]:
    """``n`` synthetic plates as grey model inputs, their texts, and the font files used."""
    from anpr.recognition.preprocess import to_gray_small
    from anpr.training.render import find_fonts
    from anpr.training.synth import make

    fonts = find_fonts()
    if not fonts:
        raise TrainingFailed(NO_FONTS)
    if n == 0:
        return np.zeros((0, *to_gray_small(np.zeros((8, 8), np.uint8)).shape), np.uint8), [], fonts
    xs, ys = make(n, seed, fonts)
    return xs, ys, fonts


# --- One run ------------------------------------------------------------------------------------

ProgressFn = Callable[[int, str], None]


def train_and_evaluate(*, options: dict, progress: ProgressFn) -> dict:
    """Train a candidate, measure it against the model in use, register it, promote it if better.
    Returns what happened (the candidate, promoted or not, metrics, why)."""
    opts = clean_options(options)
    current = registry.current_model()
    current_path = registry.local_path(current)
    progress(2, "collecting reviewed crops")
    samples, skipped = reviewed_samples()
    train, held = split_by_plate(samples, opts["holdout"], opts["split_seed"])
    progress(5, f"rendering {opts['synth']} plates")
    t0 = time.time()
    synth_x, synth_y, fonts = render_plates(opts["synth"], opts["seed"])
    render_seconds = round(time.time() - t0, 1)
    if not synth_y and not train:
        raise TrainingFailed(NOTHING_TO_TRAIN)
    trainer = import_string(settings.ANPR_TRAINER)()
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "candidate.onnx")

        def trained(share: float, message: str, **info) -> None:
            if "step" in info:  # the trainer's own wording: the run keeps the one its page translates
                message = f"step {info['step']} of {info['steps']}, loss {info['loss']:.3f}"
            progress(20 + int(65 * share), message)

        progress(20, "starting the training steps")
        info = trainer.train(
            init_weights=current_path,
            synth_x=synth_x,
            synth_y=synth_y,
            reviewed=[(s.image, s.plate) for s in train],
            out=out,
            steps=opts["steps"],
            batch=opts["batch"],
            lr=opts["lr"],
            seed=opts["seed"],
            progress=trained,
        )
        progress(86, "reading the held-out crops with both models")
        from anpr.recognition.engines import PlateCRNNEngine

        candidate_engine = PlateCRNNEngine(weights=out)
        if not candidate_engine.available:
            raise RuntimeError(f"the trained model cannot be loaded: {candidate_engine.unavailable_reason}")
        m_candidate = evaluate(candidate_engine, held)
        m_current = evaluate(registry.engine_of(current), held)
        enough = len(held) >= opts["min_heldout"]
        better = is_better(m_candidate, m_current)
        promote = enough and better
        if promote:
            why = BETTER.format(n=len(held), v=current.version)
        elif not enough:
            why = TOO_FEW.format(n=len(held), min=opts["min_heldout"])
        else:
            why = NOT_BETTER.format(n=len(held), v=current.version)
        manifest = {
            "parent_version": current.version,
            "parent_sha256": current.sha256,
            "rendered": {"n": len(synth_y), "seed": opts["seed"], "fonts": sorted(Path(f).name for f in fonts)},
            "reviewed": {
                "train": [[s.read_id, s.label_id, s.plate, s.crop_sha256] for s in train],
                "heldout": [[s.read_id, s.label_id, s.plate, s.crop_sha256] for s in held],
                "left_out": skipped,
            },
            "split": {"by": "plate string", "holdout": opts["holdout"], "seed": opts["split_seed"]},
            "options": opts,
            "trainer": info,
        }
        metrics = {
            "heldout": {"candidate": m_candidate, "current": m_current, "current_version": current.version},
            "train": {"reviewed_crops": len(train), "rendered": len(synth_y), "render_seconds": render_seconds},
            "decision": why,
        }
        progress(95, "registering the model")
        model = registry.model_register(path=out, manifest=manifest, metrics=metrics, parent_version=current.version)
    if promote:
        registry.model_promote(model=model, by=None, reason=why)
    return {"model": model, "promoted": promote, "why": why, "metrics": metrics}


@transaction.atomic
def training_start(*, by: User | None, options: dict | None = None, enqueue: bool = True) -> TrainingRun:
    """A queued run (one at a time); with ``enqueue`` a Celery task runs it after the commit."""
    if not registry.may_train(by):
        raise NotAllowed(str(WHO_TRAINS))
    opts = clean_options(options)
    missing = trainer_missing()
    if missing:  # refused before a run is made: it could only fail
        raise IllegalTransition(trainer_missing_message(by))
    _abandon_stale()
    try:
        with transaction.atomic(), actor(by):
            run = TrainingRun.objects.create(options=opts, started_by=by, stage="queued")
    except IntegrityError:
        raise IllegalTransition(_("A training run is already queued or running.")) from None
    if enqueue:
        from . import tasks

        jobs.enqueue(tasks.train_model, run.pk)  # in this transaction: the run exists exactly with its job
    return run


# A run still active this long after it was queued lost its worker (a restart, a crash): it is ended
# as failed so that the next one may start. A real run takes minutes to an hour (docs/benchmarks.md).
STALE_AFTER = dt.timedelta(hours=12)


def _abandon_stale() -> int:
    return TrainingRun.objects.filter(active=True, created_at__lt=timezone.now() - STALE_AFTER).update(
        state=TrainingRun.State.FAILED,
        active=False,
        finished_at=timezone.now(),
        outcome=ABANDONED.format(h=int(STALE_AFTER.total_seconds() // 3600)),
    )


def training_run(*, run_id: int, echo: Callable[[str], None] | None = None) -> TrainingRun | None:
    """Run a queued run (claimed by a conditional update: a second delivery does nothing), keeping its
    progress on the row, then tell whoever started it and the IT office how it ended."""
    now = timezone.now()
    # A queued run, or a running one whose worker died (claimed before the hard time limit).
    claimable = Q(state=TrainingRun.State.QUEUED) | Q(
        state=TrainingRun.State.RUNNING, started_at__lt=taskruns.stale_before("training", now)
    )
    claimed = TrainingRun.objects.filter(claimable, pk=run_id).update(
        state=TrainingRun.State.RUNNING, started_at=now, stage="starting"
    )
    if not claimed:
        return TrainingRun.objects.filter(pk=run_id).first()
    run = TrainingRun.objects.get(pk=run_id)
    taskruns.pause_for_tests("training")

    def progress(percent: int, stage: str) -> None:
        TrainingRun.objects.filter(pk=run_id).update(progress=max(0, min(100, percent)), stage=stage[:200])
        if echo:
            echo(f"[{percent:3d}%] {stage}")

    try:
        result = train_and_evaluate(options=run.options, progress=progress)
    except Exception as exc:  # the run must end, and say why, whatever failed
        if taskruns.is_transient(exc):  # the database went away: queued again, the task is retried
            taskruns.release(
                TrainingRun.objects.filter(pk=run_id, state=TrainingRun.State.RUNNING, started_at=now),
                state=TrainingRun.State.QUEUED,
            )
            raise
        if isinstance(exc, TrainingFailed):
            log.warning("training run %s failed: %s", run_id, exc.outcome)
            outcome = exc.outcome
        else:  # the technical detail for the IT office is in the log; the run says it plainly
            log.exception("training run %s failed", run_id)
            if isinstance(exc, ImportError):  # the worker lacks what the page's server has
                outcome = NOT_INSTALLED.format(missing=exc.name or exc.__class__.__name__)
            else:
                outcome = FAILED.format(run=run_id)
        TrainingRun.objects.filter(pk=run_id).update(
            state=TrainingRun.State.FAILED, active=False, finished_at=timezone.now(), outcome=outcome[:500]
        )
        run.refresh_from_db()
        _tell(run, Message(gettext_noop("Plate-reader training failed")))
        return run
    model: RecognitionModel = result["model"]
    TrainingRun.objects.filter(pk=run_id).update(
        state=TrainingRun.State.DONE,
        active=False,
        progress=100,
        stage="done",
        finished_at=timezone.now(),
        candidate=model,
        promoted=result["promoted"],
        outcome=result["why"][:500],
    )
    run.refresh_from_db()
    if result["promoted"]:
        title = Message(gettext_noop("Plate-reader model v%(v)s trained and put in use"), v=Number(model.version))
    else:
        title = Message(gettext_noop("Plate-reader model v%(v)s trained, not put in use"), v=Number(model.version))
    _tell(run, title)
    return run


def _tell(run: TrainingRun, title: Message) -> None:
    recipients = list(it_office())
    if run.started_by is not None and run.started_by.is_active:
        recipients.append(run.started_by)
    notify(
        Kind.MODEL_TRAINED,
        recipients,
        title=title,
        url=reverse("anpr:training-run", args=[run.pk]),
        subject=f"training-run:{run.pk}",
        body=decision_message(run.outcome) or run.outcome,  # a recorded decision, else the error as it was
    )
