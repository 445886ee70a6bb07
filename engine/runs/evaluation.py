"""Validation results of a run, from ``val_predictions.json``: confusion matrix, per-class metrics, errors.

Torch-free (numpy only). The loop writes the file for the best epoch:
``{"format": 2, "epoch", "classes", "rows": [{"path", "label", "probs"}]}`` (``epoch`` counted from 1;
files without ``format`` counted from 0). :func:`per_image_loss` is also the training loop's loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.atomic import read_json
from engine.errors import RunError
from engine.runs.files import PREDICTIONS
from engine.runs.manifest import check_images

EPS = 1e-12
PREDICTIONS_FORMAT = 2


def per_image_loss(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cross-entropy of each image, ``-log p(true class)``, from predicted probabilities."""
    if not len(labels):
        return np.zeros(0)
    return -np.log(np.clip(probs[np.arange(len(labels)), labels], EPS, 1.0))


def loss_and_accuracy(
    probs: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None
) -> tuple[float, float]:
    """Mean cross-entropy (class-weighted when ``weights`` is given) and accuracy of probabilities."""
    if len(labels) == 0:
        return float("nan"), 0.0
    w = np.ones(len(labels)) if weights is None else weights[labels]
    loss = float((w * per_image_loss(probs, labels)).sum() / w.sum())
    return loss, float((probs.argmax(1) == labels).mean())


@dataclass
class ClassMetrics:
    """Precision, recall, F1 and support of one class."""

    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Evaluation:
    """A run's validation predictions and what follows from them."""

    run_dir: str
    epoch: int  # the best epoch, counted from 1
    classes: list[str]
    paths: list[str]
    labels: np.ndarray  # (n,) int
    probs: np.ndarray  # (n, classes) float

    @property
    def predicted(self) -> np.ndarray:
        """Predicted class per image."""
        return self.probs.argmax(axis=1) if len(self.paths) else np.zeros(0, dtype=int)

    @property
    def losses(self) -> np.ndarray:
        """Cross-entropy of each image: ``-log p(true class)``."""
        return per_image_loss(self.probs, self.labels)

    def accuracy(self) -> float:
        """Share of validation images predicted right."""
        return float((self.predicted == self.labels).mean()) if len(self.paths) else 0.0

    def confusion(self) -> np.ndarray:
        """``m[true, predicted]`` image counts."""
        k = len(self.classes)
        m = np.zeros((k, k), dtype=np.int64)
        np.add.at(m, (self.labels, self.predicted), 1)
        return m

    def class_metrics(self) -> list[ClassMetrics]:
        """Per-class precision, recall and F1 (0 where undefined)."""
        m = self.confusion()
        out = []
        for i, name in enumerate(self.classes):
            tp, predicted, actual = m[i, i], m[:, i].sum(), m[i, :].sum()
            precision = tp / predicted if predicted else 0.0
            recall = tp / actual if actual else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            out.append(ClassMetrics(name, float(precision), float(recall), float(f1), int(actual)))
        return out

    def cell(self, true: int, predicted: int) -> list[int]:
        """Rows of the images of one confusion-matrix cell, highest loss first."""
        rows = np.flatnonzero((self.labels == true) & (self.predicted == predicted))
        return [int(r) for r in rows[np.argsort(-self.losses[rows], kind="stable")]]

    def misclassified(self) -> list[int]:
        """Rows of every wrong prediction, highest loss first."""
        rows = np.flatnonzero(self.labels != self.predicted)
        return [int(r) for r in rows[np.argsort(-self.losses[rows], kind="stable")]]

    def changed_images(self) -> dict[str, str]:
        """``{path: reason}`` of the validation images that changed or are gone since the run."""
        return check_images(self.run_dir, self.paths)


def load_evaluation(run_dir: str | Path) -> Evaluation:
    """Read ``val_predictions.json`` of ``run_dir``.

    Raises:
        RunError: If the file is missing (no epoch finished) or malformed.
    """
    path = Path(run_dir) / PREDICTIONS
    try:
        data = read_json(path)
        classes = [str(c) for c in data["classes"]]
        rows = list(data["rows"])
        labels = np.array([int(r["label"]) for r in rows], dtype=np.int64)
        probs = np.array([[float(p) for p in r["probs"]] for r in rows], dtype=np.float64)
        paths = [str(r["path"]) for r in rows]
        epoch = int(data.get("epoch", 0)) + (0 if "format" in data else 1)
    except FileNotFoundError as exc:
        raise RunError(f"{path} is missing: the run ended before its first validation") from exc
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RunError(f"{path}: unreadable ({exc})") from exc
    if not rows:
        probs = np.zeros((0, len(classes)))
    if probs.ndim != 2 or probs.shape[1] != len(classes) or (len(labels) and labels.max() >= len(classes)):
        raise RunError(f"{path}: probabilities do not match the {len(classes)} classes")
    return Evaluation(str(run_dir), epoch, classes, paths, labels, probs)


def predictions_file(epoch: int, classes: list[str], rows: list[dict[str, object]]) -> dict[str, object]:
    """The content of ``val_predictions.json`` for the best ``epoch`` (counted from 1)."""
    return {"format": PREDICTIONS_FORMAT, "epoch": epoch, "classes": list(classes), "rows": rows}
