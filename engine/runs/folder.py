"""The run folder: config, history, best and last weights, classes and preprocessing.

Every file is written atomically, so a kill at any moment leaves the last good state.
Checkpoints hold the head and every backbone whose weights changed; a frozen pretrained
backbone is stored by reference (registry name + weights) and rebuilt when loading.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from engine.atomic import read_json, write_bytes, write_json
from engine.errors import RunError
from engine.models.classifier import TransferModel

RUN_FORMAT = 1
CONFIG, INFO, HISTORY, BEST, LAST = "config.json", "run.json", "history.json", "best.pt", "last.pt"


def now_iso() -> str:
    """Local time, ISO 8601, seconds precision."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def new_run_dir(parent: Path, strategy: str) -> Path:
    """Create and return a fresh ``<parent>/<YYYYmmdd-HHMMSS>-<strategy>[-n]`` folder."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        candidate = parent / (f"{stamp}-{strategy}" + (f"-{n}" if n else ""))
        try:
            candidate.mkdir(parents=True)
        except FileExistsError:
            continue  # taken, perhaps by another process a moment ago
        return candidate
    raise RunError(f"{parent}: could not create a new run folder")


@dataclass
class RunInfo:
    """What ``run.json`` records about a run."""

    strategy: str
    backbones: list[str]
    classes: list[str]
    preprocess: list[dict[str, Any]]
    feature_dims: list[int]
    frozen_backbones: list[bool]
    pretrained: bool
    data_dir: str
    device: str = ""
    status: str = "running"
    best_epoch: int = -1
    best_val_acc: float = 0.0
    epochs_completed: int = 0
    seconds: float = 0.0
    train_images: int = 0
    val_images: int = 0
    message: str = ""
    created: str = field(default_factory=now_iso)
    finished: str = ""
    skipped: list[dict[str, str]] = field(default_factory=list)
    format_version: int = RUN_FORMAT

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunInfo:
        """Rebuild, refusing run folders from a newer format."""
        if int(data.get("format_version", 0)) > RUN_FORMAT:
            raise RunError(f"run format {data.get('format_version')} is newer than this app; update it")
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


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
        history: list[dict[str, float]] | None = None,
    ) -> None:
        self.dir = run_dir
        self.info = info
        self.history: list[dict[str, float]] = list(history or [])
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

    def add_epoch(self, row: dict[str, float]) -> None:
        """Append one epoch's metrics to ``history.json``."""
        self.history.append(row)

    def stage_json(self, name: str, obj: Any) -> None:
        """Queue a JSON file for the next flush."""
        import json

        self._pending[name] = json.dumps(obj, ensure_ascii=False, allow_nan=True).encode("utf-8")

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
            epoch: The epoch these weights finished.
            val_acc: Their validation accuracy.
            training: Optimizer and schedule state, so that the run can be resumed (``last`` only).
        """
        state = {
            "format": RUN_FORMAT,
            "epoch": epoch,
            "val_acc": val_acc,
            "head": model.head.state_dict(),
            "backbones": [
                None if frozen else backbone.state_dict()
                for backbone, frozen in zip(model.backbones, self.info.frozen_backbones, strict=True)
            ],
        }
        if training is not None:
            state["training"] = training
        buffer = io.BytesIO()
        torch.save(state, buffer)
        self._pending[BEST if which == "best" else LAST] = buffer.getvalue()


def _finite(rows: list[dict[str, float]]) -> list[dict[str, float | None]]:
    """JSON has no NaN: a metric that could not be computed is written as null."""
    return [{k: (v if v == v and abs(v) != float("inf") else None) for k, v in r.items()} for r in rows]


def read_info(run_dir: str | Path) -> RunInfo:
    """Read ``run.json`` with a clear error when the folder is not a run."""
    path = Path(run_dir) / INFO
    try:
        return RunInfo.from_dict(read_json(path))
    except FileNotFoundError as exc:
        raise RunError(f"{run_dir}: not a Transfer Studio run folder ({INFO} is missing)") from exc
    except (ValueError, TypeError) as exc:
        raise RunError(f"{path}: unreadable ({exc})") from exc


def read_history(run_dir: str | Path) -> list[dict[str, float]]:
    """Per-epoch metrics, empty when none were written yet."""
    try:
        return list(read_json(Path(run_dir) / HISTORY))
    except FileNotFoundError:
        return []


def read_training_state(run_dir: str | Path) -> dict[str, Any]:
    """``last.pt`` in full (weights, epoch, optimizer and schedule state) to resume a run.

    Raises:
        RunError: When the run has no resumable state (no epoch finished, or an older run).
    """
    path = Path(run_dir) / LAST
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as exc:
        raise RunError(f"{run_dir}: cannot resume, no epoch finished ({LAST} is missing)") from exc
    except Exception as exc:  # torch raises many types for damaged or unsafe files
        raise RunError(f"{path}: cannot load ({exc})") from exc
    if "training" not in state:
        raise RunError(f"{path}: no optimizer state to resume from; continue from the best weights instead")
    return state


def load_run_model(run_dir: str | Path, which: str = "best") -> tuple[TransferModel, RunInfo]:
    """Rebuild a run's network on the CPU in eval mode, with its best (or last) weights."""
    from engine.models.registry import build_backbone

    info = read_info(run_dir)
    path = Path(run_dir) / (BEST if which == "best" else LAST)
    if not path.exists():
        raise RunError(f"{path} is missing: the run ended before any weights were saved")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for damaged or unsafe files
        raise RunError(f"{path}: cannot load weights ({exc})") from exc
    backbones = [
        build_backbone(name, pretrained=info.pretrained and frozen)
        for name, frozen in zip(info.backbones, info.frozen_backbones, strict=True)
    ]
    model = TransferModel(backbones, info.feature_dims, len(info.classes))
    model.head.load_state_dict(state["head"])
    for backbone, saved in zip(model.backbones, state["backbones"], strict=True):
        if saved is not None:
            backbone.load_state_dict(saved)
    return model.eval(), info
