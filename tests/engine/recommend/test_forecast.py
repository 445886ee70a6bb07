"""Accuracy ranges from evidence, times from what a run does, and the cost-aware choice."""

import math

import numpy as np
import pytest

from engine.recommend.estimates import accuracy_forecasts, validation_se
from engine.recommend.evidence import ProbeCurve, fold_standard_error, probe_curve
from engine.recommend.forecast import Forecast, choose, cost_sentence
from engine.recommend.rules import DatasetSize, Measurement


def _curve(sizes, accs, fold_se=0.01, tested=120):
    return ProbeCurve(tuple(sizes), tuple(accs), fold_se, tested)


def _m(curve=None, probe=0.9, forward_s=0.01, train_s=0.03, save_s=0.05, extract_s=None):
    scores = {"knn": probe, "probe": probe, "imagenet_confidence": 0.6}
    return Measurement("a", scores, forward_s, train_s, 8, extract_s, save_s=save_s, curve=curve)


def test_the_learning_curve_extrapolates_a_falling_error():
    # error halves when the images quadruple: b = 0.5
    curve = _curve([25, 50, 100], [1 - 0.2, 1 - 0.2 / math.sqrt(2), 0.9])
    assert curve.slope() == pytest.approx(0.5, abs=1e-6)
    expected, se = curve.extrapolate(400)
    assert expected == pytest.approx(0.95, abs=1e-6) and se == pytest.approx(0.025, abs=1e-6)
    assert curve.extrapolate(80) == (0.9, 0.0)  # fewer images than measured: the measurement


def test_a_flat_or_rising_error_predicts_no_gain():
    assert _curve([25, 50, 100], [0.9, 0.85, 0.8]).slope() == 0.0
    assert _curve([25, 50, 100], [1.0, 1.0, 1.0]).extrapolate(1000) == (1.0, 0.0)


def test_probe_curve_on_separable_and_random_features():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 40)
    clean = rng.normal(size=(80, 16)) + labels[:, None] * 3.0
    curve = probe_curve(clean, labels)
    assert curve is not None and len(curve.sizes) == 3 and curve.accuracy >= 0.95
    assert list(curve.sizes) == sorted(curve.sizes) and curve.tested == 80
    noise = probe_curve(rng.normal(size=(80, 16)), labels)
    assert noise is not None and noise.accuracy < 0.75
    assert probe_curve(clean[:3], np.array([0, 0, 1])) is None


def test_fold_error_never_claims_certainty():
    perfect = fold_standard_error(np.array([20.0, 20, 20, 20, 20]), np.full(5, 20.0))
    assert perfect == pytest.approx(math.sqrt(1 / 100 / 100))
    uneven = fold_standard_error(np.array([10.0, 20, 15, 19, 11]), np.full(5, 20.0))
    assert uneven > 0.04


def _size(train=400, val=150, classes=2, sample=120):
    return DatasetSize(train, val, classes, sample, decode_s=0.004)


def test_ranges_narrow_with_evidence_and_stay_honest():
    strong = _m(_curve([24, 48, 96], [0.9, 0.92, 0.93], fold_se=0.015))
    low, mid, high = accuracy_forecasts(("small", "similar"), _size(), strong, None)["features"]
    assert low < mid < high < 1.0 and high - low <= 0.12
    assert mid > 0.93  # more images than the probe saw
    weak = _m(_curve([8, 16, 32], [0.6, 0.7, 0.8], fold_se=0.06))
    wlow, _, whigh = accuracy_forecasts(("small", "similar"), _size(val=20), weak, None)["features"]
    assert whigh - wlow > high - low
    assert validation_se(0.9, 100) == pytest.approx(0.03)


def test_fine_tuning_gains_more_on_unlike_images_and_a_measured_gain_wins():
    m = _m(_curve([24, 48, 96], [0.75, 0.78, 0.8]))
    like = accuracy_forecasts(("small", "similar"), _size(), m, None)
    unlike = accuracy_forecasts(("small", "dissimilar"), _size(), m, None)
    assert unlike["partial"][1] - unlike["features"][1] > like["partial"][1] - like["features"][1] > 0
    measured = accuracy_forecasts(("small", "dissimilar"), _size(), m, None, {"partial": -0.02})
    assert measured["partial"][1] < measured["features"][1]


def _f(name, expected, seconds):
    return Forecast(name, expected - 0.03, expected, expected + 0.03, seconds)


TABLE = {
    "features": _f("features", 0.950, 20),
    "linear": _f("linear", 0.951, 200),
    "partial": _f("partial", 0.958, 600),
    "full": _f("full", 0.965, 1200),
}


def test_choose_takes_the_cheapest_within_a_point_or_the_best():
    assert choose(TABLE).strategy == "partial"
    assert choose(TABLE, "most-accurate").strategy == "full"
    assert choose(TABLE, "most-accurate", time_budget=700).strategy == "partial"
    assert choose(TABLE, time_budget=5).strategy == "features"  # nothing fits: the quickest
    with pytest.raises(ValueError, match="goal"):
        choose(TABLE, "cheapest")


def test_the_reason_names_what_a_slower_choice_would_add():
    text = cost_sentence(TABLE["partial"], TABLE, None)
    assert text == "Fine-tuning every layer would take ~20 min for about +0.7 points."
    over = cost_sentence(TABLE["features"], TABLE, 100)
    assert "over your budget" in over
    assert "quickest" in cost_sentence(TABLE["full"], {"full": TABLE["full"]}, None)
    assert cost_sentence(TABLE["full"], TABLE, None) == (
        "A new head on stored features would take only ~20 s but is expected to reach about 1.5 points less."
    )


def test_forecast_round_trips_through_json_fields():
    f = Forecast("partial", 0.81, 0.86, 0.9, 123.4, measured=True)
    assert Forecast.from_dict("partial", f.to_dict()) == f
