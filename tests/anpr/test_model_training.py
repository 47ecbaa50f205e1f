"""Model versions and retraining: each read records the version that read it; a trained model is put in
use only when it reads the held-out reviewed crops better; an administrator rolls back; the page
starts a run as a task whose progress it polls, and whoever started it is told how it ended.

Trainers here are quick stand-ins (``ANPR_TRAINER``) that hand back a known model: the shipped one
(reads rendered plates well) or ``tests/anpr/data/blank_crnn.onnx`` (reads nothing). One test trains
the real torch CRNN for two steps where torch is installed (requirements-train.txt)."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import random
import shutil

import cv2
import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from anpr import ingest, registry, retraining, review, services
from anpr.models import PlateLabel, PlateRead, RecognitionModel, TrainingRun
from core.dates import TEHRAN, persian_digits
from core.text import strip_isolates
from notifications.models import Kind, Notification
from tests import files
from tests.anpr.blank_model import BLANK_MODEL

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def fonts():
    from anpr.training.render import find_fonts

    found = find_fonts()
    if not found:
        pytest.skip("no Persian fonts installed (apt-get install fonts-farsiweb fonts-noto-core) — cannot render")
    return found


@pytest.fixture(autouse=True)
def _model_cache(settings, tmp_path):
    settings.ANPR_MODEL_CACHE_DIR = tmp_path / "model-cache"
    registry._ENGINES.clear()


class Handing:
    """A trainer that hands back a known model file (and reports progress as a trainer does)."""

    source = str(BLANK_MODEL)
    seen: list = []

    def train(self, *, out, steps, progress=None, **kwargs):
        for step in range(1, steps + 1):
            if progress:
                progress(step / steps, f"step {step}/{steps}")
        shutil.copyfile(self.source, out)
        Handing.seen.append({"reviewed": len(kwargs["reviewed"]), "rendered": len(kwargs["synth_y"])})
        return {"trainer": "handing", "source": self.source}


class HandsBlank(Handing):
    source = str(BLANK_MODEL)


class HandsShipped(Handing):
    @property
    def source(self):  # type: ignore[override]
        return str(registry.shipped_weights())


def _reviewed_crops(camera, person, fonts, n=24, seed=7):
    """``n`` reads whose crops are rendered plates, each read by a person (a label)."""
    from anpr.training.render import augment_crop, random_plate, render_plate

    rng = random.Random(seed)
    now = timezone.now()
    for i in range(n):
        plate = random_plate(rng)
        crop = augment_crop(render_plate(plate, fonts, rng), rng, mild=True)
        ok, enc = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, 92])
        assert ok
        at = (now - dt.timedelta(minutes=10 + i)).replace(microsecond=0)
        (r,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=plate)])
        name = default_storage.save(f"anpr/crops/test/{r.id}.jpg", ContentFile(enc.tobytes()))
        PlateRead.objects.filter(pk=r.id).update(crop=name, crop_sha256=_sha256(enc.tobytes()))
        review.read_label(read=PlateRead.objects.get(pk=r.id), by=person, plate=plate)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


OPTIONS = {"steps": 3, "synth": 8, "holdout": 0.5, "min_heldout": 5}


def _in_use() -> RecognitionModel:
    return RecognitionModel.objects.get(promoted=True)


def test_the_shipped_weights_are_version_one_and_each_read_records_its_version(thr_camera, monkeypatch):
    from anpr.recognition import Reading
    from anpr.recognition.engines import PlateCRNNEngine

    engine, version = registry.for_recognition(PlateCRNNEngine())
    shipped = _in_use()
    assert (version, shipped.version, shipped.source) == (1, 1, "shipped")
    assert shipped.sha256 == registry.shipped_sha256(registry.shipped_weights())
    assert engine.available

    class Reads(PlateCRNNEngine):  # the real engine's class, reading a fixed plate
        def read_image(self, img, region=None):
            return Reading("12ب34567", "12ب34567", 0.93, "plate_crnn")

    monkeypatch.setattr("anpr.recognition.get_engine", lambda *a, **k: Reads())
    monkeypatch.setattr(registry, "engine_of", lambda model: Reads())
    at = timezone.now() - dt.timedelta(minutes=5)
    (r,) = ingest.reads_ingest(
        camera=thr_camera, items=[ingest.ReadInput(captured_at=at, photo=files.jpeg((320, 240)))]
    )
    services.read_recognise(read_id=r.id)
    assert PlateRead.objects.get(pk=r.id).model_version == 1
    (sent,) = ingest.reads_ingest(camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw="12ب34567")])
    assert PlateRead.objects.get(pk=sent.id).model_version is None  # read by the camera itself


def test_a_shipped_ensemble_is_a_version_of_its_own_and_reads_with_every_member(thr_camera, monkeypatch):
    from anpr.recognition import crnn
    from anpr.recognition.engines import PlateCRNNEngine

    single = registry.current_model()
    monkeypatch.setattr(crnn, "ENSEMBLE_WEIGHTS", (crnn.DEFAULT_WEIGHTS,))  # a second member (here the same file)
    engine, version = registry.for_recognition(PlateCRNNEngine())
    pair = _in_use()
    assert version == pair.version == single.version + 1 and pair.sha256 != single.sha256
    assert pair.manifest["ensemble"] == ["plate_crnn.onnx", "plate_crnn.onnx"]
    assert len(engine.extras) == 1 and registry.local_path(pair) == str(crnn.DEFAULT_WEIGHTS)


def test_a_worse_model_is_registered_but_not_put_in_use(settings, thr_camera, dest_clerk, it_officer, fonts):
    settings.ANPR_TRAINER = "tests.anpr.test_model_training.HandsBlank"
    _reviewed_crops(thr_camera, dest_clerk, fonts)
    shipped = registry.current_model()
    run = retraining.training_start(by=None, options=OPTIONS, enqueue=False)
    run = retraining.training_run(run_id=run.pk)
    assert run.state == "done" and run.promoted is False
    candidate = run.candidate
    assert candidate.version == 2 and not candidate.promoted and candidate.source == "trained"
    assert _in_use() == shipped
    held = candidate.metrics["heldout"]
    assert held["current_version"] == 1 and held["candidate"]["n"] == held["current"]["n"] >= 5
    assert held["candidate"]["exact"] == 0 and held["current"]["exact"] > 0.5
    # The manifest names the data: split by plate, no held-out plate in training.
    reviewed = candidate.manifest["reviewed"]
    train_plates = {p for _, _, p, _ in reviewed["train"]}
    held_plates = {p for _, _, p, _ in reviewed["heldout"]}
    assert train_plates and held_plates and not (train_plates & held_plates)
    assert len(reviewed["train"]) + len(reviewed["heldout"]) == 24
    assert candidate.manifest["rendered"]["n"] == 8 and candidate.manifest["parent_version"] == 1
    # The stored file is the one registered.
    with candidate.file.open("rb") as fh:
        assert _sha256(fh.read()) == candidate.sha256
    assert Notification.objects.filter(user=it_officer, kind=Kind.MODEL_TRAINED, title__contains="not put in use")


@pytest.mark.persian
def test_the_models_page_says_what_each_version_was_trained_on_in_persian(
    client, settings, thr_camera, bzg_camera, dest_clerk, origin_clerk, it_officer, fonts
):
    settings.ANPR_TRAINER = "tests.anpr.test_model_training.HandsBlank"
    _reviewed_crops(thr_camera, dest_clerk, fonts, n=16)
    _reviewed_crops(bzg_camera, origin_clerk, fonts, n=8, seed=8)
    run = retraining.training_run(run_id=retraining.training_start(by=None, options=OPTIONS, enqueue=False).pk)
    manifest = run.candidate.manifest
    train, held = manifest["reviewed"]["train"], manifest["reviewed"]["heldout"]
    # The people's labels were given over some weeks: the first on 1404/01/15, the last on 1404/02/20.
    PlateLabel.objects.update(at=dt.datetime(2025, 4, 4, 12, tzinfo=TEHRAN))
    PlateLabel.objects.filter(pk=train[0][1]).update(at=dt.datetime(2025, 5, 10, 12, tzinfo=TEHRAN))
    cameras = {PlateLabel.objects.get(pk=label).camera_id for _read, label, _plate, _sha in train}
    client.force_login(it_officer)
    response = client.get(reverse("anpr:models"))
    row = _row(response, run.candidate.version)
    trained_on = row[row.index("data-trained-on") :]
    assert f"پلاک‌های ساختگی: {persian_digits(8)}" in trained_on
    plates = len({p for _r, _l, p, _s in train})
    assert (
        f"برش‌های بررسی‌شده‌ای که بر آن‌ها آموزش دید: {persian_digits(len(train))} "
        f"({persian_digits(plates)} پلاک · {persian_digits(len(cameras))} دوربین)"
    ) in trained_on
    assert "تاریخ خوانش‌های انسانی: ۱۴۰۴/۰۱/۱۵ – ۱۴۰۴/۰۲/۲۰" in trained_on
    assert f"کنارگذاشته برای سنجش: {persian_digits(len(held))} (" in trained_on
    assert "۵۰٪ از پلاک‌ها کنار گذاشته شد" in trained_on  # the split, in the details
    # The shipped version says which file it is; nothing is made up for it.
    shipped = _row(response, 1)
    assert "plate_crnn.onnx" in shipped and "data-trained-crops" not in shipped
    # The whole manifest, for those who see the page, as stored.
    url = reverse("anpr:model-manifest", args=[run.candidate.pk])
    assert f'href="{url}"' in trained_on
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Type"].startswith("application/json")
    assert json.loads(download.content) == manifest
    client.force_login(dest_clerk)
    assert client.get(url).status_code == 403


def test_a_better_model_is_put_in_use_and_reads_from_then_on(settings, thr_camera, dest_clerk, fonts):
    blank = registry.model_register(path=BLANK_MODEL, manifest={}, metrics={}, parent_version=None)
    registry.model_promote(model=blank, by=None, reason="test: a poor model in use")
    settings.ANPR_TRAINER = "tests.anpr.test_model_training.HandsShipped"
    _reviewed_crops(thr_camera, dest_clerk, fonts)
    run = retraining.training_run(run_id=retraining.training_start(by=None, options=OPTIONS, enqueue=False).pk)
    assert run.promoted is True
    assert _in_use() == run.candidate and run.candidate.parent_version == blank.version
    assert "better than v1" in run.candidate.promoted_reason
    from anpr.recognition.engines import PlateCRNNEngine

    _engine, version = registry.for_recognition(PlateCRNNEngine())
    assert version == run.candidate.version


def test_too_few_held_out_crops_promote_nothing(settings, thr_camera, dest_clerk, fonts):
    blank = registry.model_register(path=BLANK_MODEL, manifest={}, metrics={}, parent_version=None)
    registry.model_promote(model=blank, by=None, reason="test")
    settings.ANPR_TRAINER = "tests.anpr.test_model_training.HandsShipped"
    _reviewed_crops(thr_camera, dest_clerk, fonts, n=4)
    run = retraining.training_run(
        run_id=retraining.training_start(by=None, options={**OPTIONS, "min_heldout": 30}, enqueue=False).pk
    )
    assert run.promoted is False and "only 2 reviewed crops held out" in run.outcome
    assert _in_use() == blank


def test_an_administrator_rolls_back_to_a_version_in_use_before(client, it_officer, hq, inspector, settings):
    shipped = registry.current_model()
    blank = registry.model_register(path=BLANK_MODEL, manifest={}, metrics={}, parent_version=1)
    never = registry.model_register(
        path=registry.shipped_weights().parent / "README.md", manifest={}, metrics={}, parent_version=1
    )
    registry.model_promote(model=blank, by=None, reason="trained, better")
    url = reverse("anpr:model-rollback", args=[shipped.pk])

    client.force_login(inspector)
    assert client.get(reverse("anpr:models")).status_code == 403
    assert client.post(url, {"reason": "worse at night"}).status_code == 403
    assert _in_use() == blank

    client.force_login(it_officer)
    page = client.get(reverse("anpr:models")).content.decode()
    assert f'data-rollback="{shipped.version}"' in page and f'data-rollback="{never.version}"' not in page
    response = client.post(url, {"reason": "  "})  # a reason is required: said beside the reason of that row
    assert response.status_code == 400 and _in_use() == blank
    row = _row(response, shipped.version)
    assert 'aria-invalid="true"' in row and "Say why the model is rolled back." in row
    assert "Say why" not in _row(response, blank.version)
    response = client.post(url, {"reason": ".........."})  # punctuation alone says nothing, as in any reason
    assert response.status_code == 400 and _in_use() == blank
    assert "at least 10 letters or digits" in _row(response, shipped.version)
    refused = client.post(reverse("anpr:model-rollback", args=[never.pk]), {"reason": "try it"})  # never in use
    assert refused.status_code == 400 and _in_use() == blank
    assert f"Version {never.version} was never in use" in refused.content.decode()  # said, though its row has no form
    # The version in use (another administrator rolled back first, from a page now stale): said why, too.
    refused = client.post(reverse("anpr:model-rollback", args=[blank.pk]), {"reason": "again"})
    assert refused.status_code == 400 and f"Version {blank.version} is already in use." in refused.content.decode()
    response = client.post(url, {"reason": "v2 misreads night photos"})
    assert response.status_code == 302
    assert _in_use() == shipped
    shipped.refresh_from_db()
    assert shipped.promoted_by == it_officer and shipped.promoted_reason == "v2 misreads night photos"
    entry = LogEntry.objects.filter(object_pk=str(shipped.pk), actor=it_officer).latest("timestamp")
    assert "v2 misreads night photos" in str(entry.changes)
    assert LogEntry.objects.filter(object_pk=str(blank.pk), actor=it_officer).exists()  # taken out of use

    client.force_login(hq)  # headquarters may roll back too
    client.post(reverse("anpr:model-rollback", args=[blank.pk]), {"reason": "back again: v1 misread the new plates"})
    assert _in_use() == blank


def _row(response, version: int) -> str:
    page = response.content.decode()
    start = page.index(f'data-version="{version}"')
    return page[start : page.index("</tr>", start)]


@pytest.mark.parametrize(
    ("posted", "field", "error"),
    [
        ({"steps": "", "synth": "100"}, "steps", "Enter “training steps”."),
        ({"steps": "abc", "synth": "100"}, "steps", "“training steps” must be a whole number."),
        ({"steps": "5", "synth": "-1"}, "synth", "The value must be at least 0."),
        ({"steps": "0", "synth": "9999999"}, "synth", "The value must be at most 500,000."),
    ],
)
def test_a_training_form_with_bad_values_says_so_beside_the_field(client, it_officer, posted, field, error):
    client.force_login(it_officer)
    response = client.post(reverse("anpr:training-start"), posted)
    assert response.status_code == 400 and not TrainingRun.objects.exists()
    page = response.content.decode()
    form = page[page.index("data-training-form") : page.index("</form>", page.index("data-training-form"))]
    at = form.index(f'name="{field}"')
    beside = form[at : form.find(" name=", at + 1) if form.find(" name=", at + 1) > 0 else len(form)]
    assert 'aria-invalid="true"' in beside and error in beside
    assert f'value="{posted[field]}"' in form  # what was typed stays in the field


def test_a_run_started_from_the_page_shows_its_progress_and_tells_its_starter(
    client, settings, it_officer, hq, thr_camera, dest_clerk, fonts, django_capture_on_commit_callbacks
):
    _reviewed_crops(thr_camera, dest_clerk, fonts, n=10)
    seen = {}

    class Watching(Handing):
        def train(self, *, out, steps, progress=None, **kwargs):
            progress(0.5, "half way")
            run = TrainingRun.objects.get()
            seen["row"] = (run.state, run.progress, run.stage)
            seen["page"] = client.get(reverse("anpr:training-run", args=[run.pk]) + "?partial=1").content.decode()
            return super().train(out=out, steps=steps, progress=None, **kwargs)

    settings.ANPR_TRAINER = f"{__name__}.Watching"
    globals()["Watching"] = Watching
    client.force_login(hq)  # headquarters sees the models but does not train
    assert client.post(reverse("anpr:training-start"), {"steps": 2, "synth": 4}).status_code == 403
    client.force_login(it_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("anpr:training-start"), {"steps": 2, "synth": 4})
    run = TrainingRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("anpr:training-run", args=[run.pk])
    # While it trained, the row and the polled part showed where it was.
    assert seen["row"] == ("running", 52, "half way")
    assert 'hx-trigger="every 2s"' in seen["page"] and 'data-progress="52"' in seen["page"]
    # Done: the part stops polling and tells the outcome; the starter is notified.
    assert run.state == "done" and run.progress == 100 and run.started_by == it_officer and not run.active
    done = client.get(reverse("anpr:training-run", args=[run.pk]) + "?partial=1").content.decode()
    assert "hx-trigger" not in done and 'data-state="done"' in done
    note = Notification.objects.get(user=it_officer, kind=Kind.MODEL_TRAINED)
    assert note.url == reverse("anpr:training-run", args=[run.pk])


@pytest.mark.persian
def test_the_models_page_words_each_runs_outcome_in_the_users_language(client, it_officer):
    TrainingRun.objects.create(
        options={},
        started_by=it_officer,
        state=TrainingRun.State.DONE,
        active=False,
        progress=100,
        outcome=retraining.TOO_FEW.format(n=2, min=30),
    )
    client.force_login(it_officer)
    page = client.get(reverse("anpr:models")).content.decode()
    runs = page[page.index("data-runs") :]
    assert "تنها ۲ برش بررسی‌شده کنار گذاشته شد (برای داوری دست‌کم ۳۰ لازم است)" in runs
    assert "reviewed crops held out" not in runs


class Stepping(Handing):
    """Reports its steps as the torch trainer does: an English message with the figures beside it."""

    def train(self, *, out, steps, progress=None, **kwargs):
        progress(0.5, "step 3/20, loss 0.071", step=3, steps=20, loss=0.0712)
        Stepping.stage = TrainingRun.objects.latest("id").stage
        return super().train(out=out, steps=steps, progress=None, **kwargs)


def test_a_run_says_where_training_is_in_the_readers_language(
    client, settings, it_officer, thr_camera, dest_clerk, fonts
):
    """The worker runs in the server's language, not its reader's: the run keeps where it is in English and
    its page says it in the page's language, its numbers in its digits."""
    _reviewed_crops(thr_camera, dest_clerk, fonts, n=10)
    settings.ANPR_TRAINER = f"{__name__}.Stepping"
    run = retraining.training_start(by=it_officer, options={"steps": 2, "synth": 4}, enqueue=False)
    with translation.override("fa"):
        retraining.training_run(run_id=run.pk)
    assert Stepping.stage == "step 3 of 20, loss 0.071"
    TrainingRun.objects.filter(pk=run.pk).update(state=TrainingRun.State.RUNNING, stage=Stepping.stage)
    client.force_login(it_officer)
    url = reverse("anpr:training-run", args=[run.pk]) + "?partial=1"
    client.cookies["django_language"] = "fa"
    assert "گام ۳ از ۲۰، خطا ۰٫۰۷۱" in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(url).content.decode()
    assert "step 3 of 20, loss 0.071" in page and "گام" not in page


def test_a_queued_run_says_so_once(client, settings, it_officer):
    settings.ANPR_TRAINER = "tests.anpr.test_model_training.HandsBlank"
    run = retraining.training_start(by=it_officer, options={"steps": 2, "synth": 4}, enqueue=False)
    client.force_login(it_officer)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("anpr:training-run", args=[run.pk]) + "?partial=1").content.decode()
    assert "<strong>queued</strong></p>" in page  # not «queued — queued»


def test_one_run_at_a_time_and_a_failed_run_says_why(settings, it_officer):
    settings.ANPR_TRAINER = "tests.anpr.test_model_training.HandsBlank"
    run = retraining.training_start(by=it_officer, options={"steps": 1, "synth": 0}, enqueue=False)
    with pytest.raises(Exception, match="already queued or running"):
        retraining.training_start(by=it_officer, options={}, enqueue=False)
    run = retraining.training_run(run_id=run.pk)  # nothing to train on: no rendered plates, no crops
    assert run.state == "failed" and "nothing to train on" in run.outcome and not run.active
    assert Notification.objects.filter(user=it_officer, title__contains="failed").exists()
    stuck = retraining.training_start(by=it_officer, options={}, enqueue=False)
    assert stuck.state == "queued"
    # A run whose worker died does not block the next one for ever.
    TrainingRun.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - dt.timedelta(hours=13))
    assert retraining.training_start(by=it_officer, options={}, enqueue=False).state == "queued"
    stuck.refresh_from_db()
    assert stuck.state == "failed" and "abandoned" in stuck.outcome


def test_the_command_trains_and_reports(settings, thr_camera, dest_clerk, fonts, capsys):
    settings.ANPR_TRAINER = "tests.anpr.test_model_training.HandsBlank"
    _reviewed_crops(thr_camera, dest_clerk, fonts, n=12)
    call_command("anpr_train", "--steps", "2", "--synth", "4", "--holdout", "0.5", "--min-heldout", "3")
    out = capsys.readouterr().out
    assert "[ 20%]" in out and '"promoted": false' in out and '"version": 2' in out


def test_the_torch_trainer_really_trains_from_the_model_in_use(settings, thr_camera, dest_clerk, fonts):
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    settings.ANPR_TRAINER = "anpr.training.finetune.TorchTrainer"
    _reviewed_crops(thr_camera, dest_clerk, fonts, n=8)
    result = retraining.train_and_evaluate(
        options={"steps": 2, "synth": 16, "batch": 8, "holdout": 0.5, "min_heldout": 2}, progress=lambda p, s: None
    )
    model = result["model"]
    assert model.manifest["trainer"]["start"] == "warm" and model.manifest["trainer"]["steps"] == 2
    assert model.metrics["heldout"]["candidate"]["n"] == 4
    assert model.sha256 != registry.current_model().sha256 or result["promoted"]


@pytest.mark.persian
def test_a_versions_number_is_written_in_persian_digits_in_its_notice_and_its_roll_back_message(
    client, settings, it_officer, thr_camera, dest_clerk, fonts
):
    """«مدل پلاک‌خوان نسخه ۲ …», as the models page numbers it, not «نسخه 2» in a Persian sentence."""
    settings.ANPR_TRAINER = f"{__name__}.Handing"
    _reviewed_crops(thr_camera, dest_clerk, fonts, n=4)
    shipped = registry.current_model()
    run = retraining.training_run(
        run_id=retraining.training_start(by=it_officer, options={**OPTIONS, "min_heldout": 30}, enqueue=False).pk
    )
    fa = str(run.candidate.version).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    title = Notification.objects.get(user=it_officer, kind=Kind.MODEL_TRAINED).title
    assert f"نسخه {fa} " in title and not any(c.isascii() and c.isdigit() for c in title), title

    registry.model_promote(model=run.candidate, by=None, reason="test")
    client.force_login(it_officer)
    response = client.post(reverse("anpr:model-rollback", args=[shipped.pk]), {"reason": "worse at night"}, follow=True)
    assert "نسخه ۱ دوباره به‌کار گرفته شد." in response.content.decode()


@pytest.mark.persian
def test_the_training_forms_numbers_are_in_persian_digits_and_either_script_is_taken(client, it_officer):
    """As every number box of a Persian page: Persian digits shown, a numeric keyboard, Persian or Latin
    digits taken (a number input showed «400» and refused «۴۰۰»)."""
    from anpr.forms import TrainingForm

    client.force_login(it_officer)
    page = client.get(reverse("anpr:models")).content.decode()
    form = page[page.index("data-training-form") : page.index("</form>", page.index("data-training-form"))]
    for name in ("steps", "synth"):
        at = form.index(f'name="{name}"')
        box = form[form.rindex("<input", 0, at) : form.index(">", at)]
        value = persian_digits(retraining.DEFAULTS[name])
        assert 'type="text"' in box and 'inputmode="numeric"' in box and f'value="{value}"' in box, box
    for steps, synth in (("۲۰۰", "۱۲٬۰۰۰"), ("200", "12000"), ("٢٠٠", "12,000")):
        form = TrainingForm({"steps": steps, "synth": synth})
        assert form.is_valid(), form.errors
        assert (form.cleaned_data["steps"], form.cleaned_data["synth"]) == (200, 12000)
    response = client.post(reverse("anpr:training-start"), {"steps": "۰", "synth": "۱۰"})
    assert response.status_code == 400 and not TrainingRun.objects.exists()
    page = response.content.decode()
    assert 'value="۰"' in page and "مقدار باید دست‌کم ۱ باشد." in page


@pytest.mark.persian
def test_a_rollback_refused_names_the_version_in_persian_digits(client, it_officer):
    """«نسخه 2 هم‌اکنون در حال استفاده است.» had a Latin 2."""
    blank = registry.model_register(path=BLANK_MODEL, manifest={}, metrics={}, parent_version=1)
    never = registry.model_register(
        path=registry.shipped_weights().parent / "README.md", manifest={}, metrics={}, parent_version=1
    )
    registry.model_promote(model=blank, by=None, reason="trained, better")
    client.force_login(it_officer)
    refused = client.post(reverse("anpr:model-rollback", args=[blank.pk]), {"reason": "again"})
    assert f"نسخه {persian_digits(blank.version)} هم‌اکنون در حال استفاده است." in refused.content.decode()
    refused = client.post(reverse("anpr:model-rollback", args=[never.pk]), {"reason": "try it"})
    assert f"نسخه {persian_digits(never.version)} هرگز به‌کار گرفته نشده است" in refused.content.decode()


class NeedsWhatIsMissing(Handing):
    """A trainer whose training-only module is not installed here (as torch is not on a server set up from
    requirements.txt alone)."""

    requires = ("json", "no_such_training_module")


def test_without_the_trainer_installed_the_page_says_so_plainly_and_no_run_is_made(client, settings, admin_user):
    """A superuser read «pip install -r requirements-train.txt» beside the held-back button: the command is in
    the docs (docs/operations.md, anpr/training/README.md); the page says in words whom to ask (the IT office,
    who reads what to install: below)."""
    settings.ANPR_TRAINER = f"{__name__}.NeedsWhatIsMissing"
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("anpr:models")).content.decode()
    form = page[page.index("data-training-form") : page.index("</form>", page.index("data-training-form"))]
    button = form[form.index("<button") : form.index(">", form.index("<button"))]
    assert "disabled" in button and 'aria-describedby="training-unavailable"' in button
    said = form.split("data-training-unavailable>", 1)[1].split("</div>", 1)[0]
    assert said.strip() == "Training is not installed on this server: ask the IT office to install it."
    assert "pip" not in page and "requirements-train" not in page

    response = client.post(reverse("anpr:training-start"), {"steps": 2, "synth": 4})
    assert response.status_code == 400 and not TrainingRun.objects.exists()
    assert "not installed on this server" in response.content.decode() and "pip" not in response.content.decode()
    with pytest.raises(Exception, match="not installed"):
        retraining.training_start(by=None, options={}, enqueue=False)
    assert not TrainingRun.objects.exists()


def test_the_training_command_names_what_is_missing_and_how_to_install_it(settings):
    from django.core.management import CommandError, call_command

    settings.ANPR_TRAINER = f"{__name__}.NeedsWhatIsMissing"
    with pytest.raises(CommandError, match=r"no_such_training_module missing: pip install -r requirements-train\.txt"):
        call_command("anpr_train", steps=2, synth=4)
    assert not TrainingRun.objects.exists()


def test_the_torch_trainer_is_refused_up_front_where_torch_is_not_installed(settings, it_officer):
    import importlib.util

    if importlib.util.find_spec("torch") and importlib.util.find_spec("onnx"):
        pytest.skip("torch and onnx are installed here")
    settings.ANPR_TRAINER = "anpr.training.finetune.TorchTrainer"
    with pytest.raises(Exception, match="not installed on this server"):
        retraining.training_start(by=it_officer, options={}, enqueue=False)
    assert not TrainingRun.objects.exists()


def test_the_it_office_is_told_what_to_install_not_to_ask_itself(client, settings, it_officer):
    """The IT office read «ask the IT office to install it»: it is the IT office. It reads what is missing,
    the command and where the steps are; the button stays held back and no run is made."""
    settings.ANPR_TRAINER = f"{__name__}.NeedsWhatIsMissing"
    client.force_login(it_officer)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("anpr:models")).content.decode()
    form = page[page.index("data-training-form") : page.index("</form>", page.index("data-training-form"))]
    button = form[form.index("<button") : form.index(">", form.index("<button"))]
    assert "disabled" in button and 'aria-describedby="training-unavailable"' in button
    said = strip_isolates(form.split("data-training-unavailable>", 1)[1].split("</div>", 1)[0])
    assert "ask the IT office" not in said
    assert "no_such_training_module missing" in said
    assert "pip install -r requirements-train.txt" in said and "docs/operations.md" in said

    response = client.post(reverse("anpr:training-start"), {"steps": 2, "synth": 4})
    assert response.status_code == 400 and not TrainingRun.objects.exists()
    assert "pip install -r requirements-train.txt" in strip_isolates(response.content.decode())
    with pytest.raises(Exception, match="no_such_training_module"):
        retraining.training_start(by=it_officer, options={}, enqueue=False)
    assert not TrainingRun.objects.exists()


@pytest.mark.persian
def test_without_the_trainer_installed_the_page_says_so_in_persian(client, settings, it_officer, admin_user):
    settings.ANPR_TRAINER = f"{__name__}.NeedsWhatIsMissing"
    client.force_login(admin_user)
    page = client.get(reverse("anpr:models")).content.decode()
    said = page.split("data-training-unavailable>", 1)[1].split("</div>", 1)[0]
    assert said.strip() == "آموزش پلاک‌خوان روی این سرور نصب نشده است: از دفتر فاوا بخواهید آن را نصب کند."
    client.force_login(it_officer)
    page = client.get(reverse("anpr:models")).content.decode()
    said = strip_isolates(page.split("data-training-unavailable>", 1)[1].split("</div>", 1)[0])
    assert "از دفتر فاوا بخواهید" not in said
    assert said.strip().startswith("آموزش پلاک‌خوان روی این سرور نصب نشده است: no_such_training_module نیست.")
    assert "pip install -r requirements-train.txt" in said


class Breaks(Handing):
    """A trainer that fails as a library does, with its own technical words."""

    error: Exception = RuntimeError("CUDA error: device-side assert triggered at 0x7f")

    def train(self, *, progress=None, **kwargs):
        raise self.error


class LacksTorchOnTheWorker(Breaks):
    error = ModuleNotFoundError("No module named 'torch'", name="torch")


@pytest.mark.parametrize(
    ("trainer", "plain", "technical"),
    [
        ("Breaks", "the IT office finds the details in the server log", "CUDA error"),
        ("LacksTorchOnTheWorker", "pip install -r requirements-train.txt", "ModuleNotFoundError"),
    ],
)
def test_a_run_that_fails_says_so_plainly_and_shows_it_failed_not_stuck(
    client, settings, it_officer, caplog, trainer, plain, technical
):
    settings.ANPR_TRAINER = f"{__name__}.{trainer}"
    run = retraining.training_start(by=it_officer, options={"steps": 2, "synth": 4}, enqueue=False)
    with caplog.at_level("ERROR", logger="anpr.retraining"):
        run = retraining.training_run(run_id=run.pk)
    assert run.state == "failed" and not run.active
    assert technical in caplog.text  # the detail for the IT office, in the server log with the run's number
    assert f"training run {run.pk} failed" in caplog.text
    client.force_login(it_officer)
    client.cookies["django_language"] = "en"
    part = client.get(reverse("anpr:training-run", args=[run.pk]) + "?partial=1").content.decode()
    assert plain in part and technical not in part and "No module named" not in part
    assert "<progress" not in part and "data-failed" in part and "hx-trigger" not in part
    assert "stopped at 20%, while starting the training steps" in part
    runs = client.get(reverse("anpr:models")).content.decode()
    runs = runs[runs.index("data-runs") :]
    assert plain in runs and technical not in runs
    note = Notification.objects.get(user=it_officer, kind=Kind.MODEL_TRAINED)
    assert technical not in note.body and "No module named" not in note.body


@pytest.mark.parametrize(
    ("stored", "plain"),
    [
        ("ModuleNotFoundError: No module named 'torch'", "the IT office installs it with pip install -r"),
        ("RuntimeError: CUDA error: device-side assert triggered", "finds the details in the server log (training run"),
        (
            "RuntimeError: nothing to train on: no rendered plates and no reviewed crops",
            "nothing to train on: no rendered plates and no reviewed crops",
        ),
    ],
)
def test_a_run_that_failed_before_failures_were_worded_plainly_is_worded_as_one_failing_now(
    client, it_officer, admin_user, stored, plain
):
    """Runs that failed before kept the raw error as their outcome: the page words them as a failure is worded
    now (the detail stays in the log and the admin)."""
    run = TrainingRun.objects.create(
        options={}, started_by=it_officer, state=TrainingRun.State.FAILED, active=False, progress=20, outcome=stored
    )
    client.force_login(it_officer)
    client.cookies["django_language"] = "en"
    runs = client.get(reverse("anpr:models")).content.decode()
    runs = runs[runs.index("data-runs") :]
    part = client.get(reverse("anpr:training-run", args=[run.pk]) + "?partial=1").content.decode()
    for page in (runs, part):
        assert plain in page and "Error:" not in page and "No module named" not in page
    if "server log" in plain:
        assert f"(training run {run.pk})" in part
    client.force_login(admin_user)
    assert html.escape(stored) in client.get(reverse("admin:anpr_trainingrun_changelist")).content.decode()


@pytest.mark.persian
def test_a_run_that_failed_before_failures_were_worded_plainly_is_worded_in_persian(client, it_officer):
    run = TrainingRun.objects.create(
        options={},
        started_by=it_officer,
        state=TrainingRun.State.FAILED,
        active=False,
        outcome="ModuleNotFoundError: No module named 'torch'",
    )
    client.force_login(it_officer)
    part = client.get(reverse("anpr:training-run", args=[run.pk]) + "?partial=1").content.decode()
    assert "requirements-train.txt" in part and "ModuleNotFoundError" not in part
    assert "torch" in part and "missing" not in part


@pytest.mark.persian
def test_the_it_office_reads_the_install_step_in_persian_with_the_command_left_to_right(client, settings, it_officer):
    """The IT office read the docs section by its English title («Installing the trainer») and the command
    run into the Persian sentence: the section is named in Persian with its file, the command set apart,
    left to right, as code."""
    settings.ANPR_TRAINER = f"{__name__}.NeedsWhatIsMissing"
    client.force_login(it_officer)
    page = client.get(reverse("anpr:models")).content.decode()
    said = page.split("data-training-unavailable>", 1)[1].split("</div>", 1)[0]
    assert '<code dir="ltr">pip install -r requirements-train.txt</code>' in said
    assert "Installing the trainer" not in page
    assert "بخش «نصب ابزار آموزش»" in said and '<code dir="ltr">docs/operations.md</code>' in said
