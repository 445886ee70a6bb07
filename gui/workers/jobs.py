"""Short background jobs on the global QThreadPool, and the status-bar widget that shows them.

A job wraps a Qt-free function ``fn(progress, cancel_event)``. It always ends with ``done``,
after exactly one of ``finished(result)`` or ``failed(message)``; progress is throttled to
about 20 updates a second so a scan of 100,000 files cannot flood the GUI thread.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from engine.errors import TransferStudioError
from gui.resources import icon

log = logging.getLogger(__name__)
JobFunction = Callable[[Callable[[int, int], None], threading.Event], Any]
PROGRESS_INTERVAL_S = 0.05


class JobSignals(QObject):
    """Signals of one job; parented to a GUI-thread object so it is never deleted by a worker."""

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)
    done = Signal()


class BackgroundJob(QRunnable):
    """Runs ``fn`` once on a pool thread; cancel with :meth:`cancel` (cooperative)."""

    def __init__(self, fn: JobFunction, signals_parent: QObject) -> None:
        super().__init__()
        self._fn = fn
        self.signals = JobSignals(signals_parent)
        self.cancel_event = threading.Event()
        self._last_emit = 0.0

    def start(self, pool: QThreadPool | None = None) -> None:
        """Queue the job on ``pool`` (default: the global pool)."""
        (pool or QThreadPool.globalInstance()).start(self)

    def cancel(self) -> None:
        """Ask the job to stop at its next check; thread-safe."""
        self.cancel_event.set()

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_emit >= PROGRESS_INTERVAL_S or (total and done >= total):
            self._last_emit = now
            self.signals.progress.emit(done, total)

    def run(self) -> None:
        """Run the function; always emit ``done`` last."""
        try:
            result = self._fn(self._progress, self.cancel_event)
        except TransferStudioError as exc:
            self.signals.failed.emit(str(exc))
        except OSError as exc:
            self.signals.failed.emit(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except Exception:
            log.exception("background job failed")
            self.signals.failed.emit(traceback.format_exc(limit=5))
        else:
            self.signals.finished.emit(result)
        finally:
            self.signals.done.emit()


class JobProgressWidget(QWidget):
    """A compact "Importing… [=====   ] 40 % (x)" strip for the status bar; hidden when idle."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(6)
        self._label = QLabel(self)
        self._bar = QProgressBar(self)
        self._bar.setFixedWidth(160)
        self._bar.setMaximumHeight(14)
        self._bar.setTextVisible(False)
        self._cancel = QToolButton(self)
        self._cancel.setIcon(icon("close"))
        self._cancel.setToolTip("Cancel")
        self._cancel.setAutoRaise(True)
        self._cancel.clicked.connect(self.cancel_requested)
        for widget in (self._label, self._bar, self._cancel):
            layout.addWidget(widget)
        self.hide()

    def start(self, title: str) -> None:
        """Show the strip for a new job, indeterminate until the first progress report."""
        self._title = title
        self._label.setText(f"{title}…")
        self._bar.setRange(0, 0)
        self._cancel.setEnabled(True)
        self.show()

    def set_progress(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` (``total`` 0: still counting)."""
        if total <= 0:
            self._bar.setRange(0, 0)
            self._label.setText(f"{self._title}… {done:,} found")
            return
        self._bar.setRange(0, total)
        self._bar.setValue(done)
        self._label.setText(f"{self._title}… {done:,} / {total:,}")

    def set_cancelling(self) -> None:
        """Show that a cancel is under way."""
        self._cancel.setEnabled(False)
        self._label.setText("Cancelling…")

    def finish(self) -> None:
        """Hide the strip."""
        self.hide()
