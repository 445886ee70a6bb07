"""The evidence behind an accuracy range: a probe learning curve, its fold spread, and extrapolation.

The linear probe (:func:`engine.recommend.transferability.probe_fold_accuracies`) is run on the
whole measured sample and on seeded, class-stratified fractions of it. The points give a learning
curve, ``error = a * n ** -b``, extrapolated to the number of images the run will train on; the
spread of the full sample's folds (bootstrapped) says how well the sample pinned the accuracy
down. :func:`predictive_range` turns that into the range of what the run will *measure*: the
validation set's own sampling error added exactly (a beta-binomial over its images), so a range
ends at 100% only where a perfect score on that many images is really among the likely outcomes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.recommend.transferability import probe_fold_accuracies

FRACTIONS = (0.25, 0.5)  # of the sample, besides all of it
REPEATS = 2  # seeded subsamples per fraction: small probes are noisy
BOOTSTRAP = 400
MAX_SLOPE = 0.5  # error falls at most like 1/sqrt(n): steeper fits of three noisy points overshoot
MAX_EXTRAPOLATION = 20.0  # trust the curve up to 20x the images the probe trained on
MIN_PER_CLASS = 4  # fewer per class in a subsample cannot be cross-validated meaningfully
CENTRAL = 0.8  # the ranges are central 80% intervals
Z80 = 1.2816  # half-width of a central 80% normal interval, in standard errors
MAX_EXACT_IMAGES = 20_000  # larger validation sets: the same quantiles, on this many images


@dataclass(frozen=True)
class ProbeCurve:
    """Probe accuracy at several training-set sizes, and how certain the largest one is.

    Attributes:
        sizes: Images the probe trained on at each point (the folds' training part), ascending.
        accuracies: Cross-validated accuracy at each point.
        fold_se: Standard error of the last (whole-sample) accuracy, bootstrapped over its folds.
        tested: Images the last accuracy was tested on.
    """

    sizes: tuple[float, ...]
    accuracies: tuple[float, ...]
    fold_se: float
    tested: int

    @property
    def accuracy(self) -> float:
        """The whole sample's probe accuracy."""
        return self.accuracies[-1]

    def slope(self) -> float:
        """``b`` of ``error = a * n ** -b`` by least squares in log-log, within ``[0, MAX_SLOPE]``."""
        pairs = zip(self.sizes, self.accuracies, strict=True)
        points = [(math.log(n), math.log(1 - a)) for n, a in pairs if a < 1]
        if len(points) < 2:
            return 0.0
        x, y = np.array(points).T
        if np.ptp(x) == 0:
            return 0.0
        b = -float(np.polyfit(x, y, 1)[0])
        return min(max(b, 0.0), MAX_SLOPE)

    def extrapolate(self, images: float) -> tuple[float, float]:
        """Expected accuracy when trained on ``images``, and the extrapolation's own uncertainty.

        The uncertainty is half the predicted change: the further the curve is followed, the
        less it is trusted.
        """
        last_n, last = self.sizes[-1], self.accuracy
        if images <= last_n or last >= 1.0:
            return last, 0.0
        ratio = min(images / last_n, MAX_EXTRAPOLATION)
        predicted = 1 - (1 - last) * ratio ** -self.slope()
        return predicted, 0.5 * (predicted - last)


def probe_curve(features: np.ndarray, labels: np.ndarray, seed: int = 0) -> ProbeCurve | None:
    """Measure the probe on the whole sample and on :data:`FRACTIONS` of it.

    Returns:
        The curve, or None when a class has fewer than two samples (nothing to cross-validate).
    """
    whole = probe_fold_accuracies(features, labels, seed=seed)
    if whole is None:
        return None
    correct, sizes = whole
    folds = len(sizes)
    n = float(len(labels))
    points: list[tuple[float, float]] = []
    rng = np.random.default_rng(seed)
    for fraction in FRACTIONS:
        accs = []
        for _ in range(REPEATS):
            keep = _stratified_subsample(labels, fraction, rng)
            if keep is None:
                break
            sub = probe_fold_accuracies(features[keep], labels[keep], seed=seed)
            if sub is not None:
                sub_correct, sub_sizes = sub
                train_n = len(keep) * (len(sub_sizes) - 1) / len(sub_sizes)
                accs.append((train_n, float(sub_correct.sum() / sub_sizes.sum())))
        if accs:
            points.append((float(np.mean([a[0] for a in accs])), float(np.mean([a[1] for a in accs]))))
    points.append((n * (folds - 1) / folds, float(correct.sum() / sizes.sum())))
    points.sort()
    return ProbeCurve(
        tuple(p[0] for p in points), tuple(p[1] for p in points), fold_standard_error(correct, sizes), int(n)
    )


def fold_standard_error(correct: np.ndarray, sizes: np.ndarray, seed: int = 0) -> float:
    """Standard error of the pooled accuracy, by resampling folds; never below a binomial floor.

    With every fold perfect (or every fold equal) the bootstrap says 0, which no sample can
    promise: the floor is the binomial error of the pooled accuracy, its ``p * (1 - p)`` kept at
    least ``1 / n`` (about one image wrong).
    """
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(sizes), size=(BOOTSTRAP, len(sizes)))
    boot = correct[picks].sum(axis=1) / sizes[picks].sum(axis=1)
    n = float(sizes.sum())
    p = float(correct.sum() / n)
    floor = math.sqrt(max(p * (1 - p), 1 / n) / n)
    return max(float(boot.std()), floor)


def _stratified_subsample(labels: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray | None:
    """Indices of ``fraction`` of each class (seeded), or None if a class would keep too few."""
    keep = []
    for cls in np.unique(labels):
        members = np.flatnonzero(labels == cls)
        count = round(len(members) * fraction)
        if count < MIN_PER_CLASS:
            return None
        keep.append(rng.choice(members, count, replace=False))
    return np.sort(np.concatenate(keep))


def predictive_range(expected: float, se: float, val_images: int) -> tuple[float, float]:
    """Central 80% range of the accuracy a run will measure on ``val_images`` images.

    The run's true accuracy is uncertain by ``se`` (the evidence: probe folds, extrapolation, a
    prior's doubt), and the validation set adds its own binomial error on top. Together they are
    a beta-binomial: a beta distribution of mean ``expected`` and standard deviation ``se``, then
    a binomial draw of ``val_images`` images. The ends are its 10% and 90% quantiles (whole images,
    so a small validation set gets a range of reachable scores). Without validation images, the
    normal range of the true accuracy.
    """
    if val_images < 1:
        half = Z80 * se
        return max(0.0, expected - half), min(1.0, expected + half)
    n = min(int(val_images), MAX_EXACT_IMAGES)
    # A measured 100% (or 0%) is not a certainty: keep the mean one standard error inside.
    mean = min(max(expected, se, 1e-4), 1 - max(se, 1e-4))
    log_pmf = _log_pmf(n, mean, min(se * se, 0.5 * mean * (1 - mean)))
    cdf = np.cumsum(np.exp(log_pmf - log_pmf.max()))
    cdf /= cdf[-1]
    tail = (1 - CENTRAL) / 2
    low = int(np.searchsorted(cdf, tail - 1e-12))
    high = int(np.searchsorted(cdf, 1 - tail - 1e-12))
    return min(low / n, expected), max(high / n, min(expected, 1.0))


def _log_pmf(n: int, mean: float, var: float) -> np.ndarray:
    """Log-probabilities of 0..n right answers: beta-binomial, binomial when ``var`` is negligible."""
    k = np.arange(n + 1, dtype=np.float64)
    lgamma = np.vectorize(math.lgamma, otypes=[np.float64])
    choose = math.lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
    spread = mean * (1 - mean) / var - 1 if var > 0 else math.inf
    if spread > 1e6:  # the beta is a point: plain binomial (and no cancellation of huge lgammas)
        return choose + k * math.log(mean) + (n - k) * math.log1p(-mean)
    a, b = mean * spread, (1 - mean) * spread
    beta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) - math.lgamma(n + a + b)
    return choose + lgamma(k + a) + lgamma(n - k + b) + beta
