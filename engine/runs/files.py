"""The run folder's files, named once, and reading a run back without torch.

A run folder holds ``config.json`` (the resolved :class:`TrainConfig`), ``run.json`` (status, classes,
preprocessing, best epoch, owner process), ``history.json`` (one row per epoch), ``dataset.json`` (the
images it trained on, see :mod:`engine.runs.manifest`), ``best.pt`` and ``last.pt`` (weights, see
:mod:`engine.runs.checkpoints`) and ``val_predictions.json`` (the best epoch's validation
probabilities). Epochs are counted from 1 everywhere; ``best_epoch`` 0 means "no epoch finished".
A damaged file gives a :class:`RunError` that names it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.atomic import read_json, remove_stale_temps
from engine.config import TrainConfig
from engine.errors import RunError
from engine.runs.owner import owner_alive

CONFIG = "config.json"
INFO = "run.json"
HISTORY = "history.json"
DATASET = "dataset.json"
PREDICTIONS = "val_predictions.json"
BEST = "best.pt"
LAST = "last.pt"
TRUST = "trust.json"  # temperature and novelty model (engine.trust.model)
TRUST_REFERENCES = "trust_references.npy"  # the novelty model's reference embeddings
RUN_FORMAT = 2  # 2: epochs counted from 1, owner process, dataset.json
STATUSES = ("running", "completed", "cancelled", "failed", "interrupted")


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
    best_epoch: int = 0  # 1-based; 0 until an epoch finished
    best_val_acc: float = 0.0
    epochs_completed: int = 0
    seconds: float = 0.0
    train_images: int = 0
    val_images: int = 0
    message: str = ""
    created: str = field(default_factory=now_iso)
    finished: str = ""
    skipped: list[dict[str, str]] = field(default_factory=list)
    strategy_requested: str = ""  # "auto" when the strategy was chosen for the user
    strategy_reason: str = ""  # why that strategy (the recommendation), empty when the user chose
    stopped_early: bool = False  # ended before its last epoch because validation loss stopped improving
    stop_reason: str = ""  # why it stopped early, in plain words
    owner: dict[str, Any] = field(default_factory=dict)  # the process writing the run (pid, host)
    format_version: int = RUN_FORMAT

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunInfo:
        """Rebuild, refusing run folders from a newer format and counting older ones' epochs from 1."""
        data = upgrade_info(data)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    @property
    def state(self) -> str:
        """The status to show: a ``running`` run whose process is gone is ``interrupted``."""
        return effective_status(self.status, self.owner)


def upgrade_info(data: dict[str, Any]) -> dict[str, Any]:
    """``run.json`` content in the current format: older runs counted epochs from 0.

    Raises:
        RunError: For a run written by a newer version of the app.
        ValueError, TypeError: For fields of the wrong type.
    """
    version = int(data.get("format_version", 0))
    if version > RUN_FORMAT:
        raise RunError(f"run format {version} is newer than this app; update it")
    if version < 2:
        data = {**data, "best_epoch": int(data.get("best_epoch", -1)) + 1, "format_version": RUN_FORMAT}
    return data


def effective_status(status: str, owner: dict[str, Any] | None) -> str:
    """``interrupted`` for a run that says ``running`` but whose owner process is gone."""
    if status == "running" and owner_alive(owner) is False:
        return "interrupted"
    return status


def _read(path: Path, what: str) -> Any:
    """Read a JSON file of the run folder, with a clear error naming it when damaged."""
    try:
        return read_json(path)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise RunError(
            f"{path}: {what} is damaged ({type(exc).__name__}: {exc}); the run cannot be used as it is"
        ) from exc


def read_info_dict(run_dir: str | Path) -> dict[str, Any]:
    """``run.json`` as a dict in the current format, with a clear error when missing or damaged.

    Opening a run also removes the temp files a killed writer left in its folder.
    """
    remove_stale_temps(run_dir)
    path = Path(run_dir) / INFO
    try:
        data = _read(path, "the run's record")
    except FileNotFoundError as exc:
        raise RunError(f"{run_dir}: not a Transfer Studio run folder ({INFO} is missing)") from exc
    if not isinstance(data, dict):
        raise RunError(f"{path}: the run's record is damaged (not a JSON object)")
    try:
        return upgrade_info(data)
    except (ValueError, TypeError) as exc:
        raise RunError(f"{path}: the run's record is damaged ({exc})") from exc


def read_info(run_dir: str | Path) -> RunInfo:
    """Read ``run.json`` with a clear error when the folder is not a run or the file is damaged."""
    data = read_info_dict(run_dir)
    try:
        info = RunInfo.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise RunError(f"{Path(run_dir) / INFO}: the run's record is damaged ({exc})") from exc
    problems = _wrong_types(info)
    if problems:
        raise RunError(f"{Path(run_dir) / INFO}: the run's record is damaged ({'; '.join(problems[:3])})")
    return info


def read_config(run_dir: str | Path) -> TrainConfig:
    """Read ``config.json`` (the configuration the run trained with)."""
    path = Path(run_dir) / CONFIG
    try:
        data = _read(path, "the run's configuration")
    except FileNotFoundError as exc:
        raise RunError(f"{run_dir}: not a run folder ({CONFIG} is missing)") from exc
    if not isinstance(data, dict):
        raise RunError(f"{path}: the run's configuration is damaged (not a JSON object)")
    try:
        config = TrainConfig.from_dict(data)
        problems = _wrong_types(config) or config.validate()
    except (ValueError, TypeError) as exc:
        raise RunError(f"{path}: the run's configuration is damaged ({exc})") from exc
    if problems:
        raise RunError(f"{path}: the run's configuration is damaged ({'; '.join(problems[:3])})")
    return config


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "tuple": (list, tuple),
    "list": (list,),
    "dict": (dict,),
}


def _wrong_types(record: Any) -> list[str]:
    """The fields of a dataclass whose value is not of the declared type (a hand-edited or damaged file)."""
    problems = []
    for f in dataclasses.fields(record):
        value, declared = getattr(record, f.name), str(f.type)
        if value is None and "None" in declared:
            continue
        allowed = tuple(t for name, types in _JSON_TYPES.items() if declared.startswith(name) for t in types)
        if allowed and (not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed)):
            problems.append(f"{f.name} should be {declared}, not {value!r}")
    return problems


def read_history(run_dir: str | Path) -> list[dict[str, float | None]]:
    """Per-epoch metrics (``epoch`` counted from 1), empty when none were written yet."""
    path = Path(run_dir) / HISTORY
    try:
        rows = _read(path, "the run's history")
    except FileNotFoundError:
        return []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise RunError(f"{path}: the run's history is damaged (not a list of epochs)")
    try:
        if any(r.get("epoch") == 0 for r in rows):  # written before epochs were counted from 1
            rows = [{**r, "epoch": int(r.get("epoch") or 0) + 1} for r in rows]
    except (TypeError, ValueError) as exc:
        raise RunError(f"{path}: the run's history is damaged ({exc})") from exc
    return rows


@dataclass
class RunRecord:
    """One run folder as a list shows it: never raises, ``error`` says what is wrong."""

    run_dir: str
    info: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def name(self) -> str:
        """The folder name (time stamp and strategy)."""
        return Path(self.run_dir).name

    @property
    def status(self) -> str:
        """``completed``, ``cancelled``, ``failed``, ``running``, ``interrupted`` or ``missing``."""
        if self.error:
            return "missing"
        return effective_status(str(self.info.get("status", "?")), self.info.get("owner"))

    @property
    def best_epoch(self) -> int:
        """The best epoch, counted from 1; 0 before the first epoch (or when the field is damaged)."""
        return self.number("best_epoch")

    @property
    def best_val_acc(self) -> float | None:
        """Best validation accuracy, None before the first epoch (or when the field is damaged)."""
        if self.best_epoch < 1:
            return None
        try:
            return float(self.info.get("best_val_acc", 0.0))
        except (TypeError, ValueError):
            return None

    def number(self, key: str) -> int:
        """An integer field of ``run.json`` (``epochs_completed``); 0 when missing or damaged."""
        try:
            return int(self.info.get(key, 0))
        except (TypeError, ValueError):
            return 0

    def history(self) -> list[dict[str, float | None]]:
        """Per-epoch metrics (empty when missing or damaged)."""
        try:
            return read_history(self.run_dir)
        except RunError:
            return []


def read_run(run_dir: str | Path) -> RunRecord:
    """Read ``run.json`` and ``config.json``; a missing or damaged folder gives a record with ``error``."""
    record = RunRecord(str(run_dir))
    try:
        record.info = read_info_dict(run_dir)
        record.config = read_config(run_dir).to_dict()
    except RunError as exc:
        record.error = str(exc)
    return record
