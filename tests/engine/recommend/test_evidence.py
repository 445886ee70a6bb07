"""Accuracy ranges that can be wrong: narrow where the evidence is strong, honest about the validation set."""

import math

import numpy as np
import pytest

from engine.recommend.estimates import accuracy_forecasts
from engine.recommend.evidence import ProbeCurve, predictive_range
from engine.recommend.rules import DatasetSize, Measurement


def _binomial_se(p, n):
    """As the probe's fold error: never below about one image wrong (see ``fold_standard_error``)."""
    return math.sqrt(max(p * (1 - p), 1 / n) / n)


def _head(accuracy, sample, fold_se=None, sizes=None, accs=None):
    """A measurement whose probe scored ``accuracy`` on ``sample`` images (5-fold: trained on 80%)."""
    fold_se = _binomial_se(accuracy, sample) if fold_se is None else fold_se
    curve = ProbeCurve(tuple(sizes or (0.8 * sample,)), tuple(accs or (accuracy,)), fold_se, sample)
    return Measurement("a", {"probe": accuracy, "knn": accuracy}, 0.01, 0.03, 8, curve=curve)


def _features_range(head, train, val, classes=2, sample=120):
    size = DatasetSize(train, val, classes, sample)
    return accuracy_forecasts(("small", "similar"), size, head, None)["features"]


def _width(r):
    return r[2] - r[0]


def test_more_evidence_narrows_the_range():
    loose = _features_range(_head(0.9, 120, fold_se=0.04), train=400, val=150)
    tight = _features_range(_head(0.9, 120, fold_se=0.01), train=400, val=150)
    assert _width(tight) < _width(loose) - 0.02
    small_val = _features_range(_head(0.9, 120), train=400, val=40)
    big_val = _features_range(_head(0.9, 120), train=400, val=1000)
    assert _width(big_val) < _width(small_val) / 2


@pytest.mark.parametrize(
    "train, val, classes, sample, probe",
    [
        (245, 153, 2, 120, 0.95),  # hymenoptera: 398 images
        (1651, 411, 10, 600, 0.90),  # sign language digits: 2,062 images, unlike ImageNet
        (400, 100, 10, 400, 0.88),  # 500 images, 10 classes, the whole training set probed
        (160, 40, 2, 160, 0.97),  # 200 images: a small validation set, but a nearly perfect probe
    ],
)
def test_a_set_of_200_or_more_images_gets_at_most_12_points(train, val, classes, sample, probe):
    low, mid, high = _features_range(_head(probe, sample), train, val, classes, sample)
    assert low < mid <= high and high - low <= 0.12


def test_the_validation_sets_own_error_is_never_hidden():
    # 40 validation images at ~80%: a score can land anywhere in 0.70-0.90 by chance alone, so a range
    # narrower than that binomial spread would be wrong more often than it admits, whatever the probe.
    low, _, high = _features_range(_head(0.8, 600, fold_se=0.001), train=2000, val=40)
    assert high - low >= 2 * 1.28 * _binomial_se(0.8, 40) - 2 / 40


def test_a_range_ends_at_100_only_where_a_perfect_score_is_likely():
    assert predictive_range(0.99, 0.004, 1000)[1] < 1.0  # 1,000 images: ~10 wrong, never 0
    assert predictive_range(0.99, 0.004, 10)[1] == 1.0  # 10 images: all right 90% of the time
    low, _, high = _features_range(_head(1.0, 120), train=400, val=150)  # a perfect probe is no promise
    assert low < 1.0 and high == 1.0


def test_the_ends_are_reachable_scores_kept_inside_the_range():
    low, _, high = _features_range(_head(0.9, 40), train=40, val=17)
    assert low * 17 == pytest.approx(round(low * 17), abs=0.02)
    assert high * 17 == pytest.approx(round(high * 17), abs=0.02)
    assert low <= round(low * 17) / 17 <= high  # rounded outwards: that score is in the range


def test_the_range_holds_about_80_percent_of_simulated_runs():
    # A probe measured on a sample, a run then scored on its own validation images: both binomial
    # draws around the same true accuracy. The range must hold the run's score about as often as it
    # says (at least 80%; more only for the whole-image steps of small sets), and the same ranges
    # without the validation set's error must be caught holding far fewer.
    rng = np.random.default_rng(0)
    held = without_val = 0
    trials = 400
    for _ in range(trials):
        true = rng.uniform(0.75, 0.98)
        sample, val = int(rng.integers(40, 400)), int(rng.integers(30, 400))
        probe = rng.binomial(sample, true) / sample
        low, _, high = _features_range(_head(probe, sample), train=sample, val=val, sample=sample)
        score = rng.binomial(val, true) / val
        held += low - 1e-9 <= score <= high + 1e-9
        naive = 1.2816 * _binomial_se(probe, sample)
        without_val += probe - naive <= score <= probe + naive
    assert 0.8 <= held / trials <= 0.95
    assert without_val / trials < 0.75


def test_the_learning_curve_moves_the_range_up_with_more_images():
    curve = dict(sizes=(120, 240, 480), accs=(0.8, 0.84, 0.87))
    probed = _features_range(_head(0.87, 600, **curve), train=600, val=400, classes=10, sample=600)
    bigger = _features_range(_head(0.87, 600, **curve), train=2400, val=400, classes=10, sample=600)
    assert bigger[1] > probed[1] + 0.01 and bigger[0] > probed[0]


def test_a_gain_measured_on_few_images_is_not_taken_as_certain():
    # auto's trial scores a head and a short fine-tune on half the sample: a +0.1 point gain on 30
    # images says little, on 600 images more; the fine-tune's range reflects it.
    head = _head(0.85, 60)

    def partial_width(sample):
        size = DatasetSize(2000, 500, 2, sample)
        ranges = accuracy_forecasts(("small", "dissimilar"), size, head, None, {"partial": 0.001})
        return _width(ranges["partial"]), _width(ranges["features"])

    few, head_width = partial_width(60)
    many, _ = partial_width(1200)
    assert few > many + 0.03 and few > head_width
