"""A stand-in plate reader that reads nothing (always the CTC blank): a model surely worse than the
shipped one, for the tests of promotion and roll-back. ``tests/anpr/data/blank_crnn.onnx`` was made by
``python -m tests.anpr.blank_model`` (needs the training-only ``onnx``); the tests only load it."""

from __future__ import annotations

from pathlib import Path

BLANK_MODEL = Path(__file__).resolve().parent / "data" / "blank_crnn.onnx"


def build(path: Path = BLANK_MODEL) -> None:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from anpr.recognition.decode import N_CLASSES
    from anpr.recognition.preprocess import INPUT_H, INPUT_W

    steps = 40
    logp = np.full((1, steps, N_CLASSES), np.log(0.1 / (N_CLASSES - 1)), np.float32)
    logp[..., 0] = np.log(0.9)
    nodes = [
        helper.make_node("ReduceMean", ["image"], ["mean"], axes=[1, 2, 3], keepdims=1),
        helper.make_node("Reshape", ["mean", "shape"], ["mean3"]),
        helper.make_node("Mul", ["mean3", "zero"], ["nothing"]),
        helper.make_node("Add", ["nothing", "const"], ["logp"]),
    ]
    graph = helper.make_graph(
        nodes,
        "blank_crnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["n", 1, INPUT_H, INPUT_W])],
        [helper.make_tensor_value_info("logp", TensorProto.FLOAT, ["n", steps, N_CLASSES])],
        initializer=[
            numpy_helper.from_array(np.array([-1, 1, 1], np.int64), "shape"),
            numpy_helper.from_array(np.zeros((1,), np.float32), "zero"),
            numpy_helper.from_array(logp, "const"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


if __name__ == "__main__":
    build()
    print(BLANK_MODEL)
