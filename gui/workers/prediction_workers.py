"""Prediction tasks for the Predict page: open an exported ``.onnx`` and classify images (no torch).

onnxruntime is imported inside the tasks (``engine.inference.predictor``), never when the GUI
starts. Results are plain :class:`PredictionRow` values; an image that cannot be read becomes a
row with ``error`` set, never a failed batch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.control import RunControl
from engine.data.scan import iter_image_files
from engine.imaging import is_image_candidate
from gui.workers.task_runner import ProgressFn, TaskFunction

if TYPE_CHECKING:
    from engine.inference.predictor import PathResult


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


def to_row(result: PathResult) -> PredictionRow:
    """One engine result as a row of the page."""
    return PredictionRow(result.path, list(result.top), result.error or "")


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
        rows = [to_row(result) for result in results]
        control.raise_if_cancelled()
        return PredictionBatch(rows, folder)

    return run
