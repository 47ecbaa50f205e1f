"""Fine-tune the plate CRNN from the model in use on rendered plates plus reviewed crops (torch).

Training-only (``requirements-train.txt``). ``manage.py anpr_train`` (``anpr.retraining``) calls
``TorchTrainer().train(...)``; the trainer is a setting (``ANPR_TRAINER``) so that tests can plug a
quick one in. The model in use is an ONNX file: its weights are read back into the torch CRNN
(``state_from_onnx``; the export folded each BatchNorm into its convolution, so the BatchNorms come
back as identity plus bias and stay frozen while fine-tuning). When the ONNX file does not fit the
CRNN's layout (another architecture), training starts from scratch and says so.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable

import cv2
import numpy as np

# (share done, a message in English; keyword details: step, steps, loss) for callers that word it themselves
Progress = Callable[..., None]


def state_from_onnx(path: str) -> dict:
    """The torch CRNN ``state_dict`` equal (in eval mode) to an exported ``plate_crnn.onnx``."""
    import onnx
    import torch
    from onnx import numpy_helper

    from anpr.training.model import CRNN, crnn_for_state

    graph = onnx.load(path).graph
    init = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    ref = CRNN().state_dict()  # the layout's names; its sizes are the ONNX file's (crnn_for_state, below)
    state: dict = {}
    convs = [n for n in graph.node if n.op_type == "Conv"]
    conv_keys = [k.removesuffix(".weight") for k, v in ref.items() if k.startswith("cnn.") and v.ndim == 4]
    if len(convs) != len(conv_keys):
        raise ValueError(f"{len(convs)} convolutions in the ONNX file, {len(conv_keys)} in the CRNN")
    for node, key in zip(convs, conv_keys, strict=True):
        weight, bias = init[node.input[1]], init[node.input[2]]
        prefix, idx = key.rsplit(".", 1)
        bn = f"{prefix}.{int(idx) + 1}"
        state[f"{key}.weight"] = torch.from_numpy(weight.copy())
        # BatchNorm as identity plus the folded bias: (x - 0) / sqrt(1 - eps + eps) * 1 + bias.
        state[f"{bn}.weight"] = torch.ones(len(bias))
        state[f"{bn}.bias"] = torch.from_numpy(bias.copy())
        state[f"{bn}.running_mean"] = torch.zeros(len(bias))
        state[f"{bn}.running_var"] = torch.full((len(bias),), 1.0 - 1e-5)
        state[f"{bn}.num_batches_tracked"] = torch.tensor(0)
    matmuls = [n for n in graph.node if n.op_type == "MatMul"]
    adds = {i: n for n in graph.node if n.op_type == "Add" for i in n.input}
    linear = []
    for node in matmuls:
        weight_name = next(i for i in node.input if i in init)
        add = adds.get(node.output[0])
        bias_name = next(i for i in add.input if i in init) if add else None
        linear.append((init[weight_name].T, init[bias_name] if bias_name else None))
    for key, (weight, bias) in zip(("proj", "head"), linear, strict=True):
        state[f"{key}.weight"] = torch.from_numpy(np.ascontiguousarray(weight))
        state[f"{key}.bias"] = torch.from_numpy(bias.copy())
    gru = next(n for n in graph.node if n.op_type == "GRU")
    w, r, b = (init[name] for name in gru.input[1:4])
    hidden = r.shape[-1]

    def reorder(m):  # ONNX gates z, r, h → torch r, z, n
        z, rr, h = np.split(m, 3, axis=0)
        return np.concatenate([rr, z, h], axis=0)

    for d, suffix in enumerate(("", "_reverse")):
        state[f"rnn.weight_ih_l0{suffix}"] = torch.from_numpy(reorder(w[d]))
        state[f"rnn.weight_hh_l0{suffix}"] = torch.from_numpy(reorder(r[d]))
        state[f"rnn.bias_ih_l0{suffix}"] = torch.from_numpy(reorder(b[d][: 3 * hidden]))
        state[f"rnn.bias_hh_l0{suffix}"] = torch.from_numpy(reorder(b[d][3 * hidden :]))
    # Classes are only ever appended (decode.CHARSET: D and S after the Persian letters), so a model with
    # fewer classes keeps its rows and the new ones start from the fresh CRNN's, with a bias low enough
    # that they are not read until training teaches them.
    ref = crnn_for_state({**state, "head.weight": ref["head.weight"]}).state_dict()
    own_classes, old_classes = ref["head.weight"].shape[0], state["head.weight"].shape[0]
    if old_classes < own_classes:
        weight, bias = ref["head.weight"].clone(), torch.full((own_classes,), -10.0)
        weight[:old_classes], bias[:old_classes] = state["head.weight"], state["head.bias"]
        state["head.weight"], state["head.bias"] = weight, bias
    missing = set(ref) - set(state)
    wrong = [k for k in ref if k in state and tuple(ref[k].shape) != tuple(state[k].shape)]
    if missing or wrong:
        raise ValueError(f"ONNX weights do not fit the CRNN: missing {sorted(missing)}, other shape {wrong}")
    return state


class TorchTrainer:
    """Fine-tune (or, when the weights do not fit, train from scratch) and export to ONNX."""

    name = "torch-crnn"
    # Training-only modules (requirements-train.txt): without them no run is started (``retraining.trainer_missing``).
    requires = ("torch", "onnx")

    def train(
        self,
        *,
        init_weights: str | None,
        synth_x: np.ndarray,
        synth_y: list[str],
        reviewed: list[tuple[np.ndarray, str]],
        out: str,
        steps: int,
        batch: int = 64,
        lr: float = 5e-4,
        real_frac: float = 0.5,
        seed: int = 0,
        threads: int = 1,
        progress: Progress | None = None,
    ) -> dict:
        import torch
        from torch import nn

        from anpr.training.model import CRNN, crnn_for_state
        from anpr.training.train import aug_real, aug_synth, batch_tensors, export, seed_all

        torch.set_num_threads(threads)
        cv2.setNumThreads(1)
        seed_all(seed)
        rng = random.Random(seed)
        model = CRNN()
        start = "scratch"
        if init_weights:
            try:
                state = state_from_onnx(init_weights)
                model = crnn_for_state(state)
                model.load_state_dict(state)
                start = "warm"
            except (ValueError, KeyError, StopIteration) as exc:
                start = f"scratch ({exc})"
        real = [
            (None, plate, "crop", cv2.resize(img, (320, 64), interpolation=cv2.INTER_AREA)) for img, plate in reviewed
        ]
        n_real = int(batch * real_frac) if real else 0
        model.train()
        frozen = start == "warm"
        if frozen:  # BatchNorms are the folded biases: batch statistics would undo the model
            for m in model.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.eval()
                    m.weight.requires_grad_(False)
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(steps, 1), pct_start=0.1)
        ctc = nn.CTCLoss(blank=0, zero_infinity=True)
        t0, running = time.time(), None
        every = max(1, steps // 50)
        for step in range(1, steps + 1):
            xs, ys = [], []
            for _ in range(batch - n_real):
                i = rng.randrange(len(synth_y))
                xs.append(aug_synth(synth_x[i], rng))
                ys.append(synth_y[i])
            for _ in range(n_real):
                item = real[rng.randrange(len(real))]
                xs.append(aug_real(item, rng))
                ys.append(item[1])
            x, targets, lengths = batch_tensors(xs, ys)
            logp = torch.log_softmax(model(x), -1).permute(1, 0, 2)
            input_lengths = torch.full((x.shape[0],), logp.shape[0], dtype=torch.long)
            loss = ctc(logp, targets, input_lengths, lengths)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 5.0)
            opt.step()
            sched.step()
            running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
            if progress and (step % every == 0 or step == steps):
                progress(
                    step / steps,
                    f"step {step}/{steps}, loss {running:.3f}",
                    step=step,
                    steps=steps,
                    loss=float(running),
                )
        model.eval()
        with tempfile.TemporaryDirectory() as tmp:
            ckpt = os.path.join(tmp, "model.pt")
            torch.save(model.state_dict(), ckpt)
            export(ckpt, out)
        return {
            "trainer": self.name,
            "start": start,
            "steps": steps,
            "batch": batch,
            "lr": lr,
            "real_per_batch": n_real,
            "final_loss": round(running or 0.0, 4),
            "seconds": round(time.time() - t0, 1),
        }
