"""Classify images with an exported Transfer Studio ONNX file, without torch.

The file is checked before ONNX Runtime sees it: it must parse as ONNX, embed all its weights
(no external data) and carry Transfer Studio's format version in its metadata. Images are
decoded with the same robust loader as training (:func:`engine.imaging.load_rgb_array`) in a
thread pool, grouped by size (the graph takes one height and width per batch) and run through
the best available execution provider. A file that cannot be decoded becomes an error result,
never an exception.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx

from engine.data.scan import iter_image_files
from engine.errors import ImageError, ModelFileError
from engine.export.contract import (
    EMBED_NAME,
    FORMAT_KEY,
    INPUT_NAME,
    JSON_KEYS,
    PARITY_KEY,
    PROBS_NAME,
    SUPPORTED_FORMATS,
)
from engine.imaging import load_rgb_array

PREFERRED_PROVIDERS = (
    "CUDAExecutionProvider",
    "CoreMLExecutionProvider",
    "DmlExecutionProvider",
    "CPUExecutionProvider",
)
Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


@dataclass(frozen=True)
class Prediction:
    """The network's answer for one image.

    Attributes:
        probabilities: One probability per class, in the order of ``classes``.
        embedding: The penultimate features (for "none of my classes" checks).
        classes: The class names.
    """

    probabilities: np.ndarray
    embedding: np.ndarray
    classes: tuple[str, ...]

    @property
    def label(self) -> str:
        """The most probable class."""
        return self.classes[int(np.argmax(self.probabilities))]

    @property
    def probability(self) -> float:
        """Probability of :attr:`label`."""
        return float(np.max(self.probabilities))

    def top(self, k: int) -> list[tuple[str, float]]:
        """The ``k`` most probable ``(label, probability)`` pairs, best first."""
        order = np.argsort(-self.probabilities, kind="stable")[: max(1, k)]
        return [(self.classes[i], float(self.probabilities[i])) for i in order]


@dataclass(frozen=True)
class PathResult:
    """One file's outcome: its top-k labels (and optionally the embedding), or the error."""

    path: str
    top: tuple[tuple[str, float], ...] = ()
    embedding: np.ndarray | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the file was classified."""
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``path``, ``label``, ``probability``, ``top`` (and ``embedding``), or ``error``."""
        if self.error is not None:
            return {"path": self.path, "error": self.error}
        data: dict[str, Any] = {
            "path": self.path,
            "label": self.top[0][0],
            "probability": self.top[0][1],
            "top": [{"label": label, "probability": p} for label, p in self.top],
        }
        if self.embedding is not None:
            data["embedding"] = [float(v) for v in self.embedding]
        return data


def _tensors(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
    """Every tensor stored in a graph: initializers and node attributes, subgraphs included."""
    yield from graph.initializer
    for node in graph.node:
        for attr in node.attribute:
            if attr.HasField("t"):
                yield attr.t
            yield from attr.tensors
            if attr.HasField("g"):
                yield from _tensors(attr.g)
            for sub in attr.graphs:
                yield from _tensors(sub)


def _parse(path: Path, data: bytes) -> onnx.ModelProto:
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception as exc:  # protobuf raises DecodeError (or RuntimeError from its C backend)
        raise ModelFileError(f"{path}: the file is truncated or not an ONNX file ({exc})") from exc
    if not model.HasField("graph"):
        raise ModelFileError(f"{path}: the file is truncated or not an ONNX file (it holds no graph)")
    return model


def _metadata(path: Path, model: onnx.ModelProto) -> dict[str, Any]:
    raw = {entry.key: entry.value for entry in model.metadata_props}
    version = raw.get(FORMAT_KEY)
    if version is None:
        raise ModelFileError(
            f"{path}: not a Transfer Studio model (its metadata has no {FORMAT_KEY}); "
            "export a trained run with 'main.py export RUN_DIR'"
        )
    if version not in SUPPORTED_FORMATS:
        raise ModelFileError(f"{path}: model format {version} is newer than this app; update Transfer Studio")
    meta: dict[str, Any] = dict(raw)
    try:
        for key in JSON_KEYS:
            meta[key] = json.loads(raw[key])
    except (KeyError, ValueError) as exc:
        raise ModelFileError(f"{path}: the model's metadata is incomplete or damaged ({exc})") from exc
    if not isinstance(meta["classes"], list) or not meta["classes"]:
        raise ModelFileError(f"{path}: the model's metadata lists no classes")
    return meta


def _check_graph(path: Path, model: onnx.ModelProto, n_classes: int) -> None:
    inputs = {i.name: i for i in model.graph.input}
    outputs = {o.name for o in model.graph.output}
    image_input = inputs.get(INPUT_NAME)
    if (
        image_input is None
        or image_input.type.tensor_type.elem_type != onnx.TensorProto.UINT8
        or len(image_input.type.tensor_type.shape.dim) != 4
        or PROBS_NAME not in outputs
    ):
        raise ModelFileError(
            f"{path}: the graph does not have the Transfer Studio contract "
            f"(uint8 NHWC input '{INPUT_NAME}', output '{PROBS_NAME}'); the file was altered"
        )
    for output in model.graph.output:
        dims = output.type.tensor_type.shape.dim
        fixed = output.name == PROBS_NAME and len(dims) == 2 and dims[1].HasField("dim_value")
        if fixed and dims[1].dim_value != n_classes:
            raise ModelFileError(f"{path}: the graph has {dims[1].dim_value} outputs for {n_classes} classes")


def read_model_file(path: str | Path) -> tuple[bytes, dict[str, Any]]:
    """Read and check an exported model before any ONNX Runtime session is created.

    Returns:
        The file's bytes (give these to the session, so that what was checked is what runs) and
        its metadata, JSON values decoded (``classes``, ``input``, ``backbones``, ``preprocess``).

    Raises:
        ModelFileError: If the file is missing, empty, truncated, not ONNX, declares external
            data, is not a Transfer Studio model, or comes from a newer format.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read the model file ({exc.strerror or exc})") from exc
    if not data:
        raise ModelFileError(f"{path}: the model file is empty")
    model = _parse(path, data)
    if any(t.data_location == onnx.TensorProto.EXTERNAL for t in _tensors(model.graph)):
        raise ModelFileError(
            f"{path}: the model declares external data (weights in separate files); Transfer Studio "
            "models embed every weight, so this file is refused"
        )
    meta = _metadata(path, model)
    _check_graph(path, model, len(meta["classes"]))
    parity = meta.get(PARITY_KEY)
    if isinstance(parity, dict) and parity.get("passed") is False:
        raise ModelFileError(
            f"{path}: this export failed its parity check (top-1 agreement "
            f"{float(parity.get('top1_agreement', 0)):.1%} with the app), so its answers cannot be "
            "trusted; export the run again"
        )
    return data, meta


def pick_providers(available: Iterable[str]) -> list[str]:
    """The best available execution providers, in order, the CPU always last."""
    have = set(available)
    return [p for p in PREFERRED_PROVIDERS if p in have] or ["CPUExecutionProvider"]


def _session(data: bytes, providers: Sequence[str] | None, threads: int | None) -> Any:
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
    try:
        return ort.InferenceSession(data, options, providers=chosen)
    except Exception:
        if chosen == ["CPUExecutionProvider"]:
            raise
        return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def as_rgb(image: np.ndarray) -> np.ndarray:
    """Check (and if grey, expand) an image array to ``HxWx3`` ``uint8``.

    Raises:
        ValueError: If it is not ``uint8`` or not ``HxW``, ``HxWx1`` or ``HxWx3``.
    """
    if image.dtype != np.uint8:
        raise ValueError(f"images must be uint8 arrays, not {image.dtype}")
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3 or image.shape[2] not in (1, 3):
        raise ValueError(f"images must be HxWx3 RGB arrays, not shape {image.shape}")
    return np.repeat(image, 3, axis=2) if image.shape[2] == 1 else image


def expand_paths(paths: Iterable[str | Path]) -> list[tuple[Path, str | None]]:
    """Files given directly and image files found in folders (recursively, sorted).

    Returns:
        ``(path, None)`` per file to classify, ``(path, reason)`` for a path that does not exist.
    """
    found: list[tuple[Path, str | None]] = []
    for item in paths:
        path = Path(item).expanduser()
        if path.is_dir():
            found.extend((p, None) for p in iter_image_files(path))
        elif path.is_file():
            found.append((path, None))
        else:
            found.append((path, "no such file or folder"))
    return found


def _decode(path: Path) -> np.ndarray | str:
    try:
        return load_rgb_array(path)
    except ImageError as exc:
        return exc.reason
    except OSError as exc:  # a race with the file system: report, never crash the batch
        return f"cannot read the file ({exc.strerror or exc})"


class OnnxPredictor:
    """An exported model ready to classify images.

    Args:
        path: The ``.onnx`` file made by ``export``.
        providers: ONNX Runtime execution providers; the best available when None.
        threads: Intra-op threads; ONNX Runtime's default (physical cores) when None.
        batch_size: Most images per ONNX Runtime call.

    Raises:
        ModelFileError: See :func:`read_model_file`.
    """

    def __init__(
        self,
        path: str | Path,
        providers: Sequence[str] | None = None,
        threads: int | None = None,
        batch_size: int = 16,
    ) -> None:
        self.path = Path(path)
        data, self.metadata = read_model_file(self.path)
        self.classes: tuple[str, ...] = tuple(str(c) for c in self.metadata["classes"])
        self.batch_size = max(1, int(batch_size))
        self.session = _session(data, providers, threads)
        self.providers: list[str] = list(self.session.get_providers())
        self._has_embedding = EMBED_NAME in {o.name for o in self.session.get_outputs()}

    def _run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        names = [PROBS_NAME, EMBED_NAME] if self._has_embedding else [PROBS_NAME]
        outputs = self.session.run(names, {INPUT_NAME: batch})
        probs = np.asarray(outputs[0], dtype=np.float32)
        embedding = (
            np.asarray(outputs[1], dtype=np.float32) if self._has_embedding else np.zeros((len(batch), 0))
        )
        return probs, embedding

    def predict_arrays(self, images: Sequence[np.ndarray]) -> list[Prediction]:
        """Classify decoded ``HxWx3`` ``uint8`` RGB images (any sizes), in order.

        Raises:
            ValueError: If an array is not an RGB ``uint8`` image.
        """
        rgb = [as_rgb(np.asarray(image)) for image in images]
        results: list[Prediction | None] = [None] * len(rgb)
        by_shape: dict[tuple[int, ...], list[int]] = {}
        for i, image in enumerate(rgb):
            by_shape.setdefault(image.shape, []).append(i)
        for indices in by_shape.values():
            for start in range(0, len(indices), self.batch_size):
                chunk = indices[start : start + self.batch_size]
                probs, embedding = self._run(np.stack([rgb[i] for i in chunk]))
                for row, i in enumerate(chunk):
                    results[i] = Prediction(probs[row], embedding[row], self.classes)
        return [r for r in results if r is not None]

    def predict_paths(
        self,
        paths: Iterable[str | Path],
        top_k: int = 5,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
        embeddings: bool = False,
        workers: int | None = None,
    ) -> Iterator[PathResult]:
        """Classify image files and folders (recursively), yielding one result per file, in order.

        Decoding runs in a thread pool a few batches ahead of the network; a file that cannot be
        decoded yields a result with ``error`` set.

        Args:
            paths: Image files and folders.
            top_k: Labels per result.
            progress: ``progress(done, total)`` after each chunk.
            cancel: Polled between chunks; when it returns True the iteration stops.
            embeddings: Include each image's embedding.
            workers: Decoding threads (up to 4 by default).
        """
        files = expand_paths(paths)
        chunk = self.batch_size * 2
        workers = workers or max(1, min(4, os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ts-decode") as pool:
            pending: deque[tuple[Path, str | None, Future[np.ndarray | str] | None]] = deque()
            position, done = 0, 0
            while position < len(files) or pending:
                while position < len(files) and len(pending) < 3 * chunk:
                    path, missing = files[position]
                    pending.append((path, missing, None if missing else pool.submit(_decode, path)))
                    position += 1
                if cancel is not None and cancel():
                    for _, _, future in pending:
                        if future is not None:
                            future.cancel()
                    return
                batch = [pending.popleft() for _ in range(min(chunk, len(pending)))]
                yield from self._classify(batch, top_k, embeddings)
                done += len(batch)
                if progress:
                    progress(done, len(files))

    def _classify(
        self,
        batch: list[tuple[Path, str | None, Future[np.ndarray | str] | None]],
        top_k: int,
        embeddings: bool,
    ) -> list[PathResult]:
        decoded = [(path, missing if future is None else future.result()) for path, missing, future in batch]
        good = [(i, value) for i, (_, value) in enumerate(decoded) if isinstance(value, np.ndarray)]
        predictions = dict(zip((i for i, _ in good), self.predict_arrays([v for _, v in good]), strict=True))
        results = []
        for i, (path, value) in enumerate(decoded):
            if i in predictions:
                pred = predictions[i]
                embedding = pred.embedding if embeddings else None
                results.append(PathResult(str(path), tuple(pred.top(top_k)), embedding))
            else:
                results.append(PathResult(str(path), error=str(value)))
        return results
