"""What a recommendation promises: per strategy, a validation-accuracy range and a training time.

Accuracy: the frozen-feature head's accuracy is the probe's learning curve extrapolated to the
training set (:mod:`engine.recommend.evidence`); its central 80% range is what a run will measure
on the validation images: the true accuracy uncertain by the probe's own fold spread and the
extrapolation's doubt, then the validation set's binomial sampling error, exactly
(:func:`engine.recommend.evidence.predictive_range`).
Fine-tuning adds a share of the errors the frozen features leave (a prior, larger for images
unlike ImageNet and for more images per class; replaced by a measured gain when ``auto``
measured one), with its own uncertainty.

Time: :mod:`engine.recommend.timing` (the measured steady-state passes times what the run really does).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from engine.recommend.evidence import predictive_range
from engine.recommend.forecast import Forecast
from engine.recommend.rules import DatasetSize, Measurement
from engine.recommend.timing import estimate_seconds

# Share of the frozen head's errors that fine-tuning removes, with many images per class.
GAIN = {("similar", "partial"): 0.15, ("similar", "full"): 0.2,
        ("dissimilar", "partial"): 0.35, ("dissimilar", "full"): 0.45}
GAIN_FULL_AT = 300  # images per class from which the whole prior gain is expected
FINE_TUNE_SPREAD = 0.01  # run-to-run spread of a fine-tune (seed, augmentation)


def validation_se(p: float, val_images: int) -> float:
    """Binomial standard error of an accuracy ``p`` measured on ``val_images`` images."""
    n = max(1, val_images)
    return math.sqrt(max(p * (1 - p), 1 / n) / n)


def head_accuracy(size: DatasetSize, best: Measurement, probe: float | None = None) -> tuple[float, float]:
    """The head's expected accuracy on the full training set, and its standard error.

    Without a learning curve (an old measurement, a tiny sample) the probe stands for itself and
    its uncertainty is the binomial one of the sample.
    """
    curve = best.curve
    if curve is None:
        p = best.accuracy if probe is None else probe
        return p, validation_se(p, size.sample_size)
    expected, extrapolation_se = curve.extrapolate(size.train_images)
    if probe is not None:  # the stacked probe moves along the best single network's curve
        expected += probe - curve.accuracy
    return min(expected, 1.0), math.hypot(curve.fold_se, extrapolation_se)


def accuracy_forecasts(
    cell: tuple[str, str],
    size: DatasetSize,
    best: Measurement,
    stacked: float | None,
    measured_gain: dict[str, float] | None = None,
) -> dict[str, tuple[float, float, float]]:
    """Per strategy, ``(low, expected, high)`` of the validation accuracy (central 80%)."""
    head, head_se = head_accuracy(size, best)
    val = size.val_images
    out = {name: _range(head, head_se, val) for name in ("features", "linear")}
    if stacked is not None:
        stack, stack_se = head_accuracy(size, best, stacked)
        out["stack"] = _range(stack, stack_se, val)
    share = min(1.0, size.per_class / GAIN_FULL_AT)
    for name in ("partial", "full"):
        measured = (measured_gain or {}).get(name)
        gain = measured if measured is not None else (1 - head) * GAIN[(cell[1], name)] * share
        doubt = 0.5 * abs(gain)
        if measured is not None:  # two runs scored on half the sample each: their difference is that noisy
            doubt = max(doubt, math.sqrt(2) * validation_se(head, size.sample_size // 2))
        spread = math.hypot(head_se, doubt, FINE_TUNE_SPREAD)
        out[name] = _range(min(1.0, head + gain), spread, val)
    chance = 1 / max(1, size.classes)
    full = out["full"][1]
    scratch = chance + (full - chance) * min(1.0, size.per_class / 5000) ** 0.5
    out["scratch"] = _range(scratch, 0.1 * (full - chance), val)
    return out


def _range(expected: float, se: float, val_images: int) -> tuple[float, float, float]:
    """``(low, expected, high)``: the central 80% of what a run measures on ``val_images`` images."""
    low, high = predictive_range(expected, se, val_images)
    # Rounded outwards: an end is a reachable score (17/18 = 0.9444...), which the range must keep.
    return math.floor(low * 1000 + 1e-6) / 1000, round(expected, 4), math.ceil(high * 1000 - 1e-6) / 1000


def forecasts(
    cell: tuple[str, str],
    size: DatasetSize,
    measures: Sequence[Measurement],
    chosen: Measurement,
    stacked: float | None,
    measured_gain: dict[str, float] | None = None,
) -> dict[str, Forecast]:
    """Accuracy range and time per strategy (``stack`` only when several networks were measured)."""
    seconds = estimate_seconds(size, measures, chosen)
    accuracy = accuracy_forecasts(cell, size, chosen, stacked, measured_gain)
    gains = measured_gain or {}
    return {
        name: Forecast(name, *accuracy[name], seconds[name], measured=name in gains)
        for name in seconds
        if name in accuracy
    }
