"""The recommender's grid and decision rules: from measurements to a strategy, with a reason.

The grid (size x similarity to ImageNet; the size bands are :mod:`engine.data.thresholds`):

* small & similar: frozen backbone, a head on cached features (``features``; ``stack`` when
  several good backbones complement each other);
* small & dissimilar: ``partial``, the first k layer groups frozen, the rest trained;
* large & similar: ``full`` fine-tuning;
* large & dissimilar: ``full``, or ``scratch`` when very large and very dissimilar.

Pure functions over :class:`Measurement` and :class:`DatasetSize`; :mod:`engine.recommend.measuring`
produces the measurements and :func:`engine.recommend.recommender.decide` combines the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from engine.data.thresholds import VERY_LARGE_PER_CLASS, size_band
from engine.recommend.evidence import ProbeCurve
from engine.training.strategies import default_freeze_k

if TYPE_CHECKING:
    from engine.recommend.passes import PassTimes

SIMILAR_CONFIDENCE = 0.4
SIMILAR_PROBE = 0.9
VERY_DISSIMILAR_PROBE = 0.6
VERY_DISSIMILAR_CONFIDENCE = 0.2
DECENT_PROBE = 0.7
STACK_GAIN = 0.01
SPEED_TIE = 0.01


@dataclass(frozen=True)
class Measurement:
    """What was measured for one backbone on the sample.

    Attributes:
        name: Backbone name.
        scores: ``knn``, ``probe``, ``logme``, ``imagenet_confidence``, ``imagenet_entropy``.
        forward_s: Seconds per image for a no-grad forward pass on the run's device.
        extract_s: Seconds per image the feature extraction took (decoding included), None when
            every vector came from the cache.
        train_s: Seconds per image for a forward and backward pass through every layer.
        groups: Number of layer groups (for ``partial``'s k).
        kept: Indices of the sample images this backbone could read.
        features: The sample's vectors (rows match ``kept``).
        save_s: Seconds to write the model's checkpoint once.
        curve: The probe's learning curve on the sample (None when it could not be measured).
        uncached: The dataset's images outside the sample whose vectors are not cached yet
            (None: not counted, all but the sample assumed missing).
        timing: The timed passes in detail (None: only the per-image times above).
    """

    name: str
    scores: dict[str, float | None]
    forward_s: float
    train_s: float
    groups: int
    extract_s: float | None = None
    kept: tuple[int, ...] = ()
    features: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32), repr=False)
    save_s: float = 0.0
    curve: ProbeCurve | None = None
    uncached: int | None = None
    timing: PassTimes | None = None

    @property
    def accuracy(self) -> float:
        """The probe accuracy, or the kNN accuracy when the probe could not run."""
        probe = self.scores.get("probe")
        return float(probe if probe is not None else self.scores.get("knn") or 0.0)


@dataclass(frozen=True)
class DatasetSize:
    """The counts the grid and the time estimates need."""

    train_images: int
    val_images: int
    classes: int
    sample_size: int
    decode_s: float = 0.0

    @property
    def per_class(self) -> float:
        """Training images per class."""
        return self.train_images / max(1, self.classes)


def place_on_grid(size: DatasetSize, best: Measurement) -> tuple[str, str]:
    """``(small|large, similar|dissimilar)`` from images per class, ImageNet-likeness and the probe."""
    confidence = best.scores.get("imagenet_confidence")
    looks_like = confidence is None or confidence >= SIMILAR_CONFIDENCE
    similar = best.accuracy >= SIMILAR_PROBE and looks_like
    return size_band(size.per_class), "similar" if similar else "dissimilar"


def very_dissimilar(best: Measurement) -> bool:
    """Features barely separate the classes and the images do not look like ImageNet photos."""
    confidence = best.scores.get("imagenet_confidence")
    return best.accuracy < VERY_DISSIMILAR_PROBE and (confidence or 0.0) < VERY_DISSIMILAR_CONFIDENCE


def partial_k(groups: int, best: Measurement, size: DatasetSize) -> int:
    """Freeze half the groups; only a third when the features fit poorly and there is data to adapt."""
    if best.accuracy < 0.85 and size.per_class >= 50:
        return max(1, groups // 3)
    return default_freeze_k(groups)


def pick_backbone(measures: Sequence[Measurement], fine_tune: bool) -> Measurement:
    """The most accurate backbone; among those within a point of it, the fastest to train."""
    best = max(m.accuracy for m in measures)
    close = [m for m in measures if m.accuracy >= best - SPEED_TIE]
    return min(close, key=lambda m: m.train_s if fine_tune else m.forward_s)


def choose_strategy(
    cell: tuple[str, str], size: DatasetSize, measures: Sequence[Measurement], stacked: float | None
) -> tuple[str, list[Measurement], int | None]:
    """The grid's strategy for ``cell``, its backbone(s) and k (partial only)."""
    large, similar = cell[0] == "large", cell[1] == "similar"
    if similar and not large:
        best = pick_backbone(measures, fine_tune=False)
        good = [m for m in measures if m.accuracy >= DECENT_PROBE]
        best_single = max(m.accuracy for m in measures)
        if stacked is not None and len(good) >= 2 and stacked > best_single + STACK_GAIN:
            return "stack", sorted(good, key=lambda m: -m.accuracy), None
        return "features", [best], None
    best = pick_backbone(measures, fine_tune=True)
    if not large:
        return "partial", [best], partial_k(best.groups, best, size)
    if not similar and size.per_class >= VERY_LARGE_PER_CLASS and very_dissimilar(best):
        return "scratch", [best], None
    return "full", [best], None


def explain(
    strategy: str,
    size: DatasetSize,
    best: Measurement,
    k: int | None,
    stacked: float | None,
) -> str:
    """One or two plain sentences saying why."""
    per_class = f"{size.per_class:,.0f}"
    probe = f"{best.accuracy:.0%}"
    if strategy == "features":
        return (
            "Your pictures resemble the everyday photos the network learned from: unchanged, it already "
            f"sorted {probe} of a sample correctly. With about {per_class} images per class, training only "
            "a new final layer on its stored features is the most accurate choice and takes seconds."
        )
    if strategy == "stack":
        return (
            "Each pretrained network recognises your pictures well, and together they sorted "
            f"{stacked:.0%} of a sample correctly against {probe} for the best one alone. A new final layer "
            "on their combined stored features gets the best of both and trains in seconds."
        )
    if strategy == "partial":
        return (
            "Your pictures differ from the everyday photos the network learned from: unchanged, it "
            f"sorted only {probe} of a sample correctly. With about {per_class} images per class, retraining "
            f"its upper layers while keeping the first {k} of {best.groups} layer groups fixed adapts it "
            "without overfitting."
        )
    if strategy == "scratch":
        return (
            f"Your pictures are very unlike the network's training photos (unchanged, it sorted {probe} of a "
            f"sample correctly), and about {per_class} images per class are enough to train it from scratch."
        )
    return (
        f"With about {per_class} images per class there is enough data to retrain every layer, which "
        f"should improve on the {probe} the unchanged network reached on a sample."
    )
