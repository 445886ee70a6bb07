import os

import pytest
from helpers import make_dataset, make_image

from engine.data.scan import TRAIN, VAL, assign_splits, scan_dataset
from engine.errors import DatasetError


def test_class_folder_layout_is_split_stratified_and_stable(tmp_path):
    root = make_dataset(tmp_path / "d", per_class=10)
    first = scan_dataset(root)
    assert first.classes == ["green", "red"]
    assert first.class_counts(VAL) == {"green": 2, "red": 2}
    again = scan_dataset(root)
    assert [(s.path, s.split) for s in again.samples] == [(s.path, s.split) for s in first.samples]
    # adding images never moves the ones already assigned
    for i in range(10, 20):
        make_image(root / "red" / f"img_{i}.png", (220, 30, 30), seed=500 + i)
    grown = scan_dataset(root)
    before = {s.path: s.split for s in first.samples}
    assert all(before[s.path] == s.split for s in grown.samples if s.path in before)
    assert grown.class_counts(VAL)["red"] == 4


def test_split_folder_layout_kept_as_given(tmp_path):
    make_dataset(tmp_path / "d" / "train", per_class=3)
    make_dataset(tmp_path / "d" / "val", per_class=2)
    index = scan_dataset(tmp_path / "d")
    assert index.layout == "split_folders"
    assert index.class_counts(TRAIN) == {"green": 3, "red": 3}
    assert index.class_counts(VAL) == {"green": 2, "red": 2}


def test_bad_files_skipped_with_reason_and_clutter_ignored(tmp_path):
    root = make_dataset(tmp_path / "d", per_class=4, suffix=".JPG")
    (root / "red" / "broken.jpg").write_bytes(b"")
    (root / "red" / "Thumbs.db").write_bytes(b"xx")
    (root / "red" / ".DS_Store").write_bytes(b"xx")
    (root / ".git").mkdir()
    index = scan_dataset(root)
    assert [s.reason for s in index.skipped] == ["empty file (0 bytes)"]
    assert index.skipped[0].path.endswith("broken.jpg")
    assert len(index.samples) == 8


def test_symlink_loop_terminates_without_duplicates(tmp_path):
    root = make_dataset(tmp_path / "d", per_class=3)
    os.symlink("..", root / "red" / "up0")
    os.symlink("..", root / "red" / "up1")
    index = scan_dataset(root)
    assert len(index.samples) == 6


def test_one_class_is_a_clear_error(tmp_path):
    make_dataset(tmp_path / "d", per_class=3, classes=("red",))
    with pytest.raises(DatasetError, match="at least two"):
        scan_dataset(tmp_path / "d")


def test_assign_splits_keeps_previous_and_fills_new():
    previous = {"a/1": VAL, "a/2": TRAIN}
    result = assign_splits({"a": ["a/1", "a/2", "a/3", "a/4", "a/5"]}, previous, 0.4, seed=1)
    assert result["a/1"] == VAL and result["a/2"] == TRAIN
    assert sum(v == VAL for v in result.values()) == 2
