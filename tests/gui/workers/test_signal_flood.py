"""Signal floods from worker threads: 100,000 raw emits survive (PySide6 6.12.0 crashed here on
Python 3.11, reliability plan lesson 12), and the training worker throttles a per-batch flood."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QObject, QThread, Signal, Slot

from engine.config import TrainConfig
from engine.events import BatchEnded, RunFinished, RunStarted, RunStatus

FLOOD = 100_000


class Flooder(QObject):
    """Lives in the worker thread and emits as fast as it can."""

    value = Signal(int, bool)
    event = Signal(object)
    done = Signal()

    @Slot()
    def run(self):
        for i in range(FLOOD):
            self.value.emit(i, bool(i & 1))
            if i % 10 == 0:
                self.event.emit(BatchEnded(0, i, FLOOD, 0.5, 1e-3, 1.0))
        self.done.emit()


class Counter(QObject):
    """GUI-thread receiver (bound slots only, never lambdas)."""

    def __init__(self):
        super().__init__()
        self.values = 0
        self.odd = 0
        self.events = 0
        self.last = -1

    @Slot(int, bool)
    def on_value(self, i, odd):
        assert i == self.last + 1
        self.last = i
        self.values += 1
        self.odd += odd

    @Slot(object)
    def on_event(self, _event):
        self.events += 1


def test_100k_signals_from_a_worker_thread(qtbot):
    thread, flooder, counter = QThread(), Flooder(), Counter()
    flooder.moveToThread(thread)
    thread.started.connect(flooder.run)
    flooder.value.connect(counter.on_value)
    flooder.event.connect(counter.on_event)
    flooder.done.connect(thread.quit)
    true_refs = sys.getrefcount(True)
    with qtbot.waitSignal(thread.finished, timeout=120_000):
        thread.start()
    qtbot.waitUntil(lambda: counter.values == FLOOD, timeout=120_000)
    assert counter.odd == FLOOD // 2 and counter.events == FLOOD // 10
    assert thread.wait(5000)
    assert abs(sys.getrefcount(True) - true_refs) < 100  # 6.12.0 lost one reference per emit


def flood_fit(config, callbacks, control, index=None):
    """A fake engine that reports every one of 100,000 steps."""
    emit = callbacks[0]
    emit(RunStarted("r", "features", ("x",), "cpu", 1, FLOOD, 1, 1, ("a", "b")))
    for step in range(FLOOD):
        emit(BatchEnded(0, step + 1, FLOOD, 1.0, 1e-3, 1000.0))
    emit(RunFinished(RunStatus.COMPLETED, "r", 0, 1.0, 1, 1.0))
    return None


class EventCounter(QObject):
    def __init__(self):
        super().__init__()
        self.batches = 0
        self.finished = 0

    @Slot(object)
    def on_event(self, event):
        if isinstance(event, BatchEnded):
            self.batches += 1
        elif isinstance(event, RunFinished):
            self.finished += 1


def test_training_worker_throttles_a_per_batch_flood(qtbot):
    from gui.train.controller import TrainingController

    controller, counter = TrainingController(fit_fn=flood_fit), EventCounter()
    controller.event.connect(counter.on_event)
    with qtbot.waitSignal(controller.idle, timeout=120_000):
        controller.start(TrainConfig(data_dir="unused", strategy="features"))
    assert counter.finished == 1
    assert 1 <= counter.batches < 200  # ~10 Hz plus the flushed last one, not 100,000
