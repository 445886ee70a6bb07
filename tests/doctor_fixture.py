"""A dataset with planted problems, built from a real one: the doctor's test and benchmark share it.

From ``source/train|val/<class>/*``: a copy (symlinks) with 5% of the training labels flipped,
``near_copies`` training images planted in validation as re-encoded, resized and slightly cropped
copies (train/validation leakage), and ``black`` black images in training.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image


@dataclass
class Planted:
    """Where the problems were planted (absolute paths in the new dataset)."""

    root: Path
    flipped: set[str] = field(default_factory=set)
    leaked: list[tuple[str, str]] = field(default_factory=list)  # (train original, val copy)
    black: set[str] = field(default_factory=set)


def _near_copy(source: Path, target: Path, variant: int) -> None:
    with Image.open(source) as img:
        img = img.convert("RGB")
        w, h = img.size
        if variant % 3 == 1:
            img = img.resize((int(w * 0.8), int(h * 0.8)), Image.Resampling.BICUBIC)
        elif variant % 3 == 2:
            dx, dy = max(1, w // 25), max(1, h // 25)
            img = img.crop((dx, dy, w - dx, h - dy))
        img.save(target.with_suffix(".jpg"), quality=70)


def _splits(source: Path, rng: np.random.Generator) -> tuple[list[str], dict[str, list[tuple[str, Path]]]]:
    """Classes, and ``(class, path)`` per split: as given, or 80/20 for a ``<class>/`` folder."""
    if (source / "train").is_dir():
        classes = sorted(p.name for p in (source / "train").iterdir() if p.is_dir())
        return classes, {s: [(c, p) for c in classes for p in sorted((source / s / c).iterdir())]
                         for s in ("train", "val")}
    classes = sorted(p.name for p in source.iterdir() if p.is_dir())
    out: dict[str, list[tuple[str, Path]]] = {"train": [], "val": []}
    for c in classes:
        files = sorted((source / c).iterdir())
        val = set(rng.permutation(len(files))[: len(files) // 5].tolist())
        for i, p in enumerate(files):
            out["val" if i in val else "train"].append((c, p))
    return classes, out


def build_planted(source: Path, dest: Path, flip_rate: float = 0.05, near_copies: int = 10,
                  black: int = 5, seed: int = 0) -> Planted:
    """Build the planted dataset in ``dest`` and say where everything went."""
    rng = np.random.default_rng(seed)
    classes, splits = _splits(source, rng)
    planted = Planted(dest)
    train = splits["train"]
    order = rng.permutation(len(train))
    flip = set(order[: round(flip_rate * len(train))].tolist())
    copy = order[len(flip) : len(flip) + near_copies].tolist()
    for i, (cls, path) in enumerate(train):
        label = classes[(classes.index(cls) + 1) % len(classes)] if i in flip else cls
        target = dest / "train" / label / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(path.resolve(), target)
        if i in flip:
            planted.flipped.add(str(target))
    for cls, path in splits["val"]:
        folder = dest / "val" / cls
        folder.mkdir(parents=True, exist_ok=True)
        os.symlink(path.resolve(), folder / path.name)
    for n, i in enumerate(copy):
        cls, path = train[i]
        target = dest / "val" / cls / f"planted_copy_{n}{path.suffix}"
        _near_copy(path, target, n)
        planted.leaked.append((str(dest / "train" / cls / path.name), str(target.with_suffix(".jpg"))))
    for n in range(black):
        target = dest / "train" / classes[n % len(classes)] / f"planted_black_{n}.png"
        Image.new("RGB", (320, 240), (0, 0, 0)).save(target)
        planted.black.add(str(target))
    return planted
