"""Writing one run folder as the run progresses.

Every file is written atomically, so a kill at any moment leaves the last good state. While the run
is in progress ``run.json`` says ``running`` and names the owner process; a reader that finds that
process gone shows the run as ``interrupted`` (see :mod:`engine.runs.owner`).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from engine.atomic import write_bytes, write_json
from engine.filenames import escape_surrogates
from engine.models.classifier import TransferModel
from engine.runs.checkpoints import checkpoint_bytes
from engine.runs.files import BEST, CONFIG, HISTORY, INFO, LAST, RunInfo, read_history, read_info
from engine.runs.owner import current_owner


class RunWriter:
    """Writes one run folder as the run progresses.

    Epochs of a cached-feature head last milliseconds, so writes are batched: state is kept in
    memory and flushed at most every ``min_interval_s`` (and always by :meth:`flush` with
    ``force=True`` at the end), each file atomically.
    """

    def __init__(
        self,
        run_dir: Path,
        info: RunInfo,
        config: dict[str, Any] | None,
        min_interval_s: float = 2.0,
        history: list[dict[str, Any]] | None = None,
    ) -> None:
        self.dir = run_dir
        self.info = info
        self.info.owner = current_owner()
        self.history: list[dict[str, Any]] = list(history or [])
        self._pending: dict[str, bytes] = {}
        self._interval = min_interval_s
        self._last_flush = -float("inf")
        if config is not None:
            write_json(run_dir / CONFIG, config)
        write_json(run_dir / INFO, info.to_dict())

    @classmethod
    def reopen(cls, run_dir: str | Path) -> RunWriter:
        """Continue writing an earlier run's folder: its ``run.json`` and history are kept."""
        info = read_info(run_dir)
        info.status, info.message, info.finished = "running", "", ""
        return cls(Path(run_dir), info, None, history=read_history(run_dir))

    def write_info(self) -> None:
        """Persist ``run.json`` (and anything pending) unless the last flush was very recent."""
        self.flush()

    def add_epoch(self, row: dict[str, Any]) -> None:
        """Append one epoch's metrics to ``history.json``."""
        self.history.append(row)

    def stage_json(self, name: str, obj: Any) -> None:
        """Queue a JSON file for the next flush."""
        text = escape_surrogates(json.dumps(obj, ensure_ascii=False, allow_nan=True))  # non-UTF-8 names
        self._pending[name] = text.encode("utf-8")

    def flush(self, force: bool = False) -> None:
        """Write queued weights, history and ``run.json`` if due (or ``force``)."""
        if not force and time.monotonic() - self._last_flush < self._interval:
            return
        for name, data in self._pending.items():
            write_bytes(self.dir / name, data)
        self._pending.clear()
        write_json(self.dir / HISTORY, _finite(self.history))
        write_json(self.dir / INFO, self.info.to_dict())
        self._last_flush = time.monotonic()

    def save_weights(
        self,
        model: TransferModel,
        which: str,
        epoch: int,
        val_acc: float,
        training: dict[str, Any] | None = None,
    ) -> None:
        """Queue ``best.pt`` or ``last.pt`` (serialised now, written at the next flush).

        Args:
            model: The network; frozen pretrained backbones are not stored (rebuilt by name).
            which: ``"best"`` or ``"last"``.
            epoch: The epoch (counted from 1) these weights finished.
            val_acc: Their validation accuracy.
            training: Optimizer and schedule state, so that the run can be resumed (``last`` only).
        """
        data = checkpoint_bytes(model, self.info.frozen_backbones, epoch, val_acc, training)
        self._pending[BEST if which == "best" else LAST] = data


def _finite(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON has no NaN: a metric that could not be computed is written as null."""
    return [{k: (None if _not_finite(v) else v) for k, v in r.items()} for r in rows]


def _not_finite(value: Any) -> bool:
    return isinstance(value, float) and (value != value or abs(value) == float("inf"))
