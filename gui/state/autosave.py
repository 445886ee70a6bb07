"""Autosave: atomic writes of project snapshots on a worker thread, one at a time, newest last.

Each change schedules a save within :data:`AUTOSAVE_DELAY_MS`; the snapshot is taken on the GUI
thread (cheap: immutable entries) and serialised and written on the global QThreadPool through
:func:`engine.atomic.write_json` (temp file + fsync + rename). A failing disk shows one dialog per
run of failures, and the changes stay in memory until a save succeeds.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from engine.project.store import Project, ProjectSnapshot
from gui.i18n import translate

AUTOSAVE_DELAY_MS = 60  # coalesces a burst of changes into one write


def save_error_text(path: Path, exc: BaseException) -> str:
    """Say what failed while saving and what to do, without losing the in-memory state (any thread)."""
    reason = getattr(exc, "strerror", None) or str(exc)
    text = translate("Autosave", "Could not save the project file {path}: {reason}.\nYour changes are kept "
                     "in memory; check the free disk space and the folder's permissions, then press Ctrl+S "
                     "to save again.")
    return text.format(path=path, reason=reason)


class _SaveSignals(QObject):
    done = Signal(int, str)  # generation, error text ("" when saved)


class _SaveTask(QRunnable):
    def __init__(
        self, snapshot: ProjectSnapshot, gen: int, signals: _SaveSignals, idle: threading.Event
    ) -> None:
        super().__init__()
        self._snapshot, self._gen, self._signals, self._idle = snapshot, gen, signals, idle

    def run(self) -> None:
        error = ""
        try:
            self._snapshot.write()
        except (OSError, ValueError) as exc:
            error = save_error_text(self._snapshot.folder, exc)
        finally:
            self._idle.set()
            self._signals.done.emit(self._gen, error)


class ProjectSaver(QObject):
    """Writes project snapshots atomically on the global pool, one at a time, newest last."""

    status_changed = Signal(str, str)  # "saved" | "saving" | "failed", detail
    failed = Signal(str)  # once per run of failures, so a dead disk shows one dialog, not fifty

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._dirty = self._in_flight = self._failing = False
        self._gen = 0
        self._idle = threading.Event()
        self._idle.set()
        self._signals = _SaveSignals(self)
        self._signals.done.connect(self._on_done)
        self._timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self._start)

    @property
    def dirty(self) -> bool:
        """True while some change is not on disk yet."""
        return self._dirty or self._in_flight

    def set_project(self, project: Project | None) -> None:
        """Save for ``project`` from now on (flush the previous one first)."""
        self._project, self._dirty, self._failing = project, False, False

    def schedule(self) -> None:
        """Note a change; it is written within :data:`AUTOSAVE_DELAY_MS`."""
        self._dirty = True
        self._timer.start()

    def flush(self, timeout_s: float = 10.0) -> str:
        """Write everything now, on this thread; return the error text or ``""``."""
        self._timer.stop()
        self._idle.wait(timeout_s)
        if self._project is None or not self.dirty:
            return ""
        self._gen += 1  # a queued result of the background save is now stale
        self._in_flight = False
        try:
            self._project.save()
        except (OSError, ValueError) as exc:
            self._dirty = True
            error = save_error_text(self._project.file_path, exc)
            self.status_changed.emit("failed", error)
            return error
        self._dirty = self._failing = False
        self.status_changed.emit("saved", str(self._project.file_path))
        return ""

    @Slot()
    def _start(self) -> None:
        if self._project is None or not self._dirty or self._in_flight:
            return
        self._dirty, self._in_flight = False, True
        self._gen += 1
        self._idle.clear()
        self.status_changed.emit("saving", "")
        QThreadPool.globalInstance().start(_SaveTask(self._project.snapshot(), self._gen, self._signals,
                                                     self._idle))

    @Slot(int, str)
    def _on_done(self, gen: int, error: str) -> None:
        if gen != self._gen:
            return
        self._in_flight = False
        if error:
            self._dirty = True
            self.status_changed.emit("failed", error)
            if not self._failing:
                self._failing = True
                self.failed.emit(error)
        else:
            self._failing = False
            if self._dirty:
                self._timer.start()
            else:
                self.status_changed.emit("saved", str(self._project.file_path) if self._project else "")
