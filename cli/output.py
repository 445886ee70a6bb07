"""Console helpers shared by the commands: JSON last line, errors, progress bars."""

from __future__ import annotations

import contextlib
import json
import math
import signal
import sys
import time
import weakref
from collections.abc import Iterator
from types import FrameType
from typing import Any

from tqdm import tqdm

from engine.control import RunControl
from engine.events import BatchEnded, EpochEnded, Event, RunStarted, StageChanged
from engine.filenames import escape_surrogates
from engine.runs.eta import RunProgress, format_duration


def print_json(obj: Any) -> None:
    """Print one JSON object as the last line of stdout (non-UTF-8 file names escaped, losslessly)."""
    sys.stdout.write(escape_surrogates(json.dumps(obj, ensure_ascii=False, default=str)) + "\n")
    sys.stdout.flush()


def error(message: str) -> int:
    """Print an error to stderr (on a line of its own) and return the exit code for bad input."""
    fresh_line()
    sys.stderr.write(f"error: {message}\n")
    return 2


LOG_INTERVAL_S = 5.0  # without a terminal, at most one progress line this often
_open_bars: weakref.WeakSet[ProgressPrinter] = weakref.WeakSet()


def fresh_line() -> None:
    """Clear any progress bar drawn on stderr, so the next text starts on a line of its own."""
    for printer in list(_open_bars):
        printer.close()


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


class ProgressPrinter:
    """A run listener showing progress on stderr: stages, then one bar per epoch, with the time left.

    On a terminal it draws tqdm bars. Elsewhere (a log file, a pipe, CI) it writes plain lines, at
    most one every ``interval`` seconds plus one when a stage ends, so the log stays small. The
    time left of a run is the app's estimate (:class:`engine.runs.eta.RunProgress`), seeded by
    ``forecast_s`` (the recommender's expected seconds) when known.
    """

    def __init__(
        self, quiet: bool = False, interval: float = LOG_INTERVAL_S, forecast_s: float | None = None
    ) -> None:
        self.eta = RunProgress(forecast_s=forecast_s)
        self._bar: tqdm | None = None
        self._label = ""
        self._quiet = quiet
        self._draw_bars = _is_terminal(sys.stderr)
        self._interval = interval
        self._last_line = -math.inf
        self._ended: tuple[str, int] | None = None

    def _bar_for(self, label: str, total: int) -> tqdm:
        if self._bar is None or self._label != label:
            self.close()
            self._bar = tqdm(
                total=total, desc=label, file=sys.stderr, leave=False, disable=self._quiet, dynamic_ncols=True
            )
            self._label = label
            _open_bars.add(self)
        return self._bar

    def _show(self, label: str, done: int, total: int, detail: dict[str, str], stage_end: bool) -> None:
        """Draw a bar on a terminal; elsewhere write a plain line when one is due."""
        if self._quiet:
            return
        if self._draw_bars:
            bar = self._bar_for(label, total)
            bar.n = done
            if detail:
                bar.set_postfix(detail, refresh=True)
            else:
                bar.refresh()
            return
        now = time.monotonic()
        ends = stage_end and total > 0 and done >= total and self._ended != (label, total)
        if ends or now - self._last_line >= self._interval:
            share = f" ({done / total:.0%})" if total > 0 else ""
            extra = "".join(f"  {k} {v}" for k, v in detail.items())
            sys.stderr.write(f"{label}: {done:,}/{total:,}{share}{extra}\n")
            self._last_line = now
            self._ended = (label, total) if ends else self._ended

    def close(self) -> None:
        """Close the current bar (it is erased from the terminal)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        _open_bars.discard(self)

    def progress(self, done: int, total: int, message: str) -> None:
        """An engine :class:`~engine.progress.Progress`: draw a stage's bar."""
        self(StageChanged(message, done, total))

    def _left(self) -> str | None:
        """The run's time left, once a run started (or a forecast was given)."""
        if self.eta.train_started is None and self.eta.forecast_s is None:
            return None
        seconds = self.eta.eta_seconds()
        return None if seconds is None or seconds < 0.5 else format_duration(seconds)

    def __call__(self, event: Event) -> None:
        """Draw ``event``."""
        self.eta.on_event(event)
        match event:
            case StageChanged(stage=stage, done=done, total=total):
                self._show(stage, done, total, {}, stage_end=True)
            case RunStarted():
                self.close()
                if not self._quiet:
                    sys.stderr.write(
                        f"{event.strategy} on {', '.join(event.backbones)} | {event.device} | "
                        f"{event.train_images} train / {event.val_images} val images | "
                        f"{len(event.classes)} classes\n"
                    )
            case BatchEnded(epoch=epoch, step=step, steps_per_epoch=total, loss=loss, images_per_s=rate):
                detail = {"loss": f"{loss:.3f}", "img_s": f"{rate:.0f}"}
                left = self._left()
                if left is not None:
                    detail["left"] = left
                self._show(f"epoch {epoch}", step, total, detail, stage_end=False)
            case EpochEnded():
                self.close()
                if not self._quiet:
                    left = self._left()
                    sys.stderr.write(
                        f"epoch {event.epoch}/{event.epochs}  train loss {event.train_loss:.4f} "
                        f"acc {event.train_acc:.3f}  val loss {event.val_loss:.4f} acc {event.val_acc:.3f}  "
                        f"lr {event.lr:.2e}  {event.seconds:.1f}s{f'  ~{left} left' if left else ''}\n"
                    )
            case _:
                pass


@contextlib.contextmanager
def ctrl_c_cancels(control: RunControl, doing: str) -> Iterator[None]:
    """Within the block the first Ctrl-C cancels ``control`` cleanly; a second one aborts."""

    def on_sigint(_sig: int, _frame: FrameType | None) -> None:
        sys.stderr.write(f"\n{doing} (Ctrl-C again to abort)...\n")
        control.cancel()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
