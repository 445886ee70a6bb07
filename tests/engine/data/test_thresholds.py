"""The one size rule and the one set of data-warning thresholds, and the engine callers that use them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.config import TrainConfig
from engine.data.scan import TRAIN, VAL, DatasetIndex, Sample
from engine.data.thresholds import (
    FEW_IMAGES_PER_CLASS,
    IMBALANCE_RATIO,
    LARGE_PER_CLASS,
    imbalance,
    is_imbalanced,
    is_too_few,
    size_band,
    size_rule,
)
from engine.project.schema import ImageEntry
from engine.project.store import Project
from engine.recommend.auto import resolve_auto
from engine.recommend.rules import DatasetSize, Measurement, choose_strategy, place_on_grid


def _index(train_per_class: int, classes: int = 2) -> DatasetIndex:
    """An index of ``classes`` classes with ``train_per_class`` training images each (and 2 for val)."""
    samples = [
        Sample(f"/data/c{c}/{split}{i}.jpg", c, split)
        for c in range(classes)
        for split, count in ((TRAIN, train_per_class), (VAL, 2))
        for i in range(count)
    ]
    return DatasetIndex("/data", [f"c{c}" for c in range(classes)], samples)


def _measure(probe: float) -> Measurement:
    return Measurement("b", {"probe": probe, "imagenet_confidence": 0.9}, 0.01, 0.02, 8,
                       features=np.zeros((0, 0), np.float32))


@pytest.mark.parametrize(
    ("per_class", "strategy", "band"),
    [(1, "features", "small"), (LARGE_PER_CLASS - 1, "features", "small"),
     (LARGE_PER_CLASS, "full", "large"), (20 * LARGE_PER_CLASS, "full", "large")],
)
def test_size_rule_splits_at_the_grid_boundary(per_class: int, strategy: str, band: str) -> None:
    choice = size_rule(per_class * 3, 3)
    assert (choice.strategy, choice.band) == (strategy, band)
    assert f"{per_class:,}" in choice.reason


def test_size_rule_is_the_grid_with_similarity_unknown() -> None:
    """The size-only answer equals the grid's answer for a similar dataset of the same size."""
    for per_class in (10, LARGE_PER_CLASS - 1, LARGE_PER_CLASS, 3 * LARGE_PER_CLASS):
        size = DatasetSize(per_class * 2, 10, 2, 20)
        cell = place_on_grid(size, _measure(0.95))
        assert cell == (size_band(per_class), "similar")
        grid_strategy = choose_strategy(cell, size, [_measure(0.95)], None)[0]
        assert size_rule(per_class * 2, 2).strategy == grid_strategy


def test_size_rule_survives_an_empty_dataset() -> None:
    assert size_rule(0, 0).strategy == "features"


def test_resolve_auto_without_weights_uses_the_size_rule() -> None:
    for per_class, expected in ((LARGE_PER_CLASS - 1, "features"), (LARGE_PER_CLASS, "full")):
        config, reason = resolve_auto(TrainConfig("/data", pretrained=False), _index(per_class))
        assert config.strategy == expected
        assert reason == size_rule(2 * per_class, 2).reason


def test_warning_thresholds() -> None:
    assert is_too_few(FEW_IMAGES_PER_CLASS - 1) and not is_too_few(FEW_IMAGES_PER_CLASS)
    at_ratio = int(IMBALANCE_RATIO * 10)
    assert is_imbalanced(at_ratio, 10) and not is_imbalanced(at_ratio - 1, 10)
    assert not is_imbalanced(50, 0)


def test_imbalance_names_the_classes_and_ignores_empty_ones() -> None:
    assert imbalance({"a": 30, "b": 10, "empty": 0}) == ("a", "b", 3.0)
    assert imbalance({"a": 29, "b": 10, "empty": 0}) is None
    assert imbalance({"a": 30, "empty": 0}) is None  # one populated class: nothing to compare


def test_data_page_warns_at_the_shared_threshold(tmp_path: Path) -> None:
    project = Project(tmp_path / "p")
    project.add_images(
        [ImageEntry(str(tmp_path / f"few{i}.jpg"), "few") for i in range(FEW_IMAGES_PER_CLASS - 1)]
        + [ImageEntry(str(tmp_path / f"enough{i}.jpg"), "enough") for i in range(FEW_IMAGES_PER_CLASS)]
    )
    too_few = [w.message for w in project.warnings() if w.kind == "too_few"]
    assert len(too_few) == 1 and "“few”" in too_few[0] and f"at least {FEW_IMAGES_PER_CLASS}" in too_few[0]
