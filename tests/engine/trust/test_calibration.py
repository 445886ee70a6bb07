import numpy as np
import pytest

from engine.trust.calibration import (
    ECE_RELIABLE_N,
    bootstrap_interval,
    calibration_report,
    ece,
    ece_equal_mass,
    reliability_bins,
)
from engine.trust.temperature import T_MAX, T_MIN, fit_temperature, nll, softmax


def _calibrated_logits(n=3000, classes=4, seed=0):
    """Logits whose softmax is the true label distribution: labels are drawn from it."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2.0, (n, classes))
    probs = softmax(logits)
    labels = np.array([rng.choice(classes, p=p) for p in probs])
    return logits, labels


def test_overconfident_logits_get_t_above_one_and_ece_halves_with_argmax_unchanged():
    logits, labels = _calibrated_logits()
    overconfident = logits * 3.0
    t = fit_temperature(overconfident, labels)
    assert 2.5 < t < 3.5  # recovers the factor the logits were scaled by
    before, after = softmax(overconfident), softmax(overconfident, t)
    assert ece(after, labels) <= 0.5 * ece(before, labels)
    assert np.array_equal(before.argmax(1), after.argmax(1))
    assert nll(overconfident, labels, t) <= nll(overconfident, labels)


def test_underconfident_logits_get_t_below_one():
    logits, labels = _calibrated_logits(seed=1)
    t = fit_temperature(logits / 2.0, labels)
    assert 0.4 < t < 0.6


def test_degenerate_inputs_stay_in_range():
    assert fit_temperature(np.zeros((0, 3)), np.zeros(0, dtype=int)) == 1.0
    separable = np.array([[10.0, -10.0], [-10.0, 10.0]] * 20)
    labels = np.array([0, 1] * 20)
    assert T_MIN <= fit_temperature(separable, labels) <= T_MAX
    always_wrong = np.array([[5.0, -5.0]] * 10)
    assert fit_temperature(always_wrong, np.ones(10, dtype=int)) == pytest.approx(T_MAX)


def test_bins_count_every_image_and_equal_mass_ece_is_small_when_calibrated():
    logits, labels = _calibrated_logits(seed=2)
    probs = softmax(logits)
    bins = reliability_bins(probs, labels)
    assert len(bins) == 15 and sum(b.count for b in bins) == len(labels)
    assert ece_equal_mass(probs, labels) < 0.04
    assert ece(probs, labels) < 0.04


def test_report_says_when_ece_is_unreliable():
    logits, labels = _calibrated_logits(n=ECE_RELIABLE_N - 1, seed=3)
    report = calibration_report(logits * 2, labels, fit_temperature(logits * 2, labels))
    assert not report.reliable
    low, high = report.ece_after_interval
    assert 0.0 <= low <= report.ece_after <= high
    assert report.to_dict()["n"] == ECE_RELIABLE_N - 1


def test_ece_interval_contains_its_point_estimate_though_resampling_biases_ece_upwards():
    logits, labels = _calibrated_logits(n=80, classes=3, seed=0)
    probs = softmax(logits)
    point = ece(probs, labels)

    def metric(idx):
        return ece(probs[idx], labels[idx])

    raw_low, raw_high = bootstrap_interval(metric, len(labels))
    assert raw_low > point  # the plain percentile interval lies wholly above the estimate
    low, high = bootstrap_interval(metric, len(labels), point=point)
    assert 0.0 <= low <= point <= high
    assert high - low == pytest.approx(raw_high - raw_low) or low == 0.0  # moved, not widened
    assert high < raw_high
