"""TrainingWorker: starts a run (``engine.runs.launch.start_run``) in a worker thread; re-emits its events.

The starter resolves a strategy of ``auto`` before ``fit``: it measures (reported as ``StageChanged``
events), trains the choice (its ``RunStarted`` says why) and returns a ``RunFinished`` that lists
what it tried. The wizard gives either a chosen strategy or ``auto`` with the user's aim and budget.

The engine knows only callbacks and frozen events; this worker adds one callback, a
:class:`~engine.callbacks.Throttle` in front of ``event.emit``, so per-batch traffic crosses
threads at most ten times a second while epoch and end-of-run events always go through.
Torch is imported here, inside :meth:`TrainingWorker.run`, never when the GUI starts.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from engine.callbacks import Throttle
from engine.config import TrainConfig
from engine.control import RunControl
from engine.data.scan import DatasetIndex
from gui.workers.task_runner import error_text, yield_cpu_to_the_gui

log = logging.getLogger(__name__)
FitFunction = Callable[..., Any]
EVENT_HZ = 10.0


def prepare_config(config: TrainConfig, runs_parent: str | None, pick_threads: bool = True) -> TrainConfig:
    """Fill in what the GUI decides at start: threads that leave a core for the GUI, the run folder.

    Runs in the worker thread (``pick_threads`` imports torch through ``engine.device``).
    """
    changes: dict[str, Any] = {}
    if config.threads is None and pick_threads:
        from engine.device import default_threads

        changes["threads"] = default_threads(leave_one_for_gui=True)
    if config.out_dir is None and runs_parent:
        from engine.runs.files import new_run_dir

        changes["out_dir"] = str(new_run_dir(Path(runs_parent), config.strategy))
    return dataclasses.replace(config, **changes) if changes else config


def _engine_fit() -> FitFunction:
    from engine.runs.launch import start_run

    return start_run


class TrainingWorker(QObject):
    """Lives in the worker thread. Knows the engine, not the widgets."""

    event = Signal(object)  # engine.events.*
    finished = Signal(object)  # engine.events.RunFinished (also the last event)
    failed = Signal(str)  # the message a person reads (with a traceback for unexpected errors)
    done = Signal()  # always last, whatever happened

    def __init__(
        self,
        config: TrainConfig,
        index: DatasetIndex | None = None,
        runs_parent: str | None = None,
        fit_fn: FitFunction | None = None,
    ) -> None:
        super().__init__()
        self._config = config  # frozen snapshot taken on the GUI thread
        self._index = index
        self._runs_parent = runs_parent
        self._fit = fit_fn
        self.control = RunControl()  # thread-safe; the GUI calls it directly

    @Slot()
    def run(self) -> None:
        """Train; emit ``finished`` or ``failed``, then ``done``."""
        yield_cpu_to_the_gui()
        try:
            fit = self._fit or _engine_fit()
            config = prepare_config(self._config, self._runs_parent, pick_threads=self._fit is None)
            forward = Throttle(self.event.emit, max_hz=EVENT_HZ)
            result = fit(config, callbacks=[forward], control=self.control, index=self._index)
        except Exception as exc:  # engine errors become data, never a dead thread
            log.exception("training failed")
            self.failed.emit(error_text(exc))
        else:
            self.finished.emit(result)
        finally:
            self.done.emit()
