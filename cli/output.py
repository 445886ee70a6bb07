"""Console helpers shared by the commands: JSON last line, errors, progress bars."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any

from tqdm import tqdm

from engine.control import RunControl
from engine.events import BatchEnded, EpochEnded, Event, RunStarted, StageChanged


def print_json(obj: Any) -> None:
    """Print one JSON object as the last line of stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def error(message: str) -> int:
    """Print an error to stderr and return the exit code for bad input."""
    sys.stderr.write(f"error: {message}\n")
    return 2


class ProgressPrinter:
    """A run listener drawing tqdm bars on stderr: stages, then one bar per epoch."""

    def __init__(self, quiet: bool = False) -> None:
        self._bar: tqdm | None = None
        self._label = ""
        self._quiet = quiet

    def _bar_for(self, label: str, total: int) -> tqdm:
        if self._bar is None or self._label != label:
            self.close()
            self._bar = tqdm(
                total=total, desc=label, file=sys.stderr, leave=False, disable=self._quiet, dynamic_ncols=True
            )
            self._label = label
        return self._bar

    def close(self) -> None:
        """Close the current bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __call__(self, event: Event) -> None:
        """Draw ``event``."""
        match event:
            case StageChanged(stage=stage, done=done, total=total):
                bar = self._bar_for(stage, total)
                bar.n = done
                bar.refresh()
            case RunStarted():
                self.close()
                if not self._quiet:
                    sys.stderr.write(
                        f"{event.strategy} on {', '.join(event.backbones)} | {event.device} | "
                        f"{event.train_images} train / {event.val_images} val images | "
                        f"{len(event.classes)} classes\n"
                    )
            case BatchEnded(epoch=epoch, step=step, steps_per_epoch=total, loss=loss, images_per_s=rate):
                bar = self._bar_for(f"epoch {epoch + 1}", total)
                bar.n = step
                bar.set_postfix(loss=f"{loss:.3f}", img_s=f"{rate:.0f}", refresh=True)
            case EpochEnded():
                self.close()
                if not self._quiet:
                    sys.stderr.write(
                        f"epoch {event.epoch + 1}/{event.epochs}  train loss {event.train_loss:.4f} "
                        f"acc {event.train_acc:.3f}  val loss {event.val_loss:.4f} acc {event.val_acc:.3f}  "
                        f"lr {event.lr:.2e}  {event.seconds:.1f}s\n"
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
