"""Preprocessing as tensor operations, shared by training, evaluation and the ONNX export.

Evaluation works on ``uint8`` tensors with the same operations the exported graph performs
(antialiased resize of the shorter side, center crop, scale, normalise), so the app and the
exported file see the same numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torchvision.transforms import v2

if TYPE_CHECKING:
    from engine.data.preprocess import Preprocess


def to_uint8_chw(rgb: np.ndarray) -> torch.Tensor:
    """Turn an ``HxWx3`` uint8 array into a ``3xHxW`` uint8 tensor (no copy of pixels twice)."""
    return torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)


def resized_shape(height: int, width: int, size: int) -> tuple[int, int]:
    """Shape after resizing the shorter side to ``size`` (torchvision's rule)."""
    if height <= width:
        return size, max(1, int(size * width / height))
    return max(1, int(size * height / width)), size


class EvalPreprocess(nn.Module):
    """``uint8`` NCHW images → normalised float NCHW crops, exactly as evaluation and export do."""

    def __init__(self, spec: Preprocess) -> None:
        super().__init__()
        self.resize_size = spec.resize_size
        self.crop_size = spec.input_size
        self.mode = spec.interpolation
        self.register_buffer("mean", torch.tensor(spec.mean).view(1, 3, 1, 1) * 255.0, persistent=False)
        self.register_buffer("std", torch.tensor(spec.std).view(1, 3, 1, 1) * 255.0, persistent=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Resize, crop and normalise a batch of same-sized ``uint8`` images.

        The resize runs on ``uint8`` (torch's vectorised integer path, rounded and saturated),
        several times faster than on floats; the exported graph does the same on ``uint8``.
        """
        height, width = int(images.shape[-2]), int(images.shape[-1])
        new_h, new_w = resized_shape(height, width, self.resize_size)
        x = F.interpolate(images, size=(new_h, new_w), mode=self.mode, align_corners=False, antialias=True)
        if x.dtype != torch.uint8:
            x = x.clamp(0.0, 255.0)
        top = round((new_h - self.crop_size) / 2.0)
        left = round((new_w - self.crop_size) / 2.0)
        x = x[..., top : top + self.crop_size, left : left + self.crop_size]
        return (x.float() - self.mean) / self.std


class EvalTransform:
    """Per-image evaluation transform for data loaders: ``uint8`` CHW → normalised CHW."""

    def __init__(self, spec: Preprocess) -> None:
        self._module = EvalPreprocess(spec)

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        """Preprocess one image."""
        with torch.no_grad():
            return self._module(image.unsqueeze(0))[0]


def _interpolation(name: str) -> v2.InterpolationMode:
    return v2.InterpolationMode.BICUBIC if name == "bicubic" else v2.InterpolationMode.BILINEAR


def train_transform(spec: Preprocess, augment: str) -> v2.Compose | EvalTransform:
    """Training-time transform for an augmentation preset (``none``, ``light``, ``strong``)."""
    if augment == "none":
        return EvalTransform(spec)
    interp = _interpolation(spec.interpolation)
    scale = (0.6, 1.0) if augment == "light" else (0.25, 1.0)
    steps: list[nn.Module] = [
        v2.RandomResizedCrop(spec.input_size, scale=scale, interpolation=interp, antialias=True),
        v2.RandomHorizontalFlip(),
    ]
    if augment == "strong":
        # its rotations and shears accept only nearest or bilinear on tensors (bicubic raises)
        steps.append(v2.TrivialAugmentWide(interpolation=v2.InterpolationMode.BILINEAR))
    steps += [v2.ToDtype(torch.float32, scale=True), v2.Normalize(spec.mean, spec.std)]
    if augment == "strong":
        steps.append(v2.RandomErasing(p=0.25))
    return v2.Compose(steps)
