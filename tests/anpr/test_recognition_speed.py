"""The vehicle-photo path made faster without changing what is read (issue 16 §2, sixth pass): the model's
output reused across batches, quick_score vectorised, Grana's connected components, the refinement skipped
for a box read confidently. Generated images only."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from anpr.recognition import localise as loc
from anpr.recognition.decode import _PLATE_CLASSES, GRAMMAR, log_softmax, quick_score
from anpr.recognition.engines import PlateCRNNEngine
from anpr.training.render import augment_crop, find_fonts, random_plate, render_plate, render_scene


@pytest.fixture(scope="module")
def fonts():
    found = find_fonts()
    if not found:
        pytest.skip("no Persian fonts installed (apt-get install fonts-farsiweb fonts-noto-core) — cannot render")
    return found


@pytest.fixture(scope="module")
def engine():
    eng = PlateCRNNEngine()
    assert eng.available, eng.unavailable_reason
    return eng


def _crops(fonts, n: int, seed: int) -> list[np.ndarray]:
    rng = random.Random(seed)
    return [augment_crop(render_plate(random_plate(rng), fonts, rng), rng) for _ in range(n)]


def test_the_model_gives_a_crop_the_same_output_in_any_batch(fonts, engine):
    # What lets a photo's chosen box be read from its scoring batch's output: bit for bit the same.
    crops = _crops(fonts, 12, 5)
    together = engine.model.logp(crops)
    for i, c in enumerate(crops):
        assert np.array_equal(engine.model.logp([c])[0], together[i])
    assert np.array_equal(np.concatenate([engine.model.logp(crops[:5]), engine.model.logp(crops[5:])]), together)


def test_a_photo_is_read_as_its_chosen_box_alone_and_the_box_is_run_once(fonts, engine, monkeypatch):
    rng = random.Random(21)
    model = type(engine.model)
    run = model.logp
    seen: list[int] = []

    def counting(self, crops):
        seen.extend(id(c) for c in crops)
        return run(self, crops)

    for _ in range(3):
        scene, _ = render_scene(random_plate(rng), fonts, rng)
        seen.clear()
        monkeypatch.setattr(model, "logp", counting)
        r = engine.read_image(scene)
        monkeypatch.undo()
        assert r.crop is not None and seen.count(id(r.crop)) == 1
        alone = engine.read_crop(r.crop)
        assert (alone.plate, alone.raw_text, alone.confidence, alone.not_iranian) == (
            r.plate,
            r.raw_text,
            r.confidence,
            r.not_iranian,
        )


def _quick_score_by_runs(logp: np.ndarray) -> float:
    """quick_score as first written (a loop over the runs), the reference of the vectorised one."""
    best = logp.argmax(axis=1)
    peak = logp.max(axis=1)
    starts = np.flatnonzero((best != 0) & np.concatenate([[True], best[1:] != best[:-1]]))
    if len(starts) == 0:
        return 0.0
    runs = np.split(np.arange(len(best)), starts[1:])
    conf = float(np.exp(np.mean([peak[r[best[r] == best[r[0]]]].max() for r in runs])))
    cls = best[starts] - 1
    shape_ok = len(cls) == 8 and bool(np.all(_PLATE_CLASSES[cls] == np.array([c == "D" for c in GRAMMAR])))
    return conf if shape_ok else conf * 0.5 * min(len(cls), 8) / 8


def test_quick_score_is_the_run_by_run_score():
    rng = np.random.default_rng(3)
    for i in range(2000):
        t = int(rng.integers(1, 45))
        x = rng.standard_normal((t, 35)).astype(np.float32) * rng.uniform(0.5, 8)
        if i % 3 == 0:
            x[:, 0] += rng.uniform(0, 10)  # blanks first and between
        if i % 5 == 0:
            x[np.arange(t), rng.integers(0, 35, t)] += 20  # sure frames, repeated classes
        lp = log_softmax(x).astype(np.float32)
        assert quick_score(lp) == _quick_score_by_runs(lp)
    assert quick_score(np.zeros((40, 35), np.float32)) == 0.0  # all blank


def test_grana_components_are_opencvs_default():
    rng = np.random.default_rng(9)
    for _ in range(200):
        h, w = (int(v) for v in rng.integers(1, 200, 2))
        mask = (rng.random((h, w)) < rng.uniform(0.05, 0.95)).astype(np.uint8) * 255
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        a, b = cv2.connectedComponentsWithStats(mask), loc._components(mask)
        # labels, stats, centroids (NaN for a background of no pixels, in both)
        assert a[0] == b[0] and all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a[1:], b[1:], strict=True))


def test_the_refinement_is_skipped_only_for_a_box_read_confidently(fonts):
    rng = random.Random(4)
    scene, _ = render_scene(random_plate(rng), fonts, rng)
    calls: list[int] = []

    def scorer(value):
        def score(crops):
            calls.append(len(crops))
            return [value] * len(crops)

        return score

    ranked: list[loc.Candidate] = []
    best = loc.localise(scene, scorer=scorer(0.99), ranked=ranked, confident=0.98)
    assert best is not None and len(calls) == 1 and len(ranked) == calls[0]  # the first boxes only
    calls.clear()
    assert loc.localise(scene, scorer=scorer(0.97), confident=0.98) is not None
    assert len(calls) == 2  # the best few refined
    calls.clear()
    assert loc.localise(scene, scorer=scorer(1.0), confident=None) is not None
    assert len(calls) == 2  # None: always refined


def test_a_separate_scorer_scores_the_boxes_and_the_reader_reads_the_chosen_one(fonts, engine, tmp_path):
    """With ``scorer_weights`` (a smaller model scoring a photo's boxes for a slower reader) the boxes are
    scored by the scorer and the chosen box is read by the reader: with the same model in both roles, a
    photo reads exactly as with the reader alone."""
    import shutil

    from anpr.recognition.crnn import DEFAULT_WEIGHTS

    scorer_file = tmp_path / "scorer.onnx"  # another file: its own session, so the roles can be told apart
    shutil.copy(DEFAULT_WEIGHTS, scorer_file)
    split = PlateCRNNEngine(str(DEFAULT_WEIGHTS), scorer_weights=str(scorer_file))
    assert split.scorer is not None and split.scorer is not split.model
    calls = {"scorer": 0, "reader": 0}
    for role, m in (("scorer", split.scorer), ("reader", split.model)):
        run = m.logp

        def counting(crops, role=role, run=run):
            calls[role] += len(crops)
            return run(crops)

        m.logp = counting  # type: ignore[method-assign]
    rng = random.Random(33)
    for _ in range(3):
        scene, _ = render_scene(random_plate(rng), fonts, rng)
        r, alone = split.read_image(scene), engine.read_image(scene)
        assert (r.plate, r.box, r.confidence, r.not_iranian) == (
            alone.plate,
            alone.box,
            alone.confidence,
            alone.not_iranian,
        )
    assert calls["scorer"] > 0 and calls["reader"] > 0
