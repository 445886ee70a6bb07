"""Bad ONNX files handed to ``predict`` and the Predict page: each is refused with a clear error.

Every case builds its file here with ``onnx.helper`` (no training needed) and opens it with
:class:`OnnxPredictor`, as the app and the CLI do. The case id ends in ``-error`` (a
:class:`ModelFileError` naming the file, raised before any ONNX Runtime session exists unless the
case is about ONNX Runtime itself) or ``-correct`` (a small valid model that classifies).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from engine.errors import ModelFileError
from engine.export.contract import FORMAT_KEY, FORMAT_VERSION, INPUT_NAME, JSON_KEYS, PROBS_NAME
from engine.inference.predictor import OnnxPredictor

CLASSES = ["ants", "bees"]


def _metadata(model: onnx.ModelProto) -> onnx.ModelProto:
    """Give ``model`` the metadata of a Transfer Studio export."""
    values = {key: json.dumps({}) for key in JSON_KEYS}
    values.update({FORMAT_KEY: FORMAT_VERSION, "classes": json.dumps(CLASSES)})
    for key, value in values.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    return model


def _classifier(input_type: int = TensorProto.UINT8, extra_nodes: list[onnx.NodeProto] | None = None,
                metadata: bool = True) -> onnx.ModelProto:
    """uint8 NHWC images -> mean colour -> the first two channels -> softmax (a valid tiny model)."""
    nodes = [
        helper.make_node("Cast", [INPUT_NAME], ["x"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMean", ["x", "axes"], ["mean"], keepdims=0),
        helper.make_node("Slice", ["mean", "start", "stop", "axis"], ["two"]),
        helper.make_node("Softmax", ["two"], [PROBS_NAME], axis=1),
        *(extra_nodes or []),
    ]
    initializers = [
        helper.make_tensor("axes", TensorProto.INT64, [2], [1, 2]),
        helper.make_tensor("start", TensorProto.INT64, [1], [0]),
        helper.make_tensor("stop", TensorProto.INT64, [1], [2]),
        helper.make_tensor("axis", TensorProto.INT64, [1], [1]),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info(INPUT_NAME, input_type, ["n", "h", "w", 3])],
        [helper.make_tensor_value_info(PROBS_NAME, TensorProto.FLOAT, ["n", 2])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    return _metadata(model) if metadata else model


def _external(tensor: onnx.TensorProto, location: str = "../../secret.bin") -> onnx.TensorProto:
    tensor.data_location = TensorProto.EXTERNAL
    del tensor.external_data[:]
    for key, value in (("location", location), ("offset", "0"), ("length", "16")):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    tensor.ClearField("float_data")
    tensor.ClearField("int64_data")
    return tensor


def _sparse(name: str) -> onnx.SparseTensorProto:
    values = _external(helper.make_tensor(f"{name}_values", TensorProto.FLOAT, [2], [1.0, 2.0]))
    indices = helper.make_tensor(f"{name}_indices", TensorProto.INT64, [2], [0, 3])
    return helper.make_sparse_tensor(values, indices, [4])


# ---------------------------------------------------------------------------------- the cases
def empty(folder: Path) -> bytes:
    return b""


def random_bytes(folder: Path) -> bytes:
    return np.random.default_rng(0).integers(0, 255, 5000, dtype=np.uint8).tobytes()


def truncated(folder: Path) -> bytes:
    data = _classifier().SerializeToString()
    return data[: len(data) // 2]


def text_file(folder: Path) -> bytes:
    return b"<html>this is not a model</html>"


def not_a_transfer_studio_model(folder: Path) -> bytes:
    return _classifier(metadata=False).SerializeToString()


def external_dense_initializer(folder: Path) -> bytes:
    model = _classifier()
    _external(model.graph.initializer[0])
    return model.SerializeToString()


def external_sparse_initializer(folder: Path) -> bytes:
    model = _classifier()
    model.graph.sparse_initializer.append(_sparse("weights"))
    return model.SerializeToString()


def external_sparse_in_a_subgraph(folder: Path) -> bytes:
    branch = helper.make_graph([helper.make_node("Identity", ["w"], ["out"])], "branch", [],
                               [helper.make_tensor_value_info("out", TensorProto.FLOAT, [4])])
    branch.sparse_initializer.append(_sparse("w"))
    true = helper.make_tensor("c", TensorProto.BOOL, [], [True])
    cond = helper.make_node("Constant", [], ["cond"], value=true)
    node = helper.make_node("If", ["cond"], ["unused"], then_branch=branch, else_branch=branch)
    return _classifier(extra_nodes=[cond, node]).SerializeToString()


def external_sparse_constant_attribute(folder: Path) -> bytes:
    node = helper.make_node("Constant", [], ["c"], sparse_value=_sparse("c"))
    return _classifier(extra_nodes=[node]).SerializeToString()


def external_data_in_a_local_function(folder: Path) -> bytes:
    model = _classifier(extra_nodes=[helper.make_node("Stash", [], ["s"], domain="local")])
    const = helper.make_node("Constant", [], ["s"], value=_external(helper.make_tensor("k", TensorProto.FLOAT,
                                                                                       [4], [0] * 4)))
    model.functions.append(helper.make_function("local", "Stash", [], ["s"], [const],
                                                [helper.make_opsetid("", 18)]))
    model.opset_import.append(helper.make_opsetid("local", 1))
    return model.SerializeToString()


def unknown_operator(folder: Path) -> bytes:
    node = helper.make_node("DoEvilThings", [PROBS_NAME], ["y"])
    return _classifier(extra_nodes=[node]).SerializeToString()


def unsupported_domain(folder: Path) -> bytes:
    model = _classifier(extra_nodes=[helper.make_node("Run", [PROBS_NAME], ["y"], domain="evil.ops")])
    model.opset_import.append(helper.make_opsetid("evil.ops", 1))
    return model.SerializeToString()


def wrong_input_type(folder: Path) -> bytes:
    return _classifier(input_type=TensorProto.FLOAT).SerializeToString()


def runtime_refuses_the_graph(folder: Path) -> bytes:
    """Passes every check of ours, but a node reads a tensor nothing produces."""
    node = helper.make_node("Relu", ["nothing_makes_this"], ["y"])
    return _classifier(extra_nodes=[node]).SerializeToString()


ERROR_CASES: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "empty": (empty, "empty"),
    "random_bytes": (random_bytes, "not an ONNX file"),
    "truncated": (truncated, "ONNX"),
    "text_file": (text_file, "not an ONNX file"),
    "not_a_transfer_studio_model": (not_a_transfer_studio_model, "not a Transfer Studio model"),
    "external_dense": (external_dense_initializer, "external data"),
    "external_sparse": (external_sparse_initializer, "external data"),
    "external_sparse_subgraph": (external_sparse_in_a_subgraph, "external data"),
    "external_sparse_attribute": (external_sparse_constant_attribute, "external data"),
    "external_local_function": (external_data_in_a_local_function, "external data"),
    "unknown_operator": (unknown_operator, "'DoEvilThings'"),
    "unsupported_domain": (unsupported_domain, "'evil.ops'"),
    "wrong_input_type": (wrong_input_type, "contract"),
}


@pytest.fixture
def no_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any ONNX Runtime session created from here on fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        pytest.fail("an ONNX Runtime session was created for a file that should have been refused")

    monkeypatch.setattr(ort, "InferenceSession", refuse)


@pytest.mark.parametrize("case", ERROR_CASES.values(), ids=[f"{k}-error" for k in ERROR_CASES])
def test_bad_model_file_is_refused_before_a_session(case, tmp_path, no_session):
    make, expected = case
    path = tmp_path / "model.onnx"
    path.write_bytes(make(tmp_path))
    with pytest.raises(ModelFileError, match=expected) as caught:
        OnnxPredictor(path)
    assert str(path) in str(caught.value)


def test_missing_model_file_is_named_error(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        OnnxPredictor(tmp_path / "gone.onnx")


def test_runtime_failure_is_wrapped_in_a_clear_error(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(runtime_refuses_the_graph(tmp_path))
    with pytest.raises(ModelFileError, match="ONNX Runtime cannot load this model") as caught:
        OnnxPredictor(path, providers=["CPUExecutionProvider"])
    assert str(path) in str(caught.value)


def test_valid_tiny_model_classifies_correct(tmp_path):
    path = tmp_path / "model.onnx"
    model = _classifier()
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    predictor = OnnxPredictor(path, providers=["CPUExecutionProvider"])
    red = np.zeros((8, 8, 3), np.uint8)
    red[..., 0] = 255
    [pred] = predictor.predict_arrays([red])
    assert pred.label == "ants" and pred.probability > 0.99
