"""The optimizer, the learning-rate schedule and the class weights of a run."""

from __future__ import annotations

import numpy as np
import torch

from engine.config import TrainConfig


def class_weights(labels: np.ndarray, num_classes: int) -> torch.Tensor | None:
    """Inverse-frequency weights (mean 1) when classes are imbalanced by more than 1.5x, else None."""
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    present = counts[counts > 0]
    if len(present) == 0 or present.max() <= 1.5 * present.min():
        return None
    weights = np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / num_classes, 0.0)
    return torch.tensor(weights / weights[counts > 0].mean(), dtype=torch.float32)


def make_optimizer(config: TrainConfig, groups: list[dict[str, object]]) -> torch.optim.Optimizer:
    """SGD with momentum or AdamW over the strategy's parameter groups."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            groups, lr=config.lr or 1e-3, momentum=config.momentum, weight_decay=config.weight_decay
        )
    return torch.optim.AdamW(groups, lr=config.lr or 1e-3, weight_decay=config.weight_decay)


def make_scheduler(
    config: TrainConfig, optimizer: torch.optim.Optimizer
) -> torch.optim.lr_scheduler.LRScheduler:
    """The learning-rate schedule: step, cosine over the run's epochs, or constant."""
    if config.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, config.step_size, config.gamma)
    if config.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, int(config.epochs or 1)))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)
