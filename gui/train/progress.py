"""Where a run stands, from its events: fraction done, ETA, speed, device memory (Qt-free)."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

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


def process_memory_mb() -> float | None:
    """Resident memory of this process in MB (Linux /proc, else the peak from ``resource``)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1e6 if sys.platform == "darwin" else peak / 1e3
    except (ImportError, OSError):
        return None


def gpu_memory_mb(device: str) -> float | None:
    """CUDA memory allocated by torch, if this run is on a GPU and torch is already loaded."""
    torch = sys.modules.get("torch")
    if torch is None or not device.startswith("cuda"):
        return None
    try:
        return float(torch.cuda.memory_allocated()) / 1e6
    except Exception:  # a GPU query must never break the GUI
        return None


@dataclass
class RunProgress:
    """Folds a run's events into what the training panel shows."""

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
                self.device, self.run_dir = event.device, event.run_dir
                self.stage, self.train_started, self.epoch_started = "Training", now, now
                self._paused_total = 0.0
            case BatchEnded():
                self.epoch, self.step, self.images_per_s = event.epoch - 1, event.step, event.images_per_s
                self.steps_per_epoch = event.steps_per_epoch or self.steps_per_epoch
            case EpochEnded():
                self.epochs_done, self.epochs = event.epoch, event.epochs
                self.epoch, self.step = event.epoch, 0
                self.images_per_s = event.images_per_s or self.images_per_s
                self.epoch_seconds.append(event.seconds)
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

    def _end_pause(self, now: float) -> None:
        if self._paused_at is not None:
            self._paused_total += now - self._paused_at
            if self.epoch_started is not None:
                self.epoch_started += now - self._paused_at
        self.paused, self._paused_at = False, None

    def fraction(self) -> float:
        """Share of the training done, 0 to 1 (the preparation stage counts as 0)."""
        if self.finished:
            return 1.0
        if not self.epochs or not self.steps_per_epoch:
            return 0.0
        done = self.epochs_done + min(self.step, self.steps_per_epoch) / self.steps_per_epoch * 0.95
        return min(1.0, done / self.epochs)

    def eta_seconds(self, now: float | None = None) -> float | None:
        """Seconds left (None while unknown); pauses do not count."""
        now = time.monotonic() if now is None else now
        if self.finished:
            return 0.0
        if self.train_started is None:
            if self.stage_total and self.stage_done:
                elapsed = now - self.stage_started
                return elapsed / self.stage_done * (self.stage_total - self.stage_done)
            return None
        left_epochs = max(0, self.epochs - self.epochs_done)
        if self.epoch_seconds:
            per_epoch = sum(self.epoch_seconds) / len(self.epoch_seconds)
            in_epoch = now - (self.epoch_started or now) if not self.paused else 0.0
            return max(0.0, per_epoch * left_epochs - min(in_epoch, per_epoch))
        if self.step and self.steps_per_epoch:
            paused_now = now - self._paused_at if self._paused_at is not None else 0.0
            elapsed = now - self.train_started - self._paused_total - paused_now
            per_step = elapsed / self.step
            return per_step * (self.steps_per_epoch * left_epochs - self.step)
        return None

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
