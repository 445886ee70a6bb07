"""Prediction tasks for the Predict page: open an exported ``.onnx`` and classify images (no torch).

onnxruntime is imported inside the tasks (``engine.inference.predictor``), never when the GUI
starts. Results are plain :class:`PredictionRow` values; an image that cannot be read becomes a
row with ``error`` set, never a failed batch.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.control import RunControl
from engine.data.scan import iter_image_files
from engine.imaging import is_image_candidate
from gui.task_runner import ProgressFn, TaskFunction


@dataclass
class PredictionRow:
    """Top-k classes of one image, best first; or why it could not be classified."""

    path: str
    top: list[tuple[str, float]] = field(default_factory=list)
    error: str = ""

    @property
    def best(self) -> tuple[str, float]:
        """The top class and its probability (``("", 0.0)`` on error)."""
        return self.top[0] if self.top else ("", 0.0)


@dataclass
class LoadedModel:
    """An opened model and what the page shows about it."""

    path: str
    predictor: Any
    classes: list[str]
    description: str


def collect_images(paths: Iterable[str]) -> tuple[list[str], bool]:
    """Expand dropped paths into image files; True when a folder was among them."""
    images: list[str] = []
    folder = False
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            folder = True
            images.extend(str(p) for p in iter_image_files(path))
        elif path.is_file() and is_image_candidate(path):
            images.append(str(path))
    return list(dict.fromkeys(images)), folder


def _as_mapping(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    return {k: v for k, v in vars(value).items() if not k.startswith("_")}


def to_row(path: str, result: Any, classes: Sequence[str]) -> PredictionRow:
    """Read one engine result: ``top``/``top_k`` pairs, ``labels`` + ``probs``, or an ``error``."""
    data = _as_mapping(result)
    error = data.get("error") or ""
    if error:
        return PredictionRow(str(data.get("path", path)), [], str(error))
    pairs = data.get("top") or data.get("top_k") or data.get("topk")
    if pairs is None:
        labels, probs = data.get("labels") or data.get("classes"), data.get("probs") or data.get("scores")
        pairs = list(zip(labels or [], probs or [], strict=False))
    top = []
    for item in pairs:
        if isinstance(item, Mapping):
            label, prob = item.get("label", item.get("class")), item.get("prob", item.get("probability"))
        else:
            label, prob = item[0], item[1]
        if isinstance(label, int) and not isinstance(label, bool) and label < len(classes):
            label = classes[label]
        top.append((str(label), float(prob)))
    return PredictionRow(str(data.get("path", path)), top, "")


def load_model_task(path: str) -> TaskFunction:
    """A task that opens ``path`` with ``OnnxPredictor`` and returns a :class:`LoadedModel`."""

    def run(progress: ProgressFn, control: RunControl) -> LoadedModel:
        progress(0, 1, "Opening the model")
        from engine.inference.predictor import OnnxPredictor

        predictor = OnnxPredictor(path)
        classes = [str(c) for c in predictor.classes]
        return LoadedModel(path, predictor, classes, describe_model(path, classes, predictor))

    return run


def describe_model(path: str, classes: Sequence[str], predictor: Any) -> str:
    """``model.onnx · 2 classes · efficientnet_lite0 · 94.1 % validation accuracy`` from the metadata."""
    meta = getattr(predictor, "metadata", None)
    meta = meta if isinstance(meta, Mapping) else {}
    parts = [Path(path).name, f"{len(classes)} classes"]
    backbones = meta.get("backbones")
    if isinstance(backbones, list | tuple):
        parts.append(" + ".join(str(b) for b in backbones))
    elif backbones:
        parts.append(str(backbones))
    with contextlib.suppress(KeyError, TypeError, ValueError):
        parts.append(f"{float(meta['val_accuracy']):.1%} validation accuracy")
    return " · ".join(parts)


@dataclass
class PredictionBatch:
    """The rows of one drop; ``folder`` when a folder was dropped (shown as a table)."""

    rows: list[PredictionRow]
    folder: bool


def predict_task(model: LoadedModel, dropped: Sequence[str], top_k: int) -> TaskFunction:
    """A task that finds the images among ``dropped`` (folders searched) and classifies them."""

    def run(progress: ProgressFn, control: RunControl) -> PredictionBatch:
        progress(0, 0, "Looking for images")
        paths, folder = collect_images(dropped)

        def report(done: int, total: int) -> None:
            progress(done, total, "Classifying")

        def cancelled() -> bool:
            return control.cancelled

        results = model.predictor.predict_paths(paths, top_k=top_k, progress=report, cancel=cancelled)
        rows = [to_row(p, r, model.classes) for p, r in zip(paths, results, strict=False)]
        control.raise_if_cancelled()
        return PredictionBatch(rows, folder)

    return run


def write_csv(rows: Sequence[PredictionRow], path: str | Path, top_k: int) -> None:
    """Write ``path,top1,p1,...,error`` rows (UTF-8 with BOM so spreadsheet apps read names right)."""
    header = ["path"]
    for i in range(1, top_k + 1):
        header += [f"class_{i}", f"probability_{i}"]
    header.append("error")
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            cells: list[Any] = [row.path]
            for i in range(top_k):
                label, prob = row.top[i] if i < len(row.top) else ("", "")
                cells += [label, f"{prob:.6f}" if isinstance(prob, float) else prob]
            cells.append(row.error)
            writer.writerow(cells)
