"""The correction loop's instant head: retrained in the background after each batch of label changes.

While a project is open and labelled, every change of labels (or classes, or images) restarts a
short timer; when the user pauses (:data:`RETRAIN_DELAY_MS`), one round runs on its own
:class:`~gui.workers.task_runner.TaskRunner` at the lowest priority: the features of every usable
image come from the shared cache (:func:`engine.features.cached.cached_features`, computed once
per image), then :func:`engine.doctor.quick_head.quick_round` fits the head in about a second. A
change during a round cancels it and starts a new one. The result is the validation accuracy and
a suggested label with its confidence for every unlabelled image.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer, Signal, Slot

from engine.config import DEFAULT_BACKBONE
from engine.control import RunControl
from engine.data.scan import TRAIN, VAL, Sample
from engine.doctor.quick_head import quick_round
from engine.progress import Progress
from engine.project.store import Project
from gui.i18n import translate
from gui.state.app_state import AppState
from gui.workers.task_runner import TaskRunner

log = logging.getLogger(__name__)
RETRAIN_DELAY_MS = 1500  # after the last label change: a burst of key presses is one round
# Below every other worker (nice 10: training, jobs), so it yields the CPU to them. Not 19: a thread
# that low, preempted on a busy machine while it holds the GIL, stalled the GUI thread up to 100 ms
# (bench/bench_correction_loop.py --nice 19 against 15).
LOWEST_NICE = 15
STAGE = "Updating label suggestions"
SETTING = "data/instantSuggestions"  # a preference: false turns the instant head off
SHUTDOWN_WAIT_MS = 60_000  # building the backbone cannot be interrupted; on a busy machine it takes a while


@dataclass(frozen=True)
class HeadInput:
    """What one round learns from: usable images, their class index (-1: unlabelled) and split."""

    paths: tuple[str, ...]
    labels: tuple[int, ...]
    splits: tuple[str | None, ...]
    classes: tuple[str, ...]


@dataclass(frozen=True)
class HeadResult:
    """The outcome of one round: validation accuracy and a suggestion per unlabelled image."""

    val_accuracy: float | None
    val_images: int
    suggestions: dict[str, tuple[str, float]] = field(default_factory=dict)  # path: (class, confidence)
    seconds: float = 0.0  # wall clock
    cpu_seconds: float = 0.0  # the round's own thread (what it costs, whatever else runs)


def head_input(project: Project) -> HeadInput | None:
    """The images a round uses, or None while fewer than two classes have a training image."""
    usable = [e for e in project.images if not e.broken and not e.excluded]
    trained = {e.label for e in usable if e.label is not None and e.split != VAL}
    classes = tuple(c for c in project.classes if c in trained)
    if len(classes) < 2:
        return None
    position = {c: i for i, c in enumerate(classes)}
    kept = [e for e in usable if e.label is None or e.label in position]
    return HeadInput(tuple(e.path for e in kept), tuple(position.get(e.label, -1) for e in kept),
                     tuple(e.split for e in kept), classes)


class CachedFeatures:
    """The features step of a round: the backbone is built once and reused (one round at a time)."""

    def __init__(self, backbone: str = DEFAULT_BACKBONE) -> None:
        self.backbone = backbone
        self._module = None
        self._lock = threading.Lock()

    def __call__(self, paths: tuple[str, ...], progress: Progress,
                 control: RunControl) -> tuple[np.ndarray, list[int]]:
        """Vectors of the readable ``paths`` and their positions in ``paths``."""
        import torch

        from engine.features.cached import cached_features
        from engine.models.registry import build_backbone

        with self._lock:
            if self._module is None:
                self._module = build_backbone(self.backbone, pretrained=True)
            samples = [Sample(p, 0, TRAIN) for p in paths]
            fs = cached_features(self.backbone, self._module, samples, torch.device("cpu"), STAGE,
                                 progress, control)
        return fs.vectors, list(fs.kept)


def lowest_priority() -> None:
    """Give the calling worker thread the app's lowest priority (Linux nice :data:`LOWEST_NICE`)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_NICE)


def retrain(inputs: HeadInput, features: CachedFeatures, progress: Progress, control: RunControl,
            background: bool = False) -> HeadResult:
    """One round: features (from the cache), then the head; raises RunCancelled when cancelled."""
    if background:
        lowest_priority()  # the worker thread only: never the caller's GUI or main thread
    start, cpu = time.perf_counter(), time.thread_time()
    vectors, kept = features(inputs.paths, progress, control)
    control.raise_if_cancelled()
    labels = np.array([inputs.labels[i] for i in kept], dtype=np.int64)
    splits = np.array([inputs.splits[i] or TRAIN for i in kept])
    train = (labels >= 0) & (splits != VAL)
    val = (labels >= 0) & (splits == VAL)
    unlabelled = labels < 0
    if len(set(labels[train].tolist())) < 2:
        return HeadResult(None, 0, {}, time.perf_counter() - start, time.thread_time() - cpu)
    result = quick_round((vectors[train], labels[train]), (vectors[val], labels[val]), vectors[unlabelled],
                         len(inputs.classes))
    names = [inputs.paths[i] for i, u in zip(kept, unlabelled, strict=True) if u]
    suggestions = {path: (inputs.classes[int(c)], float(p))
                   for path, c, p in zip(names, result.suggested, result.confidence, strict=True)}
    return HeadResult(result.val_accuracy, result.val_images, suggestions, time.perf_counter() - start,
                      time.thread_time() - cpu)


def change_text(before: float | None, after: float | None, corrections: int) -> str:
    """"+2.0 points after 14 corrections" (empty when there is nothing to compare)."""
    if before is None or after is None or corrections <= 0:
        return ""
    text = translate("InstantHead", "{points} points after {count} correction") if corrections == 1 else \
        translate("InstantHead", "{points} points after {count} corrections")
    return text.format(points=f"{100 * (after - before):+.1f}", count=f"{corrections:,}")


class InstantHead(QObject):
    """Retrains the head after label changes and keeps the latest suggestions and accuracy."""

    updated = Signal()  # suggestions, accuracy or status changed

    def __init__(self, state: AppState, parent: QObject | None = None,
                 features: CachedFeatures | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.features = features or CachedFeatures()
        self.suggestions: dict[str, tuple[str, float]] = {}
        self.accuracy: float | None = None
        self.val_images = 0
        self.rounds = 0
        self._change: tuple[float, float, int] | None = None  # accuracy before, after, corrections between
        self._status = ""  # "", "need_classes", "result" or "failed"
        self._failure = ""
        self.last_result: HeadResult | None = None
        self._corrections = 0  # label changes since the last finished round
        self._in_round = 0  # of which the running round has seen
        self._pending = False
        self._round_project: Project | None = None
        self._runner = TaskRunner(self)
        self._runner.finished.connect(self._on_finished)
        self._runner.failed.connect(self._on_failed)
        self._runner.idle.connect(self._on_idle)
        self._timer = QTimer(self, singleShot=True, interval=RETRAIN_DELAY_MS)
        self._timer.timeout.connect(self._start_round)
        state.labels_changed.connect(self._on_labels_changed)
        state.classes_changed.connect(self.schedule)
        state.images_changed.connect(self.schedule)
        state.project_changed.connect(self._on_project_changed)
        self._on_project_changed(state.project)

    @property
    def change(self) -> str:
        """How the last round moved the accuracy, in words ("" when there is nothing to compare)."""
        return change_text(*self._change) if self._change else ""

    @property
    def status(self) -> str:
        """The line the browser shows, in the interface language at the time of the call."""
        if self._status == "need_classes":
            return translate("InstantHead", "Label images of two classes to see suggested labels.")
        if self._status == "failed":
            return translate("InstantHead", "Suggestions unavailable: {error}").format(error=self._failure)
        if self._status == "result":
            return status_text(self.accuracy, self.val_images, self.change)
        return ""

    @property
    def running(self) -> bool:
        """True while a round runs (or waits to start)."""
        return self._runner.is_running() or self._timer.isActive() or self._pending

    @Slot()
    def schedule(self) -> None:
        """Retrain once the user pauses; a round already running is cancelled and redone."""
        if self._state.project is None:
            return
        if self._runner.is_running():
            self._runner.cancel()
            self._pending = True
        self._timer.start()

    @property
    def enabled(self) -> bool:
        """Whether the preference :data:`SETTING` leaves the instant head on (the default)."""
        return str(self._state.setting(SETTING, True)).lower() not in ("false", "0")

    def shutdown(self) -> None:
        """Stop the timer and the running round, and wait for its thread (before the window goes)."""
        self._timer.stop()
        self._pending = False
        self._runner.shutdown(SHUTDOWN_WAIT_MS)

    @Slot(object)
    def _on_labels_changed(self, indices: list[int] | None) -> None:
        self._corrections += len(indices) if indices is not None else 1
        self.schedule()

    @Slot(object)
    def _on_project_changed(self, project: object) -> None:
        self._timer.stop()
        self._pending = self._runner.is_running()  # a round of the old project: cancel, then start anew
        self._runner.cancel()
        self.suggestions, self.accuracy, self.val_images, self._change = {}, None, 0, None
        self._corrections = self._in_round = self.rounds = 0
        self._status = ""
        self.updated.emit()
        if project is not None:
            QTimer.singleShot(0, self, self._start_round)  # the first round at once

    @Slot()
    def _start_round(self) -> None:
        project = self._state.project
        if project is None or not self.enabled:
            return
        if self._runner.is_running():
            self._pending = True
            self._runner.cancel()
            return
        inputs = head_input(project)
        if inputs is None:
            self.suggestions, self.accuracy, self._change = {}, None, None
            self._status = "need_classes"
            self.updated.emit()
            return
        self._pending = False
        self._in_round = self._corrections
        self._round_project = project
        features = self.features

        def job(progress: Progress, control: RunControl) -> HeadResult:
            return retrain(inputs, features, progress, control, background=True)

        self._runner.start(job)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        stale = self._state.project is not self._round_project or self._pending
        if not isinstance(result, HeadResult) or stale:
            return
        if result.val_accuracy is not None and self.accuracy is not None:
            self._change = (self.accuracy, result.val_accuracy, self._in_round)
        self._corrections -= self._in_round
        self._in_round = 0
        self.suggestions, self.val_images = result.suggestions, result.val_images
        self.rounds += 1
        self.accuracy = result.val_accuracy if result.val_accuracy is not None else self.accuracy
        self._status = "result"
        self.last_result = result
        log.debug("instant head: %d suggestions in %.2f s", len(result.suggestions), result.seconds)
        self.updated.emit()

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        self._status, self._failure = ("failed", text.splitlines()[0]) if text else ("", "")
        self.updated.emit()

    @Slot()
    def _on_idle(self) -> None:
        if self._pending and self._state.project is not None and not self._timer.isActive():
            self._start_round()


_STATUS = {  # (one validation image?, a change to tell?): the status line, translated where shown
    (True, False): QT_TRANSLATE_NOOP("InstantHead", "Instant model: {accuracy}% on {count} validation image"),
    (False, False): QT_TRANSLATE_NOOP("InstantHead",
                                      "Instant model: {accuracy}% on {count} validation images"),
    (True, True): QT_TRANSLATE_NOOP("InstantHead",
                                    "Instant model: {accuracy}% on {count} validation image ({change})"),
    (False, True): QT_TRANSLATE_NOOP("InstantHead",
                                     "Instant model: {accuracy}% on {count} validation images ({change})"),
}


def status_text(accuracy: float | None, val_images: int, change: str) -> str:
    """"Instant model: 87.5% on 40 validation images (+2.0 points after 14 corrections)"."""
    if accuracy is None:
        return translate("InstantHead", "Instant model: no validation images yet.")
    text = translate("InstantHead", _STATUS[(val_images == 1, bool(change))])
    return text.format(accuracy=f"{100 * accuracy:.1f}", count=f"{val_images:,}", change=change)

