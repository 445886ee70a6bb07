"""Broken and unusual dataset folder layouts, through the CLI's scan and the app's import.

Each case builds a folder and scans it with :func:`scan_dataset` (``train``/``recommend``) and,
where the app reads it too, :func:`scan_import`. The case id ends in ``-error`` (a
:class:`DatasetError` naming the folder and what to do) or ``-correct`` (the right classes,
samples and warnings). Both paths must agree on split and class folder names.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import make_image

from engine.data.scan import TRAIN, VAL, DatasetIndex, scan_dataset
from engine.errors import DatasetError
from engine.project.importing import scan_import

RED, BLUE = (220, 30, 30), (30, 40, 220)


def _images(folder: Path, n: int, color: tuple[int, int, int] = RED) -> None:
    for i in range(n):
        make_image(folder / f"img_{i}.png", color, size=(12, 12), seed=i)


# ------------------------------------------------------------------------- layouts that must fail
def empty(root: Path) -> str:
    root.mkdir()
    return "at least two"


def missing(root: Path) -> str:
    return "not a folder"


def one_class(root: Path) -> str:
    _images(root / "cats", 4)
    return "at least two"


def only_empty_class_folders(root: Path) -> str:
    (root / "cats").mkdir(parents=True)
    (root / "dogs").mkdir()
    return "at least two"


def only_broken_files(root: Path) -> str:
    for name in ("cats", "dogs"):
        (root / name).mkdir(parents=True)
        (root / name / "x.jpg").write_bytes(b"not a jpeg")
    return "at least two"


def split_folders_without_classes(root: Path) -> str:
    _images(root / "train", 3)
    _images(root / "test", 3, BLUE)
    return "no class sub-folders"


ERROR_CASES: dict[str, Callable[[Path], str]] = {
    "empty_folder": empty,
    "missing_folder": missing,
    "one_class": one_class,
    "empty_class_folders": only_empty_class_folders,
    "only_broken_files": only_broken_files,
    "split_folders_without_classes": split_folders_without_classes,
}


@pytest.mark.parametrize("make", ERROR_CASES.values(), ids=[f"{k}-error" for k in ERROR_CASES])
def test_unusable_layout_gives_a_clear_error(make, tmp_path):
    root = tmp_path / "data"
    expected = make(root)
    with pytest.raises(DatasetError, match=expected) as caught:
        scan_dataset(root)
    assert str(root) in str(caught.value)


def test_the_app_imports_split_folders_without_classes_unlabeled_with_a_warning_correct(tmp_path):
    root = tmp_path / "data"
    split_folders_without_classes(root)
    plan = scan_import([root])
    assert len(plan.entries) == 6 and plan.classes == [] and {e.label for e in plan.entries} == {None}
    assert any("no class folders" in w for w in plan.warnings)


# ---------------------------------------------------------------------- layouts that must work
SPLIT_PAIRS = [("train", "test"), ("train", "valid"), ("train", "validation"), ("Train", "Val"),
               ("training", "testing")]


@pytest.mark.parametrize("train_name,val_name", SPLIT_PAIRS, ids=[f"{t}+{v}-correct" for t, v in SPLIT_PAIRS])
def test_split_folder_names_are_splits_not_classes(train_name, val_name, tmp_path):
    root = tmp_path / "data"
    for split, n in ((train_name, 3), (val_name, 1)):
        _images(root / split / "cats", n)
        _images(root / split / "dogs", n, BLUE)
    index = scan_dataset(root)
    assert index.layout == "split_folders" and index.classes == ["cats", "dogs"]
    assert index.class_counts(TRAIN) == {"cats": 3, "dogs": 3}
    assert index.class_counts(VAL) == {"cats": 1, "dogs": 1}
    plan = scan_import([root])
    assert plan.classes == ["cats", "dogs"]
    assert sorted((e.label, e.split) for e in plan.entries).count(("cats", VAL)) == 1


def test_train_val_and_test_keeps_test_unseen_with_a_warning_correct(tmp_path):
    root = tmp_path / "data"
    for split in ("train", "val", "test"):
        _images(root / split / "cats", 2)
        _images(root / split / "dogs", 2, BLUE)
    index = scan_dataset(root)
    assert not any("/test/" in s.path for s in index.samples) and len(index.samples) == 8
    assert any("test" in w and "not used" in w for w in index.warnings)
    assert any("not used" in w for w in scan_import([root]).warnings)


def test_class_folders_named_like_splits_warn_correct(tmp_path):
    root = tmp_path / "data"
    _images(root / "test", 3)
    _images(root / "cats", 3, BLUE)
    index = scan_dataset(root)
    assert index.classes == ["cats", "test"] and any("look like split folders" in w for w in index.warnings)
    assert any("look like split folders" in w for w in scan_import([root]).warnings)


def test_single_image_and_train_only_classes_warn_correct(tmp_path):
    root = tmp_path / "data"
    _images(root / "train" / "cats", 3)
    _images(root / "train" / "dogs", 3, BLUE)
    _images(root / "train" / "owls", 1)
    _images(root / "val" / "cats", 1)
    _images(root / "val" / "owls", 1)
    warnings = scan_dataset(root).warnings
    assert any("'dogs' has no validation image" in w for w in warnings)
    assert not any("'owls'" in w or "'cats'" in w for w in warnings)
    assert any("'dogs' has no validation image" in w for w in scan_import([root]).warnings)


def test_a_one_image_class_warns_correct(tmp_path):
    root = tmp_path / "data"
    _images(root / "cats", 4)
    _images(root / "dogs", 4, BLUE)
    _images(root / "owls", 1)
    assert any("'owls' has a single image" in w for w in scan_dataset(root).warnings)


def test_nested_folders_inside_a_class_are_found_correct(tmp_path):
    root = tmp_path / "data"
    _images(root / "cats" / "2019" / "summer", 2)
    _images(root / "cats" / "2020", 2)
    _images(root / "dogs", 2, BLUE)
    assert scan_dataset(root).class_counts() == {"cats": 4, "dogs": 2}


@pytest.mark.parametrize("links", [1, 2], ids=["one_symlink_loop-correct", "two_symlink_loops-correct"])
def test_symlink_loops_end_and_duplicate_nothing(links, tmp_path):
    root = tmp_path / "data"
    _images(root / "cats", 3)
    _images(root / "dogs", 3, BLUE)
    for i in range(links):
        os.symlink("..", root / "cats" / f"up{i}")
    start = time.perf_counter()
    index = scan_dataset(root)
    assert time.perf_counter() - start < 2.0
    assert index.class_counts() == {"cats": 3, "dogs": 3}


def test_hidden_folders_and_os_clutter_are_not_classes_correct(tmp_path):
    root = tmp_path / "data"
    _images(root / "cats", 2)
    _images(root / "dogs", 2, BLUE)
    _images(root / ".ipynb_checkpoints", 2)
    (root / "cats" / "._img_0.png").write_bytes(b"\0\5\26\7")
    (root / ".DS_Store").write_bytes(b"x")
    index = scan_dataset(root)
    assert index.classes == ["cats", "dogs"] and not index.skipped


def test_unreadable_and_vanished_files_are_skipped_with_the_reason_correct(tmp_path):
    root = tmp_path / "data"
    _images(root / "cats", 2)
    _images(root / "dogs", 2, BLUE)
    os.symlink(root / "gone.png", root / "cats" / "vanished.png")
    locked = root / "dogs" / "locked.png"
    make_image(locked, BLUE, size=(12, 12))
    locked.chmod(0)
    index = scan_dataset(root)
    reasons = {Path(s.path).name: s.reason for s in index.skipped}
    assert "not found" in reasons["vanished.png"]
    if os.geteuid() != 0:  # root reads any file
        assert "permission" in reasons["locked.png"]


def test_a_tab_in_a_class_folder_name_follows_one_rule_correct(tmp_path):
    root = tmp_path / "data"
    _images(root / "big\tcats", 2)
    _images(root / "dogs", 2, BLUE)
    assert scan_dataset(root).classes == ["big cats", "dogs"]
    assert scan_import([root]).classes == ["big cats", "dogs"]


def test_a_control_character_class_folder_is_left_out_with_a_warning_correct(tmp_path):
    root = tmp_path / "data"
    for name, color in (("cats", RED), ("dogs", BLUE), ("bad\x01name", RED)):
        _images(root / name, 2, color)
    index = scan_dataset(root)
    assert index.classes == ["cats", "dogs"] and any("control characters" in w for w in index.warnings)
    plan = scan_import([root])
    assert plan.classes == ["cats", "dogs"] and any("control characters" in w for w in plan.warnings)


@pytest.mark.skipif(sys.platform != "linux", reason="byte file names are a Linux matter")
def test_a_non_utf8_class_folder_becomes_a_readable_class_correct(tmp_path):
    root = tmp_path / "data"
    _images(root / "dogs", 2, BLUE)
    raw = os.path.join(os.fsencode(root), b"caf\xe9")
    _images(Path(os.fsdecode(raw)), 2)
    index: DatasetIndex = scan_dataset(root)
    assert index.classes == ["caf\ufffd", "dogs"]
    assert scan_dataset(root).samples == index.samples  # the stored split reads back the same
