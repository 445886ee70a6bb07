"""What prediction returns: one image's probabilities and verdict, one file's outcome.

Numpy only, so the GUI and the CLI can hold results without ONNX Runtime or torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Prediction:
    """The network's answer for one image.

    Attributes:
        probabilities: One probability per class, in the order of ``classes``.
        embedding: The penultimate features (for "none of my classes" checks).
        classes: The class names.
        unknown_score: How unlike the training images it is (above the threshold: "none of my
            classes"); None for a model exported without novelty rejection.
        threshold: The score above which it is unknown; None when rejection is off.
    """

    probabilities: np.ndarray
    embedding: np.ndarray
    classes: tuple[str, ...]
    unknown_score: float | None = None
    threshold: float | None = None

    @property
    def unknown(self) -> bool | None:
        """True for "none of my classes"; None when the model or the user gives no rejection."""
        if self.unknown_score is None or self.threshold is None:
            return None
        return self.unknown_score > self.threshold

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
    unknown_score: float | None = None
    unknown: bool | None = None

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
            "unknown": self.unknown,
            "unknown_score": self.unknown_score,
        }
        if self.embedding is not None:
            data["embedding"] = [float(v) for v in self.embedding]
        return data


def rejection_threshold(reject: str | float) -> float | None:
    """The threshold on ``unknown_score`` for ``--reject``: "auto" (1.0), "off" (None) or a number."""
    if isinstance(reject, str) and reject.strip().lower() in ("auto", "off"):
        return 1.0 if reject.strip().lower() == "auto" else None
    try:
        value = float(reject)
    except ValueError:
        raise ValueError(f"--reject must be 'auto', 'off' or a positive number, not {reject!r}") from None
    if not 0 < value < float("inf"):
        raise ValueError(f"--reject must be a positive number, not {reject!r}")
    return value
