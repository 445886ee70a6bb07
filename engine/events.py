"""Typed, immutable events a run reports; payloads are plain Python values only.

Epochs are counted from 1 in every event (``epoch`` 1 is the first epoch), as in the run folder.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field


class RunStatus(enum.Enum):
    """How a run ended."""

    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class RunStarted:
    """The run is set up and about to train."""

    run_dir: str
    strategy: str
    backbones: tuple[str, ...]
    device: str
    epochs: int
    steps_per_epoch: int
    train_images: int
    val_images: int
    classes: tuple[str, ...]
    reason: str = ""  # why this strategy, when ``auto`` chose it (as in ``run.json``)


@dataclass(frozen=True)
class StageChanged:
    """A long preparatory stage (feature extraction, for example) progressed."""

    stage: str
    done: int
    total: int


@dataclass(frozen=True)
class BatchEnded:
    """One optimisation step finished."""

    epoch: int
    step: int
    steps_per_epoch: int
    loss: float
    lr: float
    images_per_s: float


@dataclass(frozen=True)
class EpochEnded:
    """An epoch finished; validation metrics included."""

    epoch: int
    epochs: int
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    lr: float
    seconds: float
    images_per_s: float


@dataclass(frozen=True)
class BestImproved:
    """The validation accuracy improved; the best weights were saved."""

    epoch: int
    val_acc: float
    val_loss: float


@dataclass(frozen=True)
class Paused:
    """The run is waiting at a batch boundary."""

    epoch: int
    step: int


@dataclass(frozen=True)
class Resumed:
    """The run continues after a pause."""

    epoch: int
    step: int


@dataclass(frozen=True)
class RunFinished:
    """How a run ended (completed, cancelled or failed) and where its files are; always the last event.

    ``fit`` returns this same value, so the app records a finished run from the event and the CLI
    prints it (:meth:`to_dict`) without reading the run folder back. Epochs are counted from 1;
    ``best_epoch`` is 0 when no epoch finished. ``reason`` says why the strategy was chosen when it
    was ``auto``; ``message`` says how the run ended, including any listener that failed.
    """

    status: RunStatus
    run_dir: str
    best_epoch: int
    best_val_acc: float
    epochs_completed: int
    seconds: float
    message: str = ""
    skipped: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    strategy: str = ""
    backbones: tuple[str, ...] = field(default_factory=tuple)
    device: str = ""
    reason: str = ""
    created: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)  # about the dataset (a class without validation)
    stopped_early: bool = False  # before its last epoch, because validation loss stopped improving
    stop_reason: str = ""  # why, in plain words ("validation loss did not improve for 8 epochs ...")
    tried: tuple[dict[str, object], ...] = field(default_factory=tuple)  # auto: what was measured first

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary (the CLI's ``--json`` line)."""
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        data["backbones"] = list(self.backbones)
        data["skipped"] = [{"path": path, "reason": reason} for path, reason in self.skipped]
        data["warnings"] = list(self.warnings)
        return data


Event = (
    RunStarted | StageChanged | BatchEnded | EpochEnded | BestImproved | Paused | Resumed | RunFinished
)
