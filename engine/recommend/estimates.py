"""What a recommendation promises: a validation-accuracy range and training time per strategy.

Both are derived from the measurements (:mod:`engine.recommend.measuring`) and the strategy
defaults, without further I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from engine.config import DEFAULTS, FROZEN_BACKBONE
from engine.recommend.rules import DatasetSize, Measurement, partial_k


def expected_accuracy(
    strategy: str, cell: tuple[str, str], size: DatasetSize, best: Measurement, stacked: float | None
) -> tuple[float, float]:
    """An honest validation-accuracy range from the probes.

    The margin is two standard errors of a proportion measured on the sample and then again on
    the validation set, plus a point. A frozen backbone may do as badly as the weaker of the kNN
    and probe scores; fine-tuning starts from the probe and may gain part of what the frozen
    features miss (more when the images are unlike ImageNet); so may a head trained on more
    images than the probe saw.
    """
    probe = stacked if strategy == "stack" and stacked is not None else best.accuracy
    knn = best.scores.get("knn")
    p = min(max(probe, 0.0), 1.0)
    n_val = max(1, size.val_images)
    se = math.sqrt(max(p * (1 - p), 0.0025) * (1 / max(1, size.sample_size) + 1 / n_val))
    margin = 2 * se + 0.01
    fine_tune = strategy not in FROZEN_BACKBONE
    low = (p if fine_tune or knn is None else min(p, knn)) - margin
    gain = (1 - p) * (0.6 if cell[1] == "dissimilar" else 0.3) if fine_tune else 0.0
    if size.train_images > size.sample_size:
        gain += (1 - p) * 0.2
    high = p + margin + gain
    return round(max(0.0, low), 3), round(min(1.0, high), 3)


def estimate_seconds(
    size: DatasetSize, measures: Sequence[Measurement], chosen: Measurement
) -> dict[str, float]:
    """Training time per strategy, from the measured passes and the strategy defaults.

    Decoding overlaps the network in the loader's workers, so each image costs the larger of the
    two. Frozen-feature strategies pay one extraction pass over the images not already cached (the
    measured sample is) at the measured extraction rate, and a head fitted in about a second.
    """
    decode = size.decode_s / 2
    n_train, n_val = size.train_images, size.val_images
    uncached = max(0, n_train + n_val - size.sample_size)

    def epochs(strategy: str, per_train_image: float) -> float:
        evaluate = n_val * max(chosen.forward_s, decode)
        return DEFAULTS[strategy].epochs * (n_train * max(per_train_image, decode) + evaluate)

    def extraction(m: Measurement) -> float:
        per_image = m.extract_s if m.extract_s is not None else max(m.forward_s, decode)
        return uncached * per_image + 1.0

    k = partial_k(chosen.groups, chosen, size)
    share = 1 - k / max(1, chosen.groups)
    partial = chosen.forward_s + (chosen.train_s - chosen.forward_s) * share
    eta = {
        "features": extraction(chosen),
        "linear": epochs("linear", chosen.forward_s),
        "partial": epochs("partial", partial),
        "full": epochs("full", chosen.train_s),
        "scratch": epochs("scratch", chosen.train_s),
    }
    if len(measures) >= 2:
        eta["stack"] = sum(extraction(m) for m in measures)
    return {name: round(seconds, 1) for name, seconds in eta.items()}
