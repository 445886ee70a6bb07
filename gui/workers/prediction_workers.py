"""Prediction tasks for the Predict page: open an exported ``.onnx`` and classify images (no torch).

onnxruntime is imported inside the tasks (``engine.inference.predictor``), never when the GUI
starts. Results are the engine's own :class:`~engine.inference.results.PathResult` values (numpy
only); an image that cannot be read is a result with ``error`` set, never a failed batch.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.control import RunControl
from engine.data.scan import iter_image_files
from engine.imaging import is_image_candidate
from engine.inference.results import PathResult
from engine.progress import Progress
from gui.i18n import translate
from gui.workers.task_runner import TaskFunction


def best(result: PathResult) -> tuple[str, float]:
    """The top class of ``result`` and its probability (``("", 0.0)`` for a file that failed)."""
    return result.top[0] if result.top else ("", 0.0)


def with_threshold(result: PathResult, threshold: float | None) -> PathResult:
    """``result`` with its "none of my classes" verdict taken again at ``threshold`` (None: rejection off).

    Follows :attr:`engine.inference.results.Prediction.unknown`: unknown when the score is above
    the threshold; no verdict without a score or a threshold.
    """
    score = result.unknown_score
    unknown = None if score is None or threshold is None or result.error else score > threshold
    return dataclasses.replace(result, unknown=unknown)


@dataclass
class LoadedModel:
    """An opened model and what the page shows about it.

    Attributes:
        note: Said once for a model exported before "none of my classes" existed; None otherwise.
    """

    path: str
    predictor: Any
    classes: list[str]
    description: str
    note: str | None = None

    @property
    def has_novelty(self) -> bool:
        """Whether the model can answer "none of my classes"."""
        return bool(getattr(self.predictor, "has_novelty", False))


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


def load_model_task(path: str, reject: str | float = "auto") -> TaskFunction:
    """A task that opens ``path`` with ``OnnxPredictor(path, reject=reject)`` as a :class:`LoadedModel`."""

    def run(progress: Progress, control: RunControl) -> LoadedModel:
        progress(0, 1, translate("PredictionWorkers", "Opening the model"))
        from engine.inference.predictor import OnnxPredictor

        predictor = OnnxPredictor(path, reject=reject)
        classes = [str(c) for c in predictor.classes]
        note = getattr(predictor, "novelty_note", None)
        return LoadedModel(path, predictor, classes, describe_model(path, classes, predictor), note)

    return run


def describe_model(path: str, classes: Sequence[str], predictor: Any) -> str:
    """``model.onnx · 2 classes · efficientnet_lite0 · 94.1 % validation accuracy`` from the metadata.

    In the interface language: call it where it is shown, again after a language switch.
    """
    meta = getattr(predictor, "metadata", None)
    meta = meta if isinstance(meta, Mapping) else {}
    parts = [Path(path).name, translate("PredictionWorkers", "{count} classes").format(count=len(classes))]
    backbones = meta.get("backbones")
    if isinstance(backbones, list | tuple):
        parts.append(" + ".join(str(b) for b in backbones))
    elif backbones:
        parts.append(str(backbones))
    with contextlib.suppress(KeyError, TypeError, ValueError):
        accuracy = translate("PredictionWorkers", "{accuracy} validation accuracy")
        parts.append(accuracy.format(accuracy=f"{float(meta['val_accuracy']):.1%}"))
    return " · ".join(parts)


@dataclass
class PredictionBatch:
    """The results of one drop; ``folder`` when a folder was dropped (shown as a table)."""

    rows: list[PathResult]
    folder: bool


def predict_task(
    model: LoadedModel, dropped: Sequence[str], top_k: int, threshold: float | None = None
) -> TaskFunction:
    """A task that finds the images among ``dropped`` (folders searched) and classifies them.

    Args:
        model: The opened model.
        dropped: Files and folders.
        top_k: Classes per image.
        threshold: The "none of my classes" threshold on ``unknown_score`` (None: off); ignored
            by a model without rejection.
    """

    def run(progress: Progress, control: RunControl) -> PredictionBatch:
        progress(0, 0, translate("PredictionWorkers", "Looking for images"))
        if model.has_novelty:
            model.predictor.threshold = threshold  # set between runs, on the one thread using it
        paths, folder = collect_images(dropped)
        results = model.predictor.predict_paths(paths, top_k=top_k, progress=progress, control=control)
        return PredictionBatch(list(results), folder)

    return run
