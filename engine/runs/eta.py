"""Where a run stands and how long it has left, from its events: fraction done, time left, speed.

One estimator for every front end: the app's training panel and the CLI's progress lines fold
the same events into the same numbers. The time left is re-estimated live:

* before any step is measured, the forecast (the recommender's expected seconds for the run,
  when known) minus the time spent; during a preparation stage (scanning, feature extraction)
  without a forecast, that stage's own rate;
* once steps are measured, steady-state seconds per step (each epoch's first step, which
  carries the loaders' start and the warm-up, left out) for the steps left, each epoch's
  measured tail (validation, checkpoint writes) for the epochs left, and the calibration pass
  after the last epoch; over the first steps this is blended with the forecast;
* between events it counts down; pauses do not count.

Qt-free and torch-free.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.events import (
    BatchEnded,
    BestImproved,
    EpochEnded,
    Event,
    Paused,
    Resumed,
    RunFinished,
    RunStarted,
    StageChanged,
)

FORECAST_KEY = "expected_seconds"  # in ``TrainConfig.extra``: the forecast a front end seeds with
BLEND_STEPS = 8  # measured steps after which the forecast no longer counts
RECENT_STEPS = 20  # the step time follows the load of about the last this many steps
RECENT_EPOCHS = 3  # the epoch time: the mean of the last this many (the first one left out)
# Seconds per image of a validation forward against a training step (before one epoch is timed).
VALIDATION_SHARE = {"linear": 1.0, "partial": 0.5, "full": 0.35, "scratch": 0.35}
HEAD_STRATEGIES = ("features", "stack")  # calibration reuses the cached vectors: nearly free
CALIBRATION_FORWARD = 2.0  # calibration's pass per image against validation's (measured on 2 cores)
CALIBRATION_REFERENCES = 5000  # training images calibration passes at most
CALIBRATION_JUNK = 12  # generated images it passes too


def format_duration(seconds: float | None) -> str:
    """``"1 h 05 min"``, ``"3 min 20 s"``, ``"12 s"``; ``"—"`` when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "—"
    s = round(seconds)
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    if s >= 60:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s} s"


def forecast_seconds(extra: Mapping[str, Any] | None) -> float | None:
    """The forecast a run's configuration carries (``TrainConfig.extra``), if any."""
    value = (extra or {}).get(FORECAST_KEY)
    try:
        return float(value) if value is not None and float(value) > 0 else None
    except (TypeError, ValueError):
        return None


@dataclass
class _Steps:
    """Steady-state seconds per step, the recent steps weighing most (so a change of load shows).

    From the intervals between batch events within an epoch; each epoch's first step is left out.
    """

    mean: float | None = None
    steps: int = 0
    last: tuple[int, int, float] | None = None  # (epoch, step, time) of the last batch event

    def add(self, epoch: int, step: int, now: float) -> None:
        if self.last is not None and self.last[0] == epoch and step > self.last[1] and self.last[1] >= 1:
            n = step - self.last[1]
            per_step = (now - self.last[2]) / n
            weight = 1.0 if self.mean is None else 1 - math.exp(-n / RECENT_STEPS)
            self.mean = per_step if self.mean is None else self.mean + weight * (per_step - self.mean)
            self.steps += n
        self.last = (epoch, step, now)

    def shift(self, pause: float) -> None:
        if self.last is not None:
            self.last = (self.last[0], self.last[1], self.last[2] + pause)


@dataclass
class RunProgress:
    """Folds a run's events into what the app and the CLI show; see the module docstring."""

    forecast_s: float | None = None
    epochs: int = 0
    steps_per_epoch: int = 0
    epoch: int = 0
    step: int = 0
    stage: str = "Starting"
    stage_done: int = 0
    stage_total: int = 0
    images_per_s: float = 0.0
    device: str = ""
    run_dir: str = ""
    strategy: str = ""
    train_images: int = 0
    val_images: int = 0
    best_epoch: int = 0  # counted from 1, as in the events; 0: none yet
    best_val_acc: float = 0.0
    epochs_done: int = 0
    paused: bool = False
    finished: bool = False
    started: float = field(default_factory=time.monotonic)
    stage_started: float = field(default_factory=time.monotonic)
    train_started: float | None = None
    epoch_started: float | None = None
    epoch_seconds: list[float] = field(default_factory=list)
    epoch_periods: list[float] = field(default_factory=list)  # wall seconds between epoch ends
    _steps: _Steps = field(default_factory=_Steps)
    _last_event: float | None = None
    _estimate_at_event: float | None = None
    _paused_at: float | None = None
    _paused_total: float = 0.0

    def on_event(self, event: Event, now: float | None = None) -> None:
        """Update from one engine event."""
        now = time.monotonic() if now is None else now
        match event:
            case StageChanged(stage=stage, done=done, total=total):
                if stage != self.stage:
                    self.stage, self.stage_started = stage, now
                self.stage_done, self.stage_total = done, total
            case RunStarted():
                self.epochs, self.steps_per_epoch = event.epochs, event.steps_per_epoch
                self.device, self.run_dir, self.strategy = event.device, event.run_dir, event.strategy
                self.train_images, self.val_images = event.train_images, event.val_images
                self.stage, self.train_started, self.epoch_started = "Training", now, now
            case BatchEnded():
                self.epoch, self.step, self.images_per_s = event.epoch - 1, event.step, event.images_per_s
                self.steps_per_epoch = event.steps_per_epoch or self.steps_per_epoch
                self._steps.add(event.epoch, event.step, now)
            case EpochEnded():
                self.epochs_done, self.epochs = event.epoch, event.epochs
                self.epoch, self.step = event.epoch, 0
                self.images_per_s = event.images_per_s or self.images_per_s
                self.epoch_seconds.append(event.seconds)
                if self.epoch_started is not None:
                    self.epoch_periods.append(now - self.epoch_started)
                self.epoch_started = now
            case BestImproved():
                self.best_epoch, self.best_val_acc = event.epoch, event.val_acc
            case Paused():
                self.paused, self._paused_at = True, now
            case Resumed():
                self._end_pause(now)
            case RunFinished():
                self._end_pause(now)
                self.finished, self.stage = True, event.status.value.capitalize()
        # while paused the time left stands still at what it was when the pause began
        self._estimate_at_event = self._countdown(now) if self.paused else self._estimate(now)
        self._last_event = now

    def _end_pause(self, now: float) -> None:
        if self._paused_at is not None:
            pause = now - self._paused_at
            self._paused_total += pause
            if self.epoch_started is not None:
                self.epoch_started += pause
            self._steps.shift(pause)
        self.paused, self._paused_at = False, None

    def fraction(self) -> float:
        """Share of the training done, 0 to 1 (the preparation stage counts as 0)."""
        if self.finished:
            return 1.0
        if not self.epochs or not self.steps_per_epoch:
            return 0.0
        done = self.epochs_done + min(self.step, self.steps_per_epoch) / self.steps_per_epoch * 0.95
        return min(1.0, done / self.epochs)

    def active_seconds(self, now: float | None = None) -> float:
        """Seconds since the run was started, pauses left out."""
        now = time.monotonic() if now is None else now
        paused_now = now - self._paused_at if self._paused_at is not None else 0.0
        return max(0.0, now - self.started - self._paused_total - paused_now)

    def eta_seconds(self, now: float | None = None) -> float | None:
        """Seconds left (None while unknown): the estimate at the last event, counting down since."""
        if self.finished:
            return 0.0
        now = time.monotonic() if now is None else now
        if self._last_event is None:
            return None if self.forecast_s is None else self._estimate(now)
        return self._estimate_at_event if self.paused else self._countdown(now)

    def _countdown(self, now: float) -> float | None:
        """The estimate made at the last event, less the time since."""
        if self._estimate_at_event is None or self._last_event is None:
            return None
        return max(0.0, self._estimate_at_event - (now - self._last_event))

    def _estimate(self, now: float) -> float | None:
        """Seconds left as of ``now``, from what was measured so far (and the forecast)."""
        from_forecast = None
        if self.forecast_s is not None:
            from_forecast = max(0.0, self.forecast_s - self.active_seconds(now))
        measured = self._measured_left(now)
        if measured is None:
            return from_forecast if from_forecast is not None else self._stage_left(now)
        if from_forecast is None or self.epochs_done:
            return measured
        weight = min(1.0, self._steps.steps / BLEND_STEPS)
        return weight * measured + (1 - weight) * from_forecast

    def _stage_left(self, now: float) -> float | None:
        """The current stage's time left at its own rate."""
        if self.stage_total and self.stage_done:
            elapsed = now - self.stage_started
            return elapsed / self.stage_done * (self.stage_total - self.stage_done)
        return None

    def _measured_left(self, now: float) -> float | None:
        """Steps left at the steady step time, plus the epochs' tails and the calibration."""
        if self.train_started is None or not self.steps_per_epoch:
            return None
        step_s = self._step_s(now)
        if step_s is None:
            return None
        tail = self._tail(step_s)
        if self.stage != "Training" or (self.epochs and self.epochs_done >= self.epochs):
            # after the last epoch (or an early stop): calibrating
            stage = self._stage_left(now) or 0.0
            return max(stage, self._calibration(tail) - (now - (self.epoch_started or now)))
        per_epoch = self.steps_per_epoch * step_s + tail
        if len(self.epoch_periods) >= 2:  # the first epoch carries the warm-up
            recent = self.epoch_periods[1:][-RECENT_EPOCHS:]
            per_epoch = sum(recent) / len(recent)
        left_now = max(0, self.steps_per_epoch - self.step) * step_s + tail
        later = max(0, self.epochs - self.epoch - 1)
        return left_now + later * per_epoch + self._calibration(tail)

    def _step_s(self, now: float) -> float | None:
        """Steady seconds per step; before two steps of an epoch are seen, the training's average."""
        steady = self._steps.mean
        if steady is not None:
            return steady
        if self.epoch_periods:
            return self.epoch_periods[-1] / self.steps_per_epoch / (1 + self._tail_share())
        if self.step and self.train_started is not None:
            elapsed = self.active_seconds(now) - (self.train_started - self.started)
            return max(0.0, elapsed) / self.step
        return None

    def _tail_share(self) -> float:
        """Validation's time against an epoch's training steps, before it was measured."""
        if self.strategy in HEAD_STRATEGIES or not self.train_images:
            return 0.0
        return VALIDATION_SHARE.get(self.strategy, 0.5) * self.val_images / self.train_images

    def _tail(self, step_s: float) -> float:
        """Seconds an epoch spends after its last step (validation, checkpoints): measured, else guessed."""
        steps = self.steps_per_epoch * step_s
        return max(0.0, self.epoch_periods[-1] - steps) if self.epoch_periods else steps * self._tail_share()

    def _calibration(self, tail: float) -> float:
        """The calibration pass after the last epoch: validation and training images once more."""
        if self.strategy in HEAD_STRATEGIES or not self.val_images:
            return 0.0
        images = self.val_images + min(self.train_images, CALIBRATION_REFERENCES) + CALIBRATION_JUNK
        return tail * images / self.val_images * CALIBRATION_FORWARD

    def headline(self) -> str:
        """One line: what the run is doing now."""
        if self.finished:
            return self.stage
        if self.paused:
            return f"Paused at epoch {self.epoch + 1} of {self.epochs}"
        if self.train_started is None:
            if self.stage_total:
                return f"{self.stage}: {self.stage_done:,} of {self.stage_total:,}"
            return f"{self.stage}…"
        step = f", batch {self.step} of {self.steps_per_epoch}" if self.step else ""
        return f"Epoch {min(self.epoch, max(self.epochs - 1, 0)) + 1} of {self.epochs}{step}"
