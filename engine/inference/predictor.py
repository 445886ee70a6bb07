"""Classify images with an exported Transfer Studio ONNX file, without torch.

The file is checked before ONNX Runtime sees it: it must parse as ONNX, embed all its weights
(no external data, dense or sparse) and use only known operators (:mod:`engine.inference.model_checks`),
and carry Transfer Studio's format version in its metadata. Images are
decoded with the same robust loader as training (:func:`engine.imaging.load_rgb_array`) in a
thread pool, grouped by size (the graph takes one height and width per batch) and run through
the best available execution provider. A file that cannot be decoded becomes an error result,
never an exception.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import onnx

from engine.control import RunControl
from engine.data.scan import iter_image_files
from engine.errors import ImageError, ModelFileError
from engine.export.contract import (
    EMBED_NAME,
    FORMAT_KEY,
    INPUT_NAME,
    JSON_KEYS,
    OPTIONAL_JSON_KEYS,
    PARITY_KEY,
    PROBS_NAME,
    SUPPORTED_FORMATS,
    UNKNOWN_SCORE_NAME,
)
from engine.imaging import load_rgb_array
from engine.inference.model_checks import check_model, open_session
from engine.inference.results import PathResult, Prediction, rejection_threshold
from engine.progress import Progress


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
        for key in OPTIONAL_JSON_KEYS:
            if key in raw:
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
    check_model(path, model)
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
        reject: "none of my classes": ``"auto"`` uses the threshold chosen at export (it accepts
            95% of the validation images), ``"off"`` never rejects, a number sets the threshold on
            ``unknown_score``. A model exported without rejection ignores it (see :attr:`novelty_note`).

    Raises:
        ModelFileError: See :func:`read_model_file`.
        ValueError: For a ``reject`` that is neither "auto", "off" nor a positive number.
    """

    def __init__(
        self,
        path: str | Path,
        providers: Sequence[str] | None = None,
        threads: int | None = None,
        batch_size: int = 16,
        reject: str | float = "auto",
    ) -> None:
        self.path = Path(path)
        data, self.metadata = read_model_file(self.path)
        self.classes: tuple[str, ...] = tuple(str(c) for c in self.metadata["classes"])
        self.batch_size = max(1, int(batch_size))
        self.session = open_session(self.path, data, providers, threads)
        self.providers: list[str] = list(self.session.get_providers())
        outputs = {o.name for o in self.session.get_outputs()}
        self._has_embedding = EMBED_NAME in outputs
        self.has_novelty = UNKNOWN_SCORE_NAME in outputs
        self.threshold = rejection_threshold(reject) if self.has_novelty else None

    @property
    def novelty_note(self) -> str | None:
        """Said once for a model that cannot answer "none of my classes"; None otherwise."""
        if self.has_novelty:
            return None
        return (f"{self.path.name} was exported before 'none of my classes' existed: every image gets one "
                "of its classes. Export the run again to add rejection.")

    def _run(
        self, batch: np.ndarray, embeddings: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        want_embedding = embeddings and self._has_embedding  # not fetched (nor copied) unless asked for
        names = [PROBS_NAME] + [EMBED_NAME] * want_embedding + [UNKNOWN_SCORE_NAME] * self.has_novelty
        outputs = dict(zip(names, self.session.run(names, {INPUT_NAME: batch}), strict=True))
        probs = np.asarray(outputs[PROBS_NAME], dtype=np.float32)
        embedding = np.asarray(outputs.get(EMBED_NAME, np.zeros((len(batch), 0))), dtype=np.float32)
        score = outputs.get(UNKNOWN_SCORE_NAME)
        return probs, embedding, None if score is None else np.asarray(score, dtype=np.float32)

    def predict_arrays(self, images: Sequence[np.ndarray], embeddings: bool = True) -> list[Prediction]:
        """Classify decoded ``HxWx3`` ``uint8`` RGB images (any sizes), in order.

        With ``embeddings=False`` each prediction's embedding is empty (the output is not fetched).

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
                probs, embedding, score = self._run(np.stack([rgb[i] for i in chunk]), embeddings)
                for row, i in enumerate(chunk):
                    unknown_score = None if score is None else float(score[row])
                    results[i] = Prediction(
                        probs[row], embedding[row], self.classes, unknown_score, self.threshold
                    )
        return [r for r in results if r is not None]

    def predict_paths(
        self,
        paths: Iterable[str | Path],
        top_k: int = 5,
        progress: Progress | None = None,
        control: RunControl | None = None,
        embeddings: bool = False,
        workers: int | None = None,
    ) -> Iterator[PathResult]:
        """Classify image files and folders (recursively), yielding one result per file, in order.

        Decoding runs in a thread pool a few batches ahead of the network; a file that cannot be
        decoded yields a result with ``error`` set.

        Args:
            paths: Image files and folders.
            top_k: Labels per result.
            progress: Reports after each chunk.
            control: Checked between chunks; a cancel drops pending decodes and raises RunCancelled.
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
                if control is not None and control.cancelled:
                    for _, _, future in pending:
                        if future is not None:
                            future.cancel()
                    control.raise_if_cancelled()
                batch = [pending.popleft() for _ in range(min(chunk, len(pending)))]
                yield from self._classify(batch, top_k, embeddings)
                done += len(batch)
                if progress:
                    progress(done, len(files), "Classifying")

    def _classify(
        self,
        batch: list[tuple[Path, str | None, Future[np.ndarray | str] | None]],
        top_k: int,
        embeddings: bool,
    ) -> list[PathResult]:
        decoded = [(path, missing if future is None else future.result()) for path, missing, future in batch]
        good = [(i, value) for i, (_, value) in enumerate(decoded) if isinstance(value, np.ndarray)]
        arrays = [v for _, v in good]
        predictions = dict(zip((i for i, _ in good), self.predict_arrays(arrays, embeddings), strict=True))
        results = []
        for i, (path, value) in enumerate(decoded):
            if i in predictions:
                pred = predictions[i]
                embedding = pred.embedding if embeddings else None
                results.append(PathResult(
                    str(path), tuple(pred.top(top_k)), embedding, None, pred.unknown_score, pred.unknown
                ))
            else:
                results.append(PathResult(str(path), error=str(value)))
        return results
