"""Negatives for the reader's training (``synth --negatives``, ``train finetune --negatives``): plates of the
layouts the reader must give no text to, each with an empty target, so that its own read of such a plate is
not of the Iranian form."""

from __future__ import annotations

import numpy as np
import pytest

from anpr.recognition.preprocess import INPUT_H, INPUT_W
from anpr.training import layouts
from anpr.training.render import find_fonts
from anpr.training.synth import make_negatives


@pytest.fixture(scope="module")
def fonts():
    found = find_fonts()
    if not found:
        pytest.skip("no Persian fonts installed (apt-get install fonts-farsiweb)")
    return found


def test_negatives_are_every_foreign_and_other_layout_plate_with_no_text(fonts):
    kinds = [*layouts.FOREIGN, *layouts.IRANIAN_OTHER]
    xs, ys = make_negatives(2 * len(kinds), seed=5, fonts=fonts)
    assert xs.shape == (2 * len(kinds), INPUT_H, INPUT_W) and xs.dtype == np.uint8
    assert ys == [""] * len(xs)
    # each is a plate with something drawn on it, not a blank frame, and no two are the same picture
    assert all(float(x.std()) > 10 for x in xs)
    assert len({x.tobytes() for x in xs}) == len(xs)
    # seeded: the same set again
    again, _ = make_negatives(2 * len(kinds), seed=5, fonts=fonts)
    assert np.array_equal(xs, again)


def test_a_fine_tune_with_negatives_learns_to_give_them_no_text(fonts, tmp_path):
    """A few steps on negatives only (the synthetic share all negatives) move the reader towards all-blank on
    them: the CTC loss of the empty target falls."""
    torch = pytest.importorskip("torch")
    from anpr.recognition.preprocess import normalise
    from anpr.training.model import CRNN
    from anpr.training.synth import make
    from anpr.training.train import main

    sx, sy = make(16, seed=3, fonts=fonts)
    nx, ny = make_negatives(32, seed=4, fonts=fonts)
    np.savez_compressed(tmp_path / "synth.npz", x=sx, y=np.array(sy))
    np.savez_compressed(tmp_path / "neg.npz", x=nx, y=np.array(ny))
    torch.manual_seed(0)
    init = CRNN()
    torch.save(init.state_dict(), tmp_path / "init.pt")

    def blank_loss(state_path) -> float:
        model = CRNN()
        model.load_state_dict(torch.load(state_path, map_location="cpu"))
        model.eval()
        with torch.no_grad():
            lp = torch.log_softmax(model(torch.from_numpy(normalise(nx)[:, None])), -1)
        return float(-lp[..., 0].sum(-1).mean())  # -log P(every step blank) = CTC loss of ''

    before = blank_loss(tmp_path / "init.pt")
    main(["finetune", "--init", str(tmp_path / "init.pt"), "--synth", str(tmp_path / "synth.npz"),
          "--negatives", str(tmp_path / "neg.npz"), "--neg-frac", "1.0", "--steps", "30", "--batch", "8",
          "--lr", "3e-3", "--log-every", "30", "--out", str(tmp_path / "out.pt")])  # fmt: skip
    assert blank_loss(tmp_path / "out.pt") < before / 2
