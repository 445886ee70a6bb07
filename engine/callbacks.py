"""Listeners for run events, and the throttle that keeps per-batch traffic bounded."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from engine.events import BatchEnded, Event, StageChanged

Callback = Callable[[Event], None]
log = logging.getLogger(__name__)


class CallbackList:
    """Calls every listener in order; a failing listener never breaks the run.

    Each failure is logged (with its traceback, once per listener and error) and kept in
    :attr:`errors`; ``fit`` adds them to the run's message (:meth:`summary`).
    """

    def __init__(self, callbacks: Sequence[Callback] = ()) -> None:
        self._callbacks = list(callbacks)
        self.errors: list[str] = []

    def __call__(self, event: Event) -> None:
        """Deliver ``event`` to every listener."""
        for callback in self._callbacks:
            try:
                callback(event)
            except Exception as exc:  # a broken listener must not kill training
                error = f"{_name(callback)} failed on {type(event).__name__}: {type(exc).__name__}: {exc}"
                if error not in self.errors:
                    log.warning("run listener error: %s", error, exc_info=True)
                self.errors.append(error)

    def summary(self) -> str:
        """One sentence about the listeners that failed ("" when none did)."""
        if not self.errors:
            return ""
        distinct = list(dict.fromkeys(self.errors))
        more = f" (and {len(distinct) - 1} other error(s))" if len(distinct) > 1 else ""
        count = len(self.errors)
        return f"A progress listener failed {count} time(s); training went on. First: {distinct[0]}{more}"


def _name(callback: Callback) -> str:
    return str(getattr(callback, "__qualname__", None) or type(callback).__name__)


class Throttle:
    """Forward frequent events (batches, stage progress) at most ``max_hz`` times a second.

    Everything else (epochs, best, finished) always goes through, in order. The last
    batch event before an epoch event is flushed first so plots end where epochs do.
    """

    FREQUENT = (BatchEnded, StageChanged)

    def __init__(
        self, target: Callback, max_hz: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._target = target
        self._interval = 1.0 / max_hz
        self._clock = clock
        self._last = -float("inf")
        self._pending: Event | None = None

    def __call__(self, event: Event) -> None:
        """Forward or hold ``event``."""
        if isinstance(event, self.FREQUENT):
            now = self._clock()
            if now - self._last >= self._interval:
                self._last, self._pending = now, None
                self._target(event)
            else:
                self._pending = event
            return
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._target(pending)
        self._target(event)
