"""The GUI's one job runner: one background task at a time on its own QThread.

Project import, export and re-check, recommendation, layer groups, ONNX export and prediction all
run here (training uses the same :class:`WorkerThreadOwner`). The task is a Qt-free function
``fn(progress, control)``: ``progress`` is the engine's one :class:`~engine.progress.Progress`
signature ``(done, total, message)``, throttled here to about 20 updates a second, and ``control``
is the engine's thread-safe :class:`~engine.control.RunControl`, so cancelling is one flag and a
cancelled task ends in :class:`~engine.control.RunCancelled`. The worker always ends with ``done``,
after exactly one of ``finished``, ``cancelled`` or ``failed``, and the thread is handed back in
its own ``finished`` slot on the GUI thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from engine.control import RunCancelled, RunControl
from engine.errors import TransferStudioError
from engine.progress import Progress

log = logging.getLogger(__name__)
TaskFunction = Callable[[Progress, RunControl], Any]
PROGRESS_INTERVAL_S = 0.05


def error_text(exc: BaseException) -> str:
    """A message for the user: the engine's own words, else the exception and a short traceback."""
    if isinstance(exc, TransferStudioError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename or ''}: {exc.strerror}".lstrip(": ")
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=6)).strip()


BACKGROUND_NICE = 10  # Linux nice value of worker threads: the GUI thread wins the CPU when it needs it


def yield_cpu_to_the_gui() -> None:
    """Lower the calling (worker) thread's scheduling priority, and that of threads it starts.

    On a machine with few cores a busy worker (and its BLAS/OpenMP threads and loader processes,
    which inherit the value) would otherwise delay the GUI thread's events by tens of ms. On
    Linux the thread's nice value is raised (Qt's priorities do not apply to SCHED_OTHER there);
    elsewhere Qt's thread priority does the same.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
    else:
        QThread.currentThread().setPriority(QThread.Priority.LowPriority)


class WorkerThreadOwner(QObject):
    """Lives in the GUI thread; owns at most one worker (``run()``, ``done``, ``control``) and its QThread.

    ``done`` (the worker's last signal) quits the thread with a direct connection: ``quit()`` is
    thread-safe, and a GUI thread blocked in ``wait()`` could never run a queued one. The worker
    is not ``deleteLater``-ed in its own thread: its Python wrapper is still referenced from the
    GUI thread, and deleting the C++ object there races with that reference (a crash seen under
    load). Once the thread has ended, the reference is dropped here, on the GUI thread.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: Any = None

    def is_running(self) -> bool:
        """True from the start of a worker until its thread has ended."""
        return self._thread is not None

    def cancel(self) -> None:
        """Ask the worker to stop at its next check (a thread-safe flag)."""
        if self._worker is not None:
            self._worker.control.cancel()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel and wait for the thread; True when it ended in time."""
        thread = self._thread
        if thread is None:
            return True
        self.cancel()
        return thread.wait(timeout_ms)

    def _launch(self, worker: QObject) -> None:
        """Move ``worker`` to a new thread, start it, and end the thread on its ``done``."""
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._on_thread_finished)  # bound slot => runs on the GUI thread
        self._worker, self._thread = worker, thread
        thread.start()

    @Slot()
    def _on_thread_finished(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.wait()  # let it return from run(), then delete it; never touch it after this
            thread.deleteLater()
        self._worker = None  # deleted here, on the GUI thread, now that its thread has ended
        self._thread_ended()

    def _thread_ended(self) -> None:
        """Called on the GUI thread once the worker and its thread are gone."""


class TaskWorker(QObject):
    """Lives in the task's thread; runs the function once."""

    progress = Signal(int, int, str)
    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(str)
    done = Signal()

    def __init__(self, fn: TaskFunction, control: RunControl) -> None:
        super().__init__()
        self._fn = fn
        self.control = control
        self._last = -float("inf")

    def _progress(self, done: int, total: int, message: str, /) -> None:
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL_S or (total and done >= total):
            self._last = now
            self.progress.emit(int(done), int(total), str(message))

    @Slot()
    def run(self) -> None:
        """Run the function; always emit ``done`` last."""
        yield_cpu_to_the_gui()
        try:
            result = self._fn(self._progress, self.control)
        except RunCancelled:
            self.cancelled.emit()
        except Exception as exc:  # errors become a signal, never a dead thread
            log.exception("background task failed")
            self.failed.emit(error_text(exc))
        else:
            if self.control.cancelled:
                self.cancelled.emit()
            else:
                self.finished.emit(result)
        finally:
            self.done.emit()


class TaskRunner(WorkerThreadOwner):
    """Lives in the GUI thread; runs one background task at a time."""

    progress = Signal(int, int, str)
    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(str)
    idle = Signal()

    def start(self, fn: TaskFunction) -> bool:
        """Run ``fn`` on a new thread; False (nothing started) while another task runs."""
        if self._thread is not None:
            return False
        worker = TaskWorker(fn, RunControl())
        worker.progress.connect(self.progress)
        worker.finished.connect(self.finished)
        worker.cancelled.connect(self.cancelled)
        worker.failed.connect(self.failed)
        self._launch(worker)
        return True

    def _thread_ended(self) -> None:
        self.idle.emit()
