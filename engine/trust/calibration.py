"""How well probabilities match outcomes: ECE (equal-width and equal-mass), NLL, Brier, with intervals.

ECE here is the top-label expected calibration error with 15 bins and the L1 norm, the figure the
literature reports. It is biased upwards at small sample sizes (Roelofs et al., 2022): below
:data:`ECE_RELIABLE_N` evaluation images the report says so instead of pretending.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from engine.trust.temperature import nll, softmax

BINS = 15
ECE_RELIABLE_N = 300
"""Below this many evaluation images ECE is dominated by its own sampling bias."""


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of a reliability diagram: its confidence range, mean confidence, accuracy and count."""

    low: float
    high: float
    confidence: float
    accuracy: float
    count: int


def reliability_bins(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> list[ReliabilityBin]:
    """Equal-width bins over the top-label confidence (empty bins included, with count 0)."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    out = []
    for b in range(bins):
        members = which == b
        n = int(members.sum())
        out.append(ReliabilityBin(
            low=float(edges[b]), high=float(edges[b + 1]),
            confidence=float(confidence[members].mean()) if n else 0.0,
            accuracy=float(correct[members].mean()) if n else 0.0,
            count=n,
        ))
    return out


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """Top-label ECE with equal-width bins: the count-weighted mean |accuracy - confidence|."""
    total = len(labels)
    if total == 0:
        return 0.0
    return float(sum(b.count * abs(b.accuracy - b.confidence) for b in reliability_bins(probs, labels, bins))
                 / total)


def ece_equal_mass(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """Top-label ECE with equal-mass bins (each bin holds about the same number of images)."""
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    if len(labels) == 0:
        return 0.0
    order = np.argsort(confidence, kind="stable")
    gaps = [abs(correct[chunk].mean() - confidence[chunk].mean()) * len(chunk)
            for chunk in np.array_split(order, min(bins, len(order))) if len(chunk)]
    return float(sum(gaps) / len(labels))


def brier(probs: np.ndarray, labels: np.ndarray) -> float:
    """Mean multi-class Brier score (squared error against the one-hot label, summed over classes)."""
    onehot = np.zeros_like(probs, dtype=np.float64)
    onehot[np.arange(len(labels)), labels] = 1.0
    return float(np.mean(((probs - onehot) ** 2).sum(axis=1)))


def bootstrap_interval(
    metric: Callable[[np.ndarray], float],
    n: int,
    rounds: int = 200,
    level: float = 0.9,
    seed: int = 0,
    point: float | None = None,
) -> tuple[float, float]:
    """Bootstrap interval of ``metric(indices)`` over ``n`` rows resampled with replacement.

    With ``point`` (the metric on all rows) the percentile interval is moved by the resampling's
    median bias, ``median(resampled) - point``, and floored at 0. A metric biased under
    resampling, as ECE is (upwards: every resample adds noise to the bins), otherwise gives a
    percentile interval that can lie wholly above its own point estimate. The median of the
    resampled values always lies inside their percentile interval, so the moved interval always
    contains ``point``. Without ``point``: the plain percentile interval.
    """
    if n == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    values = np.array([metric(rng.integers(0, n, n)) for _ in range(rounds)])
    tail = (1.0 - level) / 2 * 100
    low, high = float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))
    if point is None:
        return (low, high)
    bias = float(np.median(values)) - point
    return (max(0.0, low - bias), high - bias)


@dataclass(frozen=True)
class CalibrationReport:
    """Calibration before and after temperature scaling, measured on the validation images.

    ``source`` says which held-out logits T was fitted on (``"validation (153 images)"`` or
    ``"out-of-fold (5 folds, 244 training images)"``) and ``fitted_n`` how many; ``n`` is the
    number of validation images the figures were measured on.
    """

    temperature: float
    n: int
    ece_before: float
    ece_after: float
    ece_after_interval: tuple[float, float]
    ece_equal_mass_after: float
    nll_before: float
    nll_after: float
    brier_after: float
    reliable: bool
    bins_before: list[ReliabilityBin]
    bins_after: list[ReliabilityBin]
    source: str = "validation"
    fitted_n: int = 0

    def to_dict(self) -> dict:
        """A JSON-ready dict (bins as lists of dicts)."""
        return asdict(self)


def calibration_report(
    logits: np.ndarray, labels: np.ndarray, temperature: float, source: str = "", fitted_n: int | None = None
) -> CalibrationReport:
    """Measure calibration of ``logits`` before (T = 1) and after dividing by ``temperature``.

    Args:
        logits: The validation logits (held out from both the training and the fit of T, unless
            T was fitted on them too).
        labels: Their true classes.
        temperature: The fitted T.
        source: Where T was fitted, for the report (default: these logits).
        fitted_n: How many logits T was fitted on (default: these).
    """
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    before, after = softmax(logits), softmax(logits, temperature)
    ece_after = ece(after, labels)
    return CalibrationReport(
        temperature=temperature,
        n=len(labels),
        ece_before=ece(before, labels),
        ece_after=ece_after,
        ece_after_interval=bootstrap_interval(
            lambda idx: ece(after[idx], labels[idx]), len(labels), point=ece_after
        ),
        ece_equal_mass_after=ece_equal_mass(after, labels),
        nll_before=nll(logits, labels),
        nll_after=nll(logits, labels, temperature),
        brier_after=brier(after, labels),
        reliable=len(labels) >= ECE_RELIABLE_N,
        bins_before=reliability_bins(before, labels),
        bins_after=reliability_bins(after, labels),
        source=source or f"validation ({len(labels):,} images)",
        fitted_n=len(labels) if fitted_n is None else fitted_n,
    )
