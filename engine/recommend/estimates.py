"""What a recommendation promises: per strategy, a validation-accuracy range and a training time.

Accuracy: the frozen-feature head's accuracy is the probe's learning curve extrapolated to the
training set (:mod:`engine.recommend.evidence`); its central 80% range combines the probe's own
fold spread, the extrapolation's uncertainty and the validation set's binomial sampling error.
Fine-tuning adds a share of the errors the frozen features leave (a prior, larger for images
unlike ImageNet and for more images per class; replaced by a measured gain when ``auto``
measured one), with its own uncertainty.

Time: the measured steady-state passes (:func:`engine.recommend.measuring.time_passes`) times what
the run really does: epochs (early stopping's expected stop for the heads), a validation pass per
epoch, checkpoint writes, one feature extraction of the images not cached yet.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from engine.config import DEFAULTS
from engine.recommend.forecast import Forecast
from engine.recommend.rules import DatasetSize, Measurement, partial_k

Z80 = 1.2816  # half-width of a central 80% normal interval, in standard errors
# Share of the frozen head's errors that fine-tuning removes, with many images per class.
GAIN = {("similar", "partial"): 0.15, ("similar", "full"): 0.2,
        ("dissimilar", "partial"): 0.35, ("dissimilar", "full"): 0.45}
GAIN_FULL_AT = 300  # images per class from which the whole prior gain is expected
FINE_TUNE_SPREAD = 0.01  # run-to-run spread of a fine-tune (seed, augmentation)
HEAD_EPOCHS_EXPECTED = 30  # a head on features with early stopping usually stops by then
RUN_OVERHEAD_S = 4.0  # building the model, loading weights, writing the run folder and its report
FEATURE_EPOCH_S_PER_IMAGE = 2e-5  # a head epoch on cached vectors


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
    val_se = validation_se(head, size.val_images)
    out = {name: _range(head, math.hypot(head_se, val_se)) for name in ("features", "linear")}
    if stacked is not None:
        stack, stack_se = head_accuracy(size, best, stacked)
        out["stack"] = _range(stack, math.hypot(stack_se, validation_se(stack, size.val_images)))
    share = min(1.0, size.per_class / GAIN_FULL_AT)
    for name in ("partial", "full"):
        measured = (measured_gain or {}).get(name)
        gain = measured if measured is not None else (1 - head) * GAIN[(cell[1], name)] * share
        spread = math.hypot(head_se, val_se, 0.5 * abs(gain), FINE_TUNE_SPREAD)
        out[name] = _range(min(1.0, head + gain), spread)
    chance = 1 / max(1, size.classes)
    full = out["full"][1]
    scratch = chance + (full - chance) * min(1.0, size.per_class / 5000) ** 0.5
    out["scratch"] = _range(scratch, math.hypot(val_se, 0.1 * (full - chance)))
    return out


def _range(expected: float, se: float) -> tuple[float, float, float]:
    half = Z80 * se
    return round(max(0.0, expected - half), 3), round(expected, 4), round(min(1.0, expected + half), 3)


def _decode_cost(decode_s: float) -> float:
    """Decoding's cost per image: added on a small CPU, hidden on a big one."""
    return decode_s if (os.cpu_count() or 1) <= 4 else decode_s / 4


def estimate_seconds(
    size: DatasetSize, measures: Sequence[Measurement], chosen: Measurement
) -> dict[str, float]:
    """Training time per strategy, from the measured steady-state passes and what each run does.

    Frozen-feature strategies pay one extraction pass over the images not already cached (the
    measured sample is) and a head fitted on the vectors; image strategies pay, every epoch, a
    training pass, a validation pass and checkpoint writes.
    """
    decode = _decode_cost(size.decode_s)
    n_train, n_val = size.train_images, size.val_images
    uncached = max(0, n_train + n_val - size.sample_size)

    def epochs(strategy: str, per_train_image: float) -> float:
        per_epoch = (
            n_train * (per_train_image + decode)
            + n_val * (chosen.forward_s + decode)
            + 1.5 * chosen.save_s  # last.pt every epoch, best.pt when it improves
        )
        return RUN_OVERHEAD_S + DEFAULTS[strategy].epochs * per_epoch

    def extraction(m: Measurement) -> float:
        per_image = m.extract_s if m.extract_s is not None else m.forward_s + decode
        return (uncached if m.uncached is None else m.uncached) * per_image

    head_fit = HEAD_EPOCHS_EXPECTED * (n_train + n_val) * FEATURE_EPOCH_S_PER_IMAGE
    k = partial_k(chosen.groups, chosen, size)
    share = 1 - k / max(1, chosen.groups)
    partial = chosen.forward_s + (chosen.train_s - chosen.forward_s) * share
    eta = {
        "features": RUN_OVERHEAD_S + extraction(chosen) + head_fit,
        "linear": epochs("linear", chosen.forward_s * 1.15),  # plus the head's backward pass
        "partial": epochs("partial", partial),
        "full": epochs("full", chosen.train_s),
        "scratch": epochs("scratch", chosen.train_s),
    }
    if len(measures) >= 2:
        eta["stack"] = RUN_OVERHEAD_S + sum(extraction(m) for m in measures) + head_fit
    return {name: round(seconds, 1) for name, seconds in eta.items()}


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
