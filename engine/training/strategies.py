"""The six ways to reuse a pretrained network, as model set-ups.

Which one to use is decided before training: by the recommender's grid
(:mod:`engine.recommend.rules`), or by the dataset's size alone (:func:`engine.data.thresholds.size_rule`).

1. ``linear``   backbone frozen (batch-norm statistics too), a new head trained on images.
2. ``features`` vectors computed once and cached, a head trained on them in seconds.
3. ``partial``  first k layer groups frozen, the rest trained at ~1/10 of the head's rate.
4. ``full``     every layer trained from the pretrained weights, backbone at a lower rate.
5. ``scratch``  the same architecture from random initialisation.
6. ``stack``    several backbones' features concatenated, one head (cached features).
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from engine.config import FROZEN_BACKBONE, TrainConfig
from engine.models.classifier import TransferModel, set_requires_grad
from engine.models.registry import layer_groups


@dataclass
class StrategySetup:
    """What to train and what to keep fixed."""

    frozen: list[nn.Module]
    param_groups: list[dict[str, object]]
    frozen_groups: int
    total_groups: int


def default_freeze_k(total_groups: int) -> int:
    """Freeze the lower half of the groups: generic edges and textures stay, the rest adapts."""
    return max(1, total_groups // 2)


def setup_strategy(model: TransferModel, config: TrainConfig) -> StrategySetup:
    """Freeze what the strategy keeps fixed and build the optimiser's parameter groups."""
    lr, mult = float(config.lr or 1e-3), float(config.backbone_lr_mult or 0.0)
    head = {"params": list(model.head.parameters()), "lr": lr, "name": "head"}
    if config.strategy in FROZEN_BACKBONE:
        for backbone in model.backbones:
            set_requires_grad(backbone, False)
        total = sum(len(layer_groups(n, b)) for n, b in zip(config.backbones, model.backbones, strict=True))
        return StrategySetup(list(model.backbones), [head], total, total)
    name, backbone = config.backbones[0], model.backbones[0]
    groups = layer_groups(name, backbone)
    k = 0
    if config.strategy == "partial":
        wanted = config.freeze_k if config.freeze_k is not None else default_freeze_k(len(groups))
        k = min(wanted, len(groups))
    frozen = [module for _, module in groups[:k]]
    for module in frozen:
        set_requires_grad(module, False)
    trainable = [p for _, module in groups[k:] for p in module.parameters()]
    for param in trainable:
        param.requires_grad_(True)
    rate = lr if config.strategy == "scratch" else lr * mult
    body = {"params": trainable, "lr": rate, "name": "backbone"}
    return StrategySetup(frozen, [g for g in (body, head) if g["params"]], k, len(groups))
