"""The one cancel protocol: a :class:`RunControl` given to a task, a :class:`RunCancelled` out of it.

Every cancellable engine task (training, scanning a project import, exporting, parity, prediction,
measuring) takes a ``control: RunControl`` and, when it was cancelled, raises :class:`RunCancelled`
(never returns None, a flag or a partial result). Whoever controls it (the GUI's task runner,
the CLI's Ctrl-C handler) calls :meth:`RunControl.cancel` from any thread. Torch-free, so
:mod:`engine.inference` may use it.
"""

from __future__ import annotations

import threading


class RunCancelled(Exception):
    """Raised inside a task when its :class:`RunControl` was cancelled; the only outcome of a cancel.

    ``fit`` catches it once and ends the run ``cancelled``; other tasks let it reach their caller.
    """


class RunControl:
    """Cancel/pause flags; any thread may call the setters, the task checks them per batch or file."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._stop_reason: str | None = None

    def cancel(self) -> None:
        """Ask the run to stop as soon as possible; also releases a pause."""
        self._cancel.set()
        self._running.set()

    def pause(self) -> None:
        """Ask the run to wait at the next batch boundary."""
        self._running.clear()

    def resume(self) -> None:
        """Let a paused run continue."""
        self._running.set()

    def request_stop(self, reason: str) -> None:
        """End the run normally after the current epoch (early stopping)."""
        self._stop_reason = reason

    @property
    def cancelled(self) -> bool:
        """Whether a cancel was requested."""
        return self._cancel.is_set()

    @property
    def pause_requested(self) -> bool:
        """Whether the run should wait."""
        return not self._running.is_set()

    @property
    def stop_reason(self) -> str | None:
        """The reason given to :meth:`request_stop`, if any."""
        return self._stop_reason

    def raise_if_cancelled(self) -> None:
        """Raise :class:`RunCancelled` when a cancel was requested."""
        if self._cancel.is_set():
            raise RunCancelled

    def wait_while_paused(self, poll_s: float = 0.1) -> None:
        """Block the calling (worker) thread while paused."""
        while not self._running.wait(poll_s):
            pass
