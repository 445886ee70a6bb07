"""Reading a run folder's JSON files without torch (``engine.runs.folder`` imports it), and run follow-ups.

A follow-up is a :class:`TrainConfig` built from an earlier run's ``config.json``: resume it in
its own folder where it stopped (``resume=True``), or continue it into a fine-tune of the upper
layers in a new run (the seeds' scenarios 1 and 2: ``strategy="partial", init_from=<run_dir>``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.atomic import read_json
from engine.config import TrainConfig
from engine.errors import RunError

INFO, CONFIG, HISTORY, PREDICTIONS = "run.json", "config.json", "history.json", "val_predictions.json"
RESET_FOR_FINETUNE = (
    "epochs",
    "lr",
    "batch_size",
    "optimizer",
    "augment",
    "schedule",
    "backbone_lr_mult",
    "freeze_k",
    "out_dir",
    "early_stopping",
)


@dataclass
class RunRecord:
    """One run folder as the GUI lists it."""

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
        """``completed``, ``cancelled``, ``failed``, ``running`` or ``missing``."""
        return "missing" if self.error else str(self.info.get("status", "?"))

    @property
    def best_val_acc(self) -> float | None:
        """Best validation accuracy, None before the first epoch."""
        if int(self.info.get("best_epoch", -1)) < 0:
            return None
        return float(self.info.get("best_val_acc", 0.0))

    def history(self) -> list[dict[str, float | None]]:
        """Per-epoch metrics (empty when unreadable)."""
        try:
            return list(read_json(Path(self.run_dir) / HISTORY))
        except (OSError, ValueError):
            return []


def read_run(run_dir: str | Path) -> RunRecord:
    """Read ``run.json`` and ``config.json``; a missing or damaged folder gives a record with ``error``."""
    record = RunRecord(str(run_dir))
    try:
        record.info = dict(read_json(Path(run_dir) / INFO))
        record.config = dict(read_json(Path(run_dir) / CONFIG))
    except FileNotFoundError:
        record.error = "the run folder is missing or incomplete"
    except (OSError, ValueError, TypeError) as exc:
        record.error = f"unreadable ({exc})"
    return record


def project_entry(record: RunRecord) -> dict[str, Any]:
    """The summary :meth:`engine.project.store.Project.add_run` keeps for a run."""
    info = record.info
    return {
        "run_dir": record.run_dir,
        "strategy": str(info.get("strategy", "")),
        "backbones": list(info.get("backbones", [])),
        "best_val_acc": float(info.get("best_val_acc", 0.0)),
        "created": str(info.get("created", "")),
        "status": record.status,
        "epochs_completed": int(info.get("epochs_completed", 0)),
    }


def resume_config(record: RunRecord) -> TrainConfig:
    """Continue ``record`` where it stopped, in its own folder: weights, optimizer, schedule, history.

    Raises:
        RunError: If the run cannot be continued (no weights, or nothing left to do).
    """
    config, done = _base(record), int(record.info.get("epochs_completed", 0))
    resolved = config.resolved() if config.strategy != "auto" else config
    if int(resolved.epochs or 0) - done <= 0:
        raise RunError(f"{record.name} finished all its {done} epochs; fine-tune it instead of resuming.")
    return dataclasses.replace(config, resume=True, out_dir=record.run_dir, init_from=None)


def finetune_config(record: RunRecord, freeze_k: int | None = None) -> TrainConfig:
    """Fine-tune the upper layer groups of ``record``'s network, starting from its trained head.

    Raises:
        RunError: If the run has no weights or combined several networks.
    """
    config = _base(record)
    if len(config.backbones) != 1:
        raise RunError(
            f"{record.name} stacks {len(config.backbones)} networks; fine-tuning needs exactly one."
        )
    reset = dict.fromkeys(RESET_FOR_FINETUNE)
    return dataclasses.replace(
        config,
        strategy="partial",
        init_from=record.run_dir,
        freeze_k=freeze_k,
        **{k: v for k, v in reset.items() if k != "freeze_k"},
    )


def _base(record: RunRecord) -> TrainConfig:
    if record.error:
        raise RunError(f"{record.run_dir}: {record.error}")
    if int(record.info.get("best_epoch", -1)) < 0:
        raise RunError(f"{record.name} ended before its first epoch, so it has no weights to continue from.")
    return TrainConfig.from_dict(record.config)
