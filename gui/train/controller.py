"""TrainingController: owns the QThread and the TrainingWorker of the one run in progress."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from engine.config import TrainConfig
from engine.data.scan import DatasetIndex
from gui.workers.task_runner import WorkerThreadOwner
from gui.workers.training_worker import FitFunction, TrainingWorker


class TrainingController(WorkerThreadOwner):
    """Lives in the GUI thread; starts, pauses, resumes and cancels one run at a time.

    Cancel and pause are thread-safe flags on the worker's :class:`~engine.control.RunControl`,
    called directly from the GUI thread (never through a worker slot, which would wait behind the
    running ``fit``). A failure arrives as ``run_failed`` with the message; ``idle`` is always the
    last signal of a run, emitted once the thread has ended.
    """

    event = Signal(object)  # engine.events.*, throttled at the source
    run_finished = Signal(object)  # engine.events.RunFinished: completed or cancelled
    run_failed = Signal(str)
    paused_changed = Signal(bool)
    running_changed = Signal(bool)
    idle = Signal()

    def __init__(self, parent: QObject | None = None, fit_fn: FitFunction | None = None) -> None:
        super().__init__(parent)
        self.fit_fn = fit_fn  # None: the real engine; tests pass a scripted fake
        self.config: TrainConfig | None = None  # of the run started last (its strategy may be "auto")
        self._paused = False

    def is_paused(self) -> bool:
        """True after :meth:`pause` until :meth:`resume` or the end of the run."""
        return self._paused

    def start(
        self, config: TrainConfig, index: DatasetIndex | None = None, runs_parent: str | None = None
    ) -> None:
        """Start training ``config`` (on ``index`` when given) in a new thread.

        Raises:
            RuntimeError: If a run is already in progress.
        """
        if self._thread is not None:
            raise RuntimeError("a training run is already in progress")
        worker = TrainingWorker(config, index, runs_parent, self.fit_fn)
        self.config = config
        worker.event.connect(self.event)  # signal-to-signal: queued to the GUI thread
        worker.finished.connect(self.run_finished)
        worker.failed.connect(self.run_failed)
        self._paused = False
        self._launch(worker)
        self.running_changed.emit(True)

    def cancel(self) -> None:
        """Ask the run to stop before its next batch; the best weights so far are kept."""
        if self._worker is not None:
            super().cancel()  # threading.Event: safe from the GUI thread
            self._set_paused(False)

    def pause(self) -> None:
        """Ask the run to wait at the next batch boundary."""
        if self._worker is not None and not self._worker.control.cancelled:
            self._worker.control.pause()
            self._set_paused(True)

    def resume(self) -> None:
        """Let a paused run continue."""
        if self._worker is not None:
            self._worker.control.resume()
            self._set_paused(False)

    def is_cancelling(self) -> bool:
        """True after :meth:`cancel` while the thread is still finishing."""
        return self._worker is not None and self._worker.control.cancelled

    def _set_paused(self, paused: bool) -> None:
        if paused != self._paused:
            self._paused = paused
            self.paused_changed.emit(paused)

    def _thread_ended(self) -> None:
        self._set_paused(False)
        self.running_changed.emit(False)
        self.idle.emit()
