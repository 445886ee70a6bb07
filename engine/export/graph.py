"""Build the self-contained ONNX graph of a trained run: raw ``uint8`` images in, probabilities out.

The graph has one input, ``images``: ``uint8`` RGB, NHWC, with dynamic batch, height and width.
It then does what :class:`engine.data.transforms.EvalPreprocess` does for every backbone, op for
op, on the same ``uint8`` values:

1. resize the shorter side to ``resize_size`` (the longer one to ``int(size * long / short)``),
   antialiased, bilinear or bicubic (Keys ``a = -0.5``, taps normalised inside the image: torch's
   and Pillow's antialias filter), on ``uint8`` with saturation;
2. center crop ``input_size`` with ``round((new - crop) / 2)`` offsets (round half to even);
3. ``(x - 255 * mean) / (255 * std)`` in float32.

The network part (backbones, concatenation, head, softmax) is exported from torch with a float
NCHW input per distinct preprocessing; the preprocessing sub-graph is written here with
``onnx.helper``, because the shape arithmetic of step 1 depends on the input's height and width,
which torch's exporters would otherwise freeze at the example's size. The two are joined in one
graph; parity with the torch pipeline is measured after every export (``engine.export.parity``).
"""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

from engine.export.contract import (
    DEFAULT_OPSET,
    EMBED_NAME,
    FORMAT_KEY,
    FORMAT_VERSION,
    INPUT_CONTRACT,
    INPUT_NAME,
    IS_UNKNOWN_NAME,
    MAX_OPSET,
    MIN_OPSET,
    PROBS_NAME,
    UNKNOWN_SCORE_NAME,
)
from engine.models.classifier import TransferModel
from engine.trust.model import TrustModel

DOC = (
    "Transfer Studio image classifier. Input 'images': uint8 RGB NHWC [batch, height, width, 3], any "
    "size (one size per batch); resizing, cropping and normalisation happen inside. Outputs "
    "'probabilities' [batch, classes] and 'embedding' [batch, features]. Class names: metadata 'classes'."
)


class _Core(nn.Module):
    """Backbones + head + tempered softmax on preprocessed float crops, one input per preprocessing.

    With a novelty model it also outputs ``unknown_score`` and ``is_unknown``, computed exactly as
    :meth:`engine.trust.novelty.NoveltyModel.scores` does: normalise the embedding, MatMul against
    the reference embeddings (an initializer), TopK, Div, Max and Greater.
    """

    def __init__(
        self, model: TransferModel, input_of_backbone: Sequence[int], trust: TrustModel | None = None
    ) -> None:
        super().__init__()
        self.model = model
        self.input_of_backbone = list(input_of_backbone)
        self.temperature = float(trust.temperature) if trust else 1.0
        self.novelty = trust.novelty if trust else None
        if self.novelty is not None:
            reference = np.ascontiguousarray(self.novelty.reference.T)  # (features, references)
            self.register_buffer("reference", torch.from_numpy(reference))

    def forward(self, *crops: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Return ``(probabilities, embedding)``, plus ``(unknown_score, is_unknown)`` with novelty."""
        embedding = self.model.embed([crops[i] for i in self.input_of_backbone])
        logits = self.model.head(embedding)
        if self.temperature != 1.0:
            logits = logits / self.temperature
        probs = torch.softmax(logits, dim=1)
        if self.novelty is None:
            return probs, embedding
        nov = self.novelty
        unit = embedding / embedding.norm(dim=1, keepdim=True).clamp_min(1e-12)
        k = min(nov.k, int(self.reference.shape[1]))
        kth = torch.topk(unit @ self.reference, k, dim=1).values[:, k - 1]
        distance = (1.0 - kth) / nov.distance_scale
        doubt = (1.0 - probs.max(dim=1).values) / nov.confidence_scale
        score = torch.maximum(distance, doubt) / nov.combined_scale
        return probs, embedding, score, score > 1.0


@dataclass(frozen=True)
class _Spec:
    """The fields of a backbone's preprocessing the graph needs (hashable, to share sub-graphs)."""

    input_size: int
    resize_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    interpolation: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> _Spec:
        return cls(
            int(d["input_size"]),
            int(d["resize_size"]),
            (float(d["mean"][0]), float(d["mean"][1]), float(d["mean"][2])),
            (float(d["std"][0]), float(d["std"][1]), float(d["std"][2])),
            str(d["interpolation"]),
        )


def distinct_specs(preprocess: Sequence[dict[str, Any]]) -> tuple[list[_Spec], list[int]]:
    """Distinct preprocessings, and which one each backbone uses (a stack may share one)."""
    specs: list[_Spec] = []
    index: list[int] = []
    for d in preprocess:
        spec = _Spec.from_dict(d)
        if spec not in specs:
            specs.append(spec)
        index.append(specs.index(spec))
    return specs, index


def export_core(
    model: TransferModel,
    specs: Sequence[_Spec],
    input_of_backbone: Sequence[int],
    opset: int,
    trust: TrustModel | None = None,
) -> onnx.ModelProto:
    """Export backbones + head + softmax with inputs ``x0, x1, ...`` (float NCHW crops, dynamic batch)."""
    plain = model.cpu().eval().to(memory_format=torch.contiguous_format)
    core = _Core(plain, input_of_backbone, trust).eval()
    examples = tuple(torch.zeros(2, 3, s.input_size, s.input_size) for s in specs)
    names = [f"x{i}" for i in range(len(specs))]
    outputs = [PROBS_NAME, EMBED_NAME]
    if core.novelty is not None:
        outputs += [UNKNOWN_SCORE_NAME, IS_UNKNOWN_NAME]
    axes = {name: {0: "batch"} for name in [*names, *outputs]}
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            core,
            examples,
            buffer,
            dynamo=False,
            input_names=names,
            output_names=outputs,
            dynamic_axes=axes,
            opset_version=opset,
            do_constant_folding=True,
        )
    return onnx.load_model_from_string(buffer.getvalue())


class _Builder:
    """Collects nodes and constant initializers under unique names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"ts_pre/{hint}_{self._count}"

    def const(self, hint: str, value: np.ndarray) -> str:
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: Sequence[str], hint: str, **attrs: Any) -> str:
        out = self.name(hint)
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], name=out + "_node", **attrs))
        return out


def _i64(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def _resized_hw(b: _Builder, height: str, width: str, size: int) -> tuple[str, str]:
    """``engine.data.transforms.resized_shape`` on 1-element int64 tensors."""
    size_t = b.const("size", _i64(size))
    short = b.op("Min", [height, width], "short")
    long = b.op("Max", [height, width], "long")
    scaled = b.op("Div", [b.op("Mul", [size_t, long], "size_x_long"), short], "scaled")  # exact floor
    new_long = b.op("Max", [scaled, b.const("one", _i64(1))], "new_long")
    landscape = b.op("LessOrEqual", [height, width], "landscape")
    new_h = b.op("Where", [landscape, size_t, new_long], "new_h")
    new_w = b.op("Where", [landscape, new_long, size_t], "new_w")
    return new_h, new_w


def _crop_start(b: _Builder, new: str, crop: int) -> str:
    """``round((new - crop) / 2)`` with Python's round half to even (ONNX ``Round`` does the same)."""
    margin = b.op(
        "Cast", [b.op("Sub", [new, b.const("crop", _i64(crop))], "margin")], "margin_f", to=TensorProto.DOUBLE
    )
    half = b.op("Div", [margin, b.const("two", np.array([2.0], dtype=np.float64))], "half")
    return b.op("Cast", [b.op("Round", [half], "rounded")], "start", to=TensorProto.INT64)


def _preprocess(b: _Builder, dims: tuple[str, str, str], spec: _Spec) -> str:
    """Resize, crop and normalise the ``uint8`` NHWC input for one preprocessing.

    The resize and the crop run on the NHWC input (ONNX Runtime resamples NHWC ``uint8`` a little
    faster, and the large input is never transposed); only the small float crop is transposed to
    the NCHW the network takes. ``dims`` are the batch size, height and width (1-element int64
    tensors). Resize gets all four output sizes rather than an ``axes`` attribute: ONNX Runtime's
    layout transformer (used with quantised convolutions) rewrites a 2-element ``sizes`` wrongly.

    Returns:
        The name of the float NCHW crop.
    """
    batch, height, width = dims
    new_h, new_w = _resized_hw(b, height, width, spec.resize_size)
    sizes = b.op("Concat", [batch, new_h, new_w, b.const("channels", _i64(3))], "sizes", axis=0)
    resized = b.op(
        "Resize",
        [INPUT_NAME, "", "", sizes],
        "resized",
        mode="cubic" if spec.interpolation == "bicubic" else "linear",
        antialias=1,
        cubic_coeff_a=-0.5,
        exclude_outside=1,
        coordinate_transformation_mode="half_pixel",
    )
    starts = b.op(
        "Concat",
        [_crop_start(b, new_h, spec.input_size), _crop_start(b, new_w, spec.input_size)],
        "starts",
        axis=0,
    )
    ends = b.op("Add", [starts, b.const("crop2", _i64(spec.input_size, spec.input_size))], "ends")
    cropped = b.op("Slice", [resized, starts, ends, b.const("axes", _i64(1, 2))], "cropped")
    as_float = b.op("Cast", [cropped], "as_float", to=TensorProto.FLOAT)
    # float32 constants computed exactly as EvalPreprocess does: float32(mean) * 255 in float32.
    mean = (np.array(spec.mean, dtype=np.float32) * np.float32(255.0)).reshape(1, 1, 1, 3)
    std = (np.array(spec.std, dtype=np.float32) * np.float32(255.0)).reshape(1, 1, 1, 3)
    centred = b.op("Sub", [as_float, b.const("mean", mean)], "centred")
    normalised = b.op("Div", [centred, b.const("std", std)], "normalised")
    return b.op("Transpose", [normalised], "nchw", perm=[0, 3, 1, 2])


def attach_preprocessing(core: onnx.ModelProto, specs: Sequence[_Spec]) -> onnx.ModelProto:
    """Replace the core's float inputs ``x0, x1, ...`` by one ``uint8`` NHWC input ``images``."""
    b = _Builder()
    shape = b.op("Shape", [INPUT_NAME], "shape")
    batch, height, width = (
        b.op("Slice", [shape, b.const("start", _i64(i)), b.const("end", _i64(i + 1))], name)
        for i, name in enumerate(("batch", "height", "width"))
    )
    crops = [_preprocess(b, (batch, height, width), spec) for spec in specs]
    graph = core.graph
    renames = {f"x{i}": crop for i, crop in enumerate(crops)}
    for node in graph.node:
        node.input[:] = [renames.get(name, name) for name in node.input]
    for output in graph.output:  # an identity-like core could pass an input straight through
        if output.name in renames:
            raise ValueError("the network's output is its input")
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(b.nodes + nodes)
    graph.initializer.extend(b.initializers)
    del graph.input[:]
    graph.input.append(
        helper.make_tensor_value_info(INPUT_NAME, TensorProto.UINT8, ["batch", "height", "width", 3])
    )
    return core


def set_metadata(model: onnx.ModelProto, metadata: dict[str, str]) -> None:
    """Replace ``metadata_props`` with ``metadata`` (all values strings)."""
    del model.metadata_props[:]
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value


def finish_graph(core: onnx.ModelProto, specs: Sequence[_Spec], metadata: dict[str, str]) -> onnx.ModelProto:
    """A copy of ``core`` with the preprocessing attached and ``metadata`` set, checked.

    Raises:
        onnx.checker.ValidationError: If the result is not a valid ONNX model.
    """
    graph = onnx.ModelProto()
    graph.CopyFrom(core)
    graph = attach_preprocessing(graph, specs)
    graph.producer_name = "transfer-studio"
    graph.doc_string = DOC
    set_metadata(graph, metadata)
    onnx.checker.check_model(graph)
    return graph


def build_graph(
    model: TransferModel,
    preprocess: Sequence[dict[str, Any]],
    opset: int = DEFAULT_OPSET,
    metadata: dict[str, str] | None = None,
    trust: TrustModel | None = None,
) -> onnx.ModelProto:
    """The whole float32 inference graph of ``model``.

    Args:
        model: The trained network, in eval mode.
        preprocess: One ``Preprocess.to_dict()`` per backbone, as ``run.json`` records them.
        opset: ONNX opset, at least :data:`MIN_OPSET`.
        metadata: ``metadata_props`` to store (see :func:`metadata_for`).
        trust: The run's temperature and novelty model; None exports the raw softmax only.
    """
    check_opset(opset)
    specs, input_of_backbone = distinct_specs(preprocess)
    core = export_core(model, specs, input_of_backbone, opset, trust)
    return finish_graph(core, specs, metadata or {})


def check_opset(opset: int) -> None:
    """Raise ``ValueError`` for an opset the export cannot target."""
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise ValueError(
            f"opset {opset} is not supported: the in-graph antialiased resize needs {MIN_OPSET} or newer, "
            f"and torch exports up to {MAX_OPSET}"
        )


def metadata_for(info: Any, opset: int, exported: str, quantization: str = "none") -> dict[str, str]:
    """``metadata_props`` for a run's export (``info`` is the run's :class:`engine.runs.files.RunInfo`)."""
    return {
        FORMAT_KEY: FORMAT_VERSION,
        "classes": json.dumps(list(info.classes), ensure_ascii=False),
        "input": json.dumps(INPUT_CONTRACT),
        "outputs": json.dumps({PROBS_NAME: len(info.classes), EMBED_NAME: int(sum(info.feature_dims))}),
        "backbones": json.dumps(list(info.backbones)),
        "strategy": str(info.strategy),
        "val_accuracy": repr(float(info.best_val_acc)),
        "trained": str(info.finished or info.created),
        "exported": exported,
        "preprocess": json.dumps(list(info.preprocess)),
        "opset": str(opset),
        "quantization": quantization,
    }
