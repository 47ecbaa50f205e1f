"""The committed pre-training (anpr/training/checkpoints/): its manifest names the file by SHA-256, and it
loads into the training CRNN with the current character set, so a session can fine-tune from it
(``train finetune --init``) instead of pre-training for about 30–50 minutes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from anpr.recognition.decode import N_CLASSES
from anpr.recognition.preprocess import INPUT_H, INPUT_W

CHECKPOINTS = Path(__file__).resolve().parents[2] / "anpr" / "training" / "checkpoints"


def _manifests() -> list[Path]:
    return sorted(CHECKPOINTS.glob("*.json"))


def test_every_committed_checkpoint_matches_its_manifest():
    assert _manifests(), "no committed checkpoint"
    for manifest in _manifests():
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        ckpt = CHECKPOINTS / meta["file"]
        assert hashlib.sha256(ckpt.read_bytes()).hexdigest() == meta["sha256"]
        assert ckpt.stat().st_size < 5_000_000  # kept small: a state_dict only, no optimiser state


def test_the_committed_pretraining_loads_into_the_crnn_with_the_current_charset():
    torch = pytest.importorskip("torch")
    from anpr.training.model import crnn_for_state

    for manifest in _manifests():
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        state = torch.load(CHECKPOINTS / meta["file"], map_location="cpu")
        model = crnn_for_state(state)  # the reader's size is the checkpoint's (train --arch)
        model.load_state_dict(state)
        assert sum(p.numel() for p in model.parameters()) == meta["parameters"]
        model.eval()
        with torch.no_grad():
            out = model(torch.zeros(1, 1, INPUT_H, INPUT_W))
        assert out.shape == (1, 40, N_CLASSES) and meta["classes"] == N_CLASSES


def test_a_reader_of_another_size_exports_and_reads_back_at_its_own_size(tmp_path):
    """A wider reader (``train --arch wide``) goes through export and back into torch (``state_from_onnx``,
    as the review-queue retraining does with the model in use) at its own size, giving the same output."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    from anpr.training.finetune import state_from_onnx
    from anpr.training.model import ARCHS, CRNN, crnn_for_state
    from anpr.training.train import export

    torch.manual_seed(0)
    wide = CRNN(**ARCHS["wide"]).eval()
    for bn in (m for m in wide.modules() if isinstance(m, torch.nn.BatchNorm2d)):  # as after training
        bn.bias.data.uniform_(-0.5, 0.5)
        bn.running_mean.uniform_(-0.5, 0.5)
    torch.save(wide.state_dict(), tmp_path / "wide.pt")
    export(str(tmp_path / "wide.pt"), str(tmp_path / "wide.onnx"))
    state = state_from_onnx(str(tmp_path / "wide.onnx"))
    back = crnn_for_state(state)
    back.load_state_dict(state)
    back.eval()
    assert back.proj.out_features == ARCHS["wide"]["rnn"] and back.cnn[0].out_channels == ARCHS["wide"]["ch"][0]
    x = torch.rand(2, 1, INPUT_H, INPUT_W)
    with torch.no_grad():
        assert torch.allclose(torch.log_softmax(back(x), -1), torch.log_softmax(wide(x), -1), atol=1e-4)
