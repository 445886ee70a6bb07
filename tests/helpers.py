"""Helpers shared by the tests: tiny generated images and datasets, and the real datasets beside the repo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def make_image(
    path: Path, color: tuple[int, int, int], size: tuple[int, int] = (40, 32), seed: int = 0
) -> Path:
    """Write a noisy solid-colour image (format from the suffix)."""
    rng = np.random.default_rng(seed)
    arr = np.clip(np.array(color, dtype=np.int16) + rng.integers(-20, 20, (size[1], size[0], 3)), 0, 255)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr.astype(np.uint8)).save(path)
    return path


COLORS = {"red": (220, 30, 30), "green": (30, 200, 40), "blue": (30, 40, 220)}


def make_dataset(root: Path, per_class: int = 6, classes: tuple[str, ...] = ("red", "green"),
                 suffix: str = ".png") -> Path:
    """``root/<class>/img_<i><suffix>`` with easily separable colours."""
    for c_index, name in enumerate(classes):
        for i in range(per_class):
            make_image(root / name / f"img_{i}{suffix}", COLORS[name], seed=c_index * 100 + i)
    return root


def shared_dataset(name: str) -> Path:
    """A real dataset beside the project, or skip the test."""
    path = SHARED / name
    if not path.is_dir():
        pytest.skip(f"{path} is not available")
    return path


def train_tiny_run(root: Path, run_name: str) -> tuple[Path, Path]:
    """A tiny Lite0 ``features`` run (2 classes x 6 images, 2 epochs) in ``root/run_name``.

    The caller sets ``TRANSFER_STUDIO_CACHE``. Returns the run folder and the data folder.
    """
    from engine.config import TrainConfig
    from engine.training.loop import fit

    data = make_dataset(root / "data", per_class=6)
    config = TrainConfig(
        data_dir=str(data),
        backbones=("efficientnet_lite0",),
        strategy="features",
        epochs=2,
        batch_size=4,
        out_dir=str(root / run_name),
        num_workers=0,
        feature_engine="torch",
        threads=2,
    )
    fit(config)
    return root / run_name, data
