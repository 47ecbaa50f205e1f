"""Small CRNN (conv + BiGRU) for CTC plate reading. Training-only: needs torch."""

from __future__ import annotations

import torch
from torch import nn

from anpr.recognition.decode import N_CLASSES
from anpr.recognition.preprocess import INPUT_H


def _cbr(i, o):
    return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]


# Sizes of the reader (conv channels, GRU width). "small" is the 0.31 M-parameter reader shipped since issue 4;
# "wide" (0.57 M) was tried in issue 16 §2's ninth pass (docs/benchmarks.md).
ARCHS = {"small": {"ch": (24, 48, 80, 96), "rnn": 96}, "wide": {"ch": (32, 64, 112, 128), "rnn": 128}}


class CRNN(nn.Module):
    def __init__(self, n_classes: int = N_CLASSES, ch=(24, 48, 80, 96), rnn: int = 96):
        super().__init__()
        c1, c2, c3, c4 = ch
        self.cnn = nn.Sequential(
            *_cbr(1, c1),
            nn.MaxPool2d(2),  # H/2,  W/2
            *_cbr(c1, c2),
            nn.MaxPool2d(2),  # H/4,  W/4
            *_cbr(c2, c3),
            *_cbr(c3, c3),
            nn.MaxPool2d((2, 1)),  # H/8
            *_cbr(c3, c4),
            nn.MaxPool2d((2, 1)),  # H/16
            nn.Dropout2d(0.1),
        )
        feat = c4 * (INPUT_H // 16)
        self.proj = nn.Linear(feat, rnn)
        self.rnn = nn.GRU(rnn, rnn, bidirectional=True, batch_first=True)
        self.head = nn.Linear(2 * rnn, n_classes)

    def forward(self, x):  # x: (N, 1, H, W) → logits (N, T, C)
        f = self.cnn(x)
        n, c, h, w = f.shape
        f = f.permute(0, 3, 1, 2).reshape(n, w, c * h)
        f = torch.relu(self.proj(f))
        f, _ = self.rnn(f)
        return self.head(f)


def crnn_for_state(state: dict) -> CRNN:
    """A CRNN shaped like ``state`` (a checkpoint or an ONNX file read back), whichever size it was trained at."""
    convs = [v for k, v in state.items() if k.startswith("cnn.") and k.endswith(".weight") and v.ndim == 4]
    ch = (convs[0].shape[0], convs[1].shape[0], convs[2].shape[0], convs[4].shape[0])
    return CRNN(n_classes=state["head.weight"].shape[0], ch=ch, rnn=state["proj.weight"].shape[0])
