"""Data-page fixtures: a tiny project with planted problems, and a fast stand-in for the features.

Images: 12 red-ish "ants", 12 blue-ish "bees" (8x8 blocks of noise, 72 px), one ant photo copied into both
splits (leakage), one black "bee" (dark), one red image labelled "bees" (a suspect label), and four
unlabelled images. The stand-in features are the 8x8 colour thumbnail: the doctor's and the
instant head's own logic runs unchanged on them, in milliseconds instead of Lite0's seconds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.data.scan import Sample
from engine.features.extraction import FeatureSet
from engine.project.schema import ImageEntry
from engine.project.store import Project

SIDE = 72


def _noise(path: Path, base: tuple[int, int, int], seed: int) -> str:
    rng = np.random.default_rng(seed)
    blocks = rng.normal(0, 55, (8, 8, 3)).repeat(SIDE // 8, axis=0).repeat(SIDE // 8, axis=1)
    pixels = np.clip(blocks + np.array(base), 0, 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return str(path)


def make_images(root: Path) -> dict[str, list[str]]:
    """Write the images once (a module's tests share them); return the paths by role."""
    ants = [_noise(root / "ants" / f"ant_{i}.png", (200, 60, 40), i) for i in range(12)]
    bees = [_noise(root / "bees" / f"bee_{i}.png", (40, 70, 200), 100 + i) for i in range(12)]
    copy = root / "bees" / "copy_of_ant_0.png"
    shutil.copyfile(ants[0], copy)
    dark = root / "bees" / "dark.png"
    Image.new("RGB", (SIDE, SIDE), (0, 0, 0)).save(dark)
    wrong = _noise(root / "bees" / "red_bee.png", (205, 55, 45), 999)
    loose = [_noise(root / "loose" / f"u_{i}.png", (200, 60, 40) if i % 2 else (40, 70, 200), 500 + i)
             for i in range(4)]
    return {"ants": ants, "bees": bees, "copy": [str(copy)], "dark": [str(dark)], "wrong": [wrong],
            "loose": loose}


def make_project(folder: Path, images: dict[str, list[str]]) -> Project:
    """A fresh project over the shared images: labels, the planted copy in the other split."""
    project = Project.create(folder)
    entries = [ImageEntry(p, "ants") for p in images["ants"]]
    bees = images["bees"] + images["copy"] + images["dark"] + images["wrong"]
    entries += [ImageEntry(p, "bees") for p in bees]
    entries += [ImageEntry(p) for p in images["loose"]]
    project.add_images(entries, ["ants", "bees"])
    first, copy = project.index_of(images["ants"][0]), project.index_of(images["copy"][0])
    project.set_splits([first, copy], ["train", "val"])
    project.save()
    return project


def pixel_vectors(paths: list[str]) -> np.ndarray:
    """The stand-in features: each image's 8x8 colour thumbnail, centred."""
    rows = [np.asarray(Image.open(p).convert("RGB").resize((8, 8)), dtype=np.float32).ravel() / 255.0
            for p in paths]
    x = np.stack(rows)
    return x - x.mean(axis=0) + 1e-3


def fake_cached_features(name, backbone, samples: list[Sample], device, stage, progress=None,
                         control=None) -> FeatureSet:
    """Stands in for :func:`engine.features.cached.cached_features` (same signature and result)."""
    vectors = pixel_vectors([s.path for s in samples])
    labels = np.array([s.label for s in samples], dtype=np.int64)
    return FeatureSet(vectors, labels, list(range(len(samples))), [], len(samples))


@pytest.fixture(scope="module")
def doctor_images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The planted images, written once per test module."""
    return make_images(tmp_path_factory.mktemp("doctor_images"))


@pytest.fixture
def doctor_project(doctor_images, tmp_path) -> Path:
    """A fresh project folder over the shared images (decisions in one test never leak into another)."""
    return make_project(tmp_path / "project", doctor_images).folder


@pytest.fixture
def fast_features(monkeypatch):
    """The doctor and the instant head on the stand-in features (the GUI logic, not the backbone)."""
    import engine.doctor.examine
    import gui.data.instant_head

    monkeypatch.setattr(engine.doctor.examine, "build_backbone", lambda *args, **kwargs: None)
    monkeypatch.setattr(engine.doctor.examine, "cached_features", fake_cached_features)

    def features(self, paths, progress, control):
        return pixel_vectors(list(paths)), list(range(len(paths)))

    monkeypatch.setattr(gui.data.instant_head.CachedFeatures, "__call__", features)
