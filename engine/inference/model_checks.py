"""Checks on an ONNX file before ONNX Runtime sees it, and session creation with clear errors.

A model file is untrusted input. Before any inference session is created:

- **No external data.** Every stored tensor must embed its bytes: initializers, *sparse*
  initializers (their values and indices), tensors in node attributes, and the same inside
  subgraphs (``If``/``Loop``/``Scan`` bodies) and local functions. External data makes ONNX
  Runtime open other files by a path the model chooses (reliability plan, lesson 9).
- **Known operators only.** Each node's domain must be one ONNX Runtime implements and, for the
  standard ONNX domains, its operator must exist there; otherwise the error names the file and
  the operator instead of showing ONNX Runtime's traceback.

Anything ONNX Runtime still refuses when the session is created becomes a
:class:`~engine.errors.ModelFileError` naming the file (:func:`open_session`). Never imports torch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import onnx
from onnx import defs

from engine.errors import ModelFileError

STANDARD_DOMAINS = frozenset({"", "ai.onnx", "ai.onnx.ml"})
RUNTIME_DOMAINS = frozenset({"com.microsoft", "com.microsoft.nchwc", "ai.onnx.preview.training"})
PREFERRED_PROVIDERS = (
    "CUDAExecutionProvider",
    "CoreMLExecutionProvider",
    "DmlExecutionProvider",
    "CPUExecutionProvider",
)


def _attribute_tensors(node: onnx.NodeProto) -> Iterator[onnx.TensorProto]:
    for attr in node.attribute:
        if attr.HasField("t"):
            yield attr.t
        yield from attr.tensors
        if attr.HasField("sparse_tensor"):
            yield attr.sparse_tensor.values
            yield attr.sparse_tensor.indices
        for sparse in attr.sparse_tensors:
            yield sparse.values
            yield sparse.indices
        if attr.HasField("g"):
            yield from graph_tensors(attr.g)
        for sub in attr.graphs:
            yield from graph_tensors(sub)


def graph_tensors(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
    """Every tensor stored in a graph: dense and sparse initializers, node attributes, subgraphs."""
    yield from graph.initializer
    for sparse in graph.sparse_initializer:
        yield sparse.values
        yield sparse.indices
    for node in graph.node:
        yield from _attribute_tensors(node)


def _all_nodes(nodes: Iterable[onnx.NodeProto]) -> Iterator[onnx.NodeProto]:
    """``nodes`` and every node of their subgraphs."""
    for node in nodes:
        yield node
        for attr in node.attribute:
            if attr.HasField("g"):
                yield from _all_nodes(attr.g.node)
            for sub in attr.graphs:
                yield from _all_nodes(sub.node)


def model_nodes(model: onnx.ModelProto) -> Iterator[onnx.NodeProto]:
    """Every node of the model: main graph, subgraphs and local functions."""
    yield from _all_nodes(model.graph.node)
    for function in model.functions:
        yield from _all_nodes(function.node)


def check_no_external_data(path: Path, model: onnx.ModelProto) -> None:
    """Refuse a model whose tensors (dense or sparse, anywhere) keep their bytes in other files.

    Raises:
        ModelFileError: Naming the file.
    """
    stored = [*graph_tensors(model.graph)]
    for function in model.functions:
        for node in _all_nodes(function.node):
            stored.extend(_attribute_tensors(node))
    external = [t for t in stored if t.data_location == onnx.TensorProto.EXTERNAL or len(t.external_data)]
    if external:
        name = external[0].name or "a tensor"
        raise ModelFileError(
            f"{path}: the model declares external data ({name!r} keeps its weights in a separate file); "
            "Transfer Studio models embed every weight, so this file is refused"
        )


def check_operators(path: Path, model: onnx.ModelProto) -> None:
    """Refuse a node whose operator ONNX Runtime does not implement, naming it.

    Raises:
        ModelFileError: For an unknown domain, or an operator that the standard ONNX domains lack.
    """
    local = {(f.domain, f.name) for f in model.functions}
    for node in model_nodes(model):
        where = f"node {node.name!r} " if node.name else ""
        if (node.domain, node.op_type) in local:
            continue
        if node.domain in STANDARD_DOMAINS:
            if not defs.has(node.op_type, "" if node.domain == "ai.onnx" else node.domain):
                raise ModelFileError(
                    f"{path}: {where}uses the operator {node.op_type!r}, which ONNX does not define; "
                    "this is not a model Transfer Studio exported. Export the run again"
                )
        elif node.domain not in RUNTIME_DOMAINS:
            raise ModelFileError(
                f"{path}: {where}uses the operator {node.op_type!r} from the domain {node.domain!r}, which "
                "ONNX Runtime does not support; this is not a model Transfer Studio exported"
            )


def check_model(path: Path, model: onnx.ModelProto) -> None:
    """All checks that must pass before a session is created (external data, operators).

    Raises:
        ModelFileError: Naming the file and what is wrong.
    """
    check_no_external_data(path, model)
    check_operators(path, model)


def pick_providers(available: Iterable[str]) -> list[str]:
    """The best available execution providers, in order, the CPU always last."""
    have = set(available)
    return [p for p in PREFERRED_PROVIDERS if p in have] or ["CPUExecutionProvider"]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def open_session(path: Path, data: bytes, providers: Sequence[str] | None, threads: int | None) -> Any:
    """An ONNX Runtime session for checked model bytes; a GPU provider that fails falls back to the CPU.

    Raises:
        ModelFileError: If ONNX Runtime cannot load the model even on the CPU (with its reason).
    """
    import onnxruntime as ort

    chosen = list(providers) if providers else pick_providers(ort.get_available_providers())
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
    if "DmlExecutionProvider" in chosen:  # DirectML's documented requirements
        options.enable_mem_pattern = False
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    attempts = [chosen] if chosen == ["CPUExecutionProvider"] else [chosen, ["CPUExecutionProvider"]]
    failure: Exception | None = None
    for attempt in attempts:
        try:
            return ort.InferenceSession(data, options, providers=attempt)
        except Exception as exc:  # ORT raises its own Fail/InvalidGraph/RuntimeException types
            failure = exc
    raise ModelFileError(
        f"{path}: ONNX Runtime cannot load this model ({_first_line(failure)}); "
        "export the run again with this version of Transfer Studio"
    ) from failure
