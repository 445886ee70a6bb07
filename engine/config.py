"""The frozen training configuration, its defaults per strategy and its validation."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from engine.errors import ConfigError

DEFAULT_BACKBONE = "efficientnet_lite0"  # bundled ImageNet weights: works with no network

STRATEGIES = ("linear", "features", "partial", "full", "scratch", "stack")
AUGMENTATIONS = ("none", "light", "strong")
SCHEDULES = ("step", "cosine", "none")
OPTIMIZERS = ("sgd", "adamw")


@dataclass(frozen=True)
class StrategyDefaults:
    """What a strategy trains with unless the user says otherwise."""

    epochs: int
    lr: float
    batch_size: int
    optimizer: str
    augment: str
    schedule: str
    backbone_lr_mult: float
    early_stopping: int = 0  # patience in epochs without a lower validation loss; 0 = train every epoch


DEFAULT_PATIENCE = 8  # head-only strategies, and any strategy ``auto`` picks, stop after 8 stale epochs

DEFAULTS: dict[str, StrategyDefaults] = {
    "linear": StrategyDefaults(10, 1e-3, 32, "adamw", "light", "cosine", 0.0, DEFAULT_PATIENCE),
    "features": StrategyDefaults(60, 3e-3, 64, "adamw", "none", "cosine", 0.0, DEFAULT_PATIENCE),
    "stack": StrategyDefaults(60, 3e-3, 64, "adamw", "none", "cosine", 0.0, DEFAULT_PATIENCE),
    "partial": StrategyDefaults(12, 1e-3, 32, "adamw", "light", "cosine", 0.1),
    "full": StrategyDefaults(12, 1e-3, 32, "adamw", "light", "cosine", 0.1),
    "scratch": StrategyDefaults(30, 1e-3, 32, "adamw", "strong", "cosine", 1.0),
}


FEATURE_STRATEGIES = frozenset({"features", "stack"})  # a head trained on cached feature vectors
FROZEN_BACKBONE = frozenset({"linear", "features", "stack"})  # only the new head learns
IMAGE_STRATEGIES = tuple(s for s in STRATEGIES if s not in FEATURE_STRATEGIES)  # images every epoch
CPU_IMAGE_BATCH = 16  # bench: Lite0 trains ~20% more images/s on CPU at 16 than at 32 (caches)


def default_batch_size(strategy: str, on_cpu: bool) -> int:
    """The strategy's batch size; smaller for image strategies on a CPU, where that is faster."""
    batch = DEFAULTS[strategy].batch_size
    return min(batch, CPU_IMAGE_BATCH) if on_cpu and strategy in IMAGE_STRATEGIES else batch


_FILLED_FROM_DEFAULTS = (
    "epochs",
    "lr",
    "optimizer",
    "augment",
    "schedule",
    "backbone_lr_mult",
    "early_stopping",
)


@dataclass(frozen=True)
class TrainConfig:
    """Everything a run needs; stored verbatim in the run folder.

    ``None`` fields take the strategy's default (see :data:`DEFAULTS`) in :meth:`resolved`.
    """

    data_dir: str
    strategy: str = "auto"
    backbones: tuple[str, ...] = (DEFAULT_BACKBONE,)
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    optimizer: str | None = None
    augment: str | None = None
    schedule: str | None = None
    backbone_lr_mult: float | None = None
    step_size: int = 7
    gamma: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 1e-4
    freeze_k: int | None = None
    class_weights: bool = True
    early_stopping: int | None = None  # epochs without a lower validation loss before stopping; 0 = off
    init_from: str | None = None
    resume: bool = False
    device: str = "auto"
    threads: int | None = None
    amp: bool = True
    channels_last: bool = True
    num_workers: int | None = None
    val_fraction: float = 0.2
    seed: int = 0
    out_dir: str | None = None
    cache_augmented_views: int = 0
    feature_engine: str = "auto"
    pretrained: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def resolved(self, on_cpu: bool = False) -> TrainConfig:
        """Return a copy with every ``None`` default filled in for the chosen strategy (and device)."""
        if self.strategy not in DEFAULTS:
            raise ConfigError([f"strategy {self.strategy!r} must be resolved before training"])
        d = DEFAULTS[self.strategy]
        fill = {
            name: getattr(d, name)
            for name in _FILLED_FROM_DEFAULTS
            if getattr(self, name) is None
        }
        if self.batch_size is None:
            fill["batch_size"] = default_batch_size(self.strategy, on_cpu)
        pretrained = self.pretrained and self.strategy != "scratch"
        return dataclasses.replace(self, pretrained=pretrained, **fill)

    def with_early_stopping_on(self) -> TrainConfig:
        """A copy that stops early (after :data:`DEFAULT_PATIENCE` stale epochs) unless the user set it.

        ``auto`` trains this way whichever strategy it picks.
        """
        if self.early_stopping is not None:
            return self
        return dataclasses.replace(self, early_stopping=DEFAULT_PATIENCE)

    def validate(self) -> list[str]:
        """Return human-readable problems; empty when the configuration can run."""
        problems: list[str] = []
        if self.strategy not in (*STRATEGIES, "auto"):
            problems.append(f"strategy must be one of auto, {', '.join(STRATEGIES)} (got {self.strategy!r})")
        if not self.backbones and self.strategy != "auto":
            problems.append("at least one backbone is needed")
        if self.strategy != "stack" and self.strategy != "auto" and len(self.backbones) > 1:
            problems.append(f"strategy {self.strategy!r} uses one backbone; use 'stack' to combine several")
        if self.strategy == "stack" and len(self.backbones) < 2:
            problems.append("strategy 'stack' needs at least two backbones")
        for name, value, low in (
            ("epochs", self.epochs, 1),
            ("batch size", self.batch_size, 1),
            ("early stopping patience", self.early_stopping, 0),
        ):
            if value is not None and value < low:
                problems.append(f"{name} must be at least {low} (got {value})")
        if self.lr is not None and not 0 < self.lr < 10:
            problems.append(f"learning rate must be between 0 and 10 (got {self.lr})")
        if not 0 < self.val_fraction < 1:
            problems.append(f"validation fraction must be between 0 and 1 (got {self.val_fraction})")
        if self.resume and not self.out_dir:
            problems.append("resuming needs the run folder to continue (out_dir)")
        if self.freeze_k is not None and self.freeze_k < 0:
            problems.append(f"frozen layer groups must be 0 or more (got {self.freeze_k})")
        for name, value, allowed in (
            ("augment", self.augment, AUGMENTATIONS),
            ("schedule", self.schedule, SCHEDULES),
            ("optimizer", self.optimizer, OPTIMIZERS),
        ):
            if value is not None and value not in allowed:
                problems.append(f"{name} must be one of {', '.join(allowed)} (got {value!r})")
        return problems

    def check(self) -> TrainConfig:
        """Raise :class:`ConfigError` listing every problem, else return ``self``."""
        problems = self.validate()
        if problems:
            raise ConfigError(problems)
        return self

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        data = dataclasses.asdict(self)
        data["backbones"] = list(self.backbones)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Rebuild from :meth:`to_dict` output, ignoring unknown keys from newer versions."""
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        if "backbones" in kwargs:
            kwargs["backbones"] = tuple(kwargs["backbones"])
        return cls(**kwargs)
