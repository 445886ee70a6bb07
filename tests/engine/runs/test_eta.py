"""The one live estimator of a run's time left (app and CLI), fed scripted events at given times."""

from __future__ import annotations

import pytest

from engine.events import (
    BatchEnded,
    EpochEnded,
    Paused,
    Resumed,
    RunFinished,
    RunStarted,
    RunStatus,
    StageChanged,
)
from engine.runs.eta import BLEND_STEPS, CALIBRATION_FORWARD, RunProgress, forecast_seconds, format_duration

STEPS, EPOCHS = 10, 4


def _started(strategy: str = "full") -> RunProgress:
    p = RunProgress(started=0.0)
    p.on_event(RunStarted("r", strategy, ("x",), "cpu", EPOCHS, STEPS, 40, 10, ("a", "b")), now=0.0)
    return p


def _batch(p: RunProgress, epoch: int, step: int, now: float) -> None:
    p.on_event(BatchEnded(epoch, step, STEPS, 0.5, 1e-3, 16.0), now=now)


def _epoch(p: RunProgress, epoch: int, now: float) -> None:
    p.on_event(EpochEnded(epoch, EPOCHS, 0.5, 0.8, 0.5, 0.8, 1e-3, 10.0, 16.0), now=now)


def test_a_slow_first_step_does_not_inflate_the_time_left():
    slow, steady = _started(), _started()
    _batch(slow, 1, 1, now=20.0)  # 20 s: loaders starting, warm-up
    _batch(steady, 1, 1, now=1.0)
    for step in range(2, 6):
        _batch(slow, 1, step, now=20.0 + step - 1)
        _batch(steady, 1, step, now=float(step))
    assert slow.eta_seconds(now=24.0) == pytest.approx(steady.eta_seconds(now=5.0))
    # 1 s a step: 5 steps of this epoch and 3 more epochs of 10 steps at least, plus validation
    assert 35.0 < steady.eta_seconds(now=5.0) < 60.0


def test_measured_epochs_replace_the_guessed_validation_and_calibration_counts_after_the_last():
    p = _started("full")
    t = 0.0
    for epoch in (1, 2):
        for step in range(1, STEPS + 1):
            t += 1.0
            _batch(p, epoch, step, now=t)
        t += 6.0  # validation and checkpoints: 6 s
        _epoch(p, epoch, now=t)
    calibration = 6.0 * (10 + 40 + 12) / 10 * CALIBRATION_FORWARD  # the last tail, scaled to its images
    assert p.eta_seconds(now=t) == pytest.approx(2 * 16.0 + calibration)
    for epoch in (3, 4):
        for step in range(1, STEPS + 1):
            t += 1.0
            _batch(p, epoch, step, now=t)
        t += 6.0
        _epoch(p, epoch, now=t)
    assert p.eta_seconds(now=t) == pytest.approx(calibration)
    p.on_event(StageChanged("Calibrating confidence", 50, 100), now=t + 30.0)
    assert p.eta_seconds(now=t + 30.0) == pytest.approx(calibration - 30.0)
    p.on_event(RunFinished(RunStatus.COMPLETED, "r", 4, 0.8, 4, t + 60), now=t + 60)
    assert p.eta_seconds(now=t + 60) == 0.0 and p.fraction() == 1.0


def test_it_counts_down_between_events_and_stands_still_while_paused():
    p = _started()
    for step in range(1, 4):
        _batch(p, 1, step, now=float(step))
    left = p.eta_seconds(now=3.0)
    assert p.eta_seconds(now=3.25) == pytest.approx(left - 0.25)
    p.on_event(Paused(1, 3), now=3.5)
    assert p.eta_seconds(now=400.0) == pytest.approx(left - 0.5)
    p.on_event(Resumed(1, 3), now=500.0)
    _batch(p, 1, 4, now=500.5)  # the pause is not part of the step
    assert p.eta_seconds(now=500.5) == pytest.approx(left - 1.0)
    assert p.active_seconds(now=500.5) == pytest.approx(4.0)


def test_the_forecast_seeds_the_estimate_until_steps_are_measured():
    p = RunProgress(forecast_s=100.0, started=0.0)
    assert p.eta_seconds(now=0.0) == pytest.approx(100.0)
    p.on_event(StageChanged("Recording the dataset", 1, 2), now=10.0)
    assert p.eta_seconds(now=10.0) == pytest.approx(90.0)
    p.on_event(RunStarted("r", "full", ("x",), "cpu", EPOCHS, STEPS, 40, 10, ("a", "b")), now=10.0)
    _batch(p, 1, 1, now=11.0)
    _batch(p, 1, 2, now=12.0)  # one steady step: mostly the forecast still
    measured_only = _started()
    _batch(measured_only, 1, 1, now=1.0)
    _batch(measured_only, 1, 2, now=2.0)
    weight = 1 / BLEND_STEPS
    expected = weight * measured_only.eta_seconds(now=2.0) + (1 - weight) * (100.0 - 12.0)
    assert p.eta_seconds(now=12.0) == pytest.approx(expected)
    for step in range(3, BLEND_STEPS + 3):
        _batch(p, 1, step, now=10.0 + step)
        _batch(measured_only, 1, step, now=float(step))
    assert p.eta_seconds(now=10.0 + step) == pytest.approx(measured_only.eta_seconds(now=float(step)))


def test_head_runs_use_the_epoch_period_and_the_stage_rate_before():
    p = RunProgress(started=0.0)
    p.on_event(StageChanged("Computing training features", 0, 100), now=0.0)
    p.on_event(StageChanged("Computing training features", 10, 100), now=5.0)
    assert p.eta_seconds(now=5.0) == pytest.approx(45.0)  # 0.5 s an image
    p.on_event(RunStarted("r", "features", ("x",), "cpu", 60, 4, 245, 153, ("a", "b")), now=60.0)
    for epoch in (1, 2, 3):
        p.on_event(BatchEnded(epoch, 4, 4, 0.5, 1e-3, 1e4), now=60.0 + 0.1 * epoch - 0.02)
        p.on_event(EpochEnded(epoch, 60, 0.5, 0.9, 0.5, 0.9, 1e-3, 0.1, 1e4), now=60.0 + 0.1 * epoch)
    assert p.eta_seconds(now=60.3) == pytest.approx(57 * 0.1)  # nothing to calibrate: vectors cached


def test_headline_fraction_and_helpers():
    p = _started("partial")
    _batch(p, 1, 5, now=5.0)
    assert p.headline() == "Epoch 1 of 4, batch 5 of 10" and 0.1 < p.fraction() < 0.15
    _epoch(p, 1, now=10.0)
    assert p.headline() == "Epoch 2 of 4" and 0.2 < p.fraction() < 0.3
    assert format_duration(65) == "1 min 05 s" and format_duration(None) == "—"
    assert format_duration(3725) == "1 h 02 min" and format_duration(float("nan")) == "—"
    assert forecast_seconds({"expected_seconds": 12.5}) == 12.5
    assert forecast_seconds({"goal": "x"}) is None and forecast_seconds(None) is None
    assert forecast_seconds({"expected_seconds": "soon"}) is None


def test_the_step_time_follows_a_change_of_load():
    def run(first_half_step_s: float) -> RunProgress:
        p = RunProgress(started=0.0)
        p.on_event(RunStarted("r", "full", ("x",), "cpu", 2, 100, 1600, 400, ("a", "b")), now=0.0)
        t = 0.0
        for step in range(1, 101):
            t += first_half_step_s if step <= 50 else 2.0
            p.on_event(BatchEnded(1, step, 100, 0.5, 1e-3, 16.0), now=t)
        return p

    switched, steady = run(1.0), run(2.0)  # a competing program started half-way through the epoch
    assert switched.eta_seconds(now=150.0) == pytest.approx(steady.eta_seconds(now=200.0), rel=0.05)
