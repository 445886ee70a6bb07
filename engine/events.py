"""Typed, immutable events a run reports; payloads are plain Python values only."""

from __future__ import annotations

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
    """The run ended (completed, cancelled or failed); always the last event."""

    status: RunStatus
    run_dir: str
    best_epoch: int
    best_val_acc: float
    epochs_completed: int
    seconds: float
    message: str = ""
    skipped: tuple[tuple[str, str], ...] = field(default_factory=tuple)


Event = (
    RunStarted | StageChanged | BatchEnded | EpochEnded | BestImproved | Paused | Resumed | RunFinished
)
