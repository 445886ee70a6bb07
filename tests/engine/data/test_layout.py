"""Split and class folder name rules shared by the CLI's scan and the app's import."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.data.layout import (
    class_count_warnings,
    class_folder_warnings,
    clean_class_name,
    find_split_folders,
    split_role,
)
from engine.project.store import validate_class_name


@pytest.mark.parametrize("name,role", [("train", "train"), ("Training", "train"), ("val", "val"),
                                       ("VALID", "val"), ("validation", "val"), ("test", "test"),
                                       ("testing", "test"), ("cats", None), ("trains", None)])
def test_split_role(name, role):
    assert split_role(name) == role


def test_find_split_folders_prefers_val_and_falls_back_to_test():
    p = [Path(n) for n in ("test", "train", "val")]
    assert find_split_folders(p) == {"train": Path("train"), "val": Path("val"), "test": Path("test")}
    assert find_split_folders([Path("train"), Path("test")]) == {"train": Path("train"), "val": Path("test")}
    assert find_split_folders([Path("train"), Path("cats")]) is None


def test_class_name_rule_is_the_same_for_folders_and_the_app():
    assert clean_class_name("big\tcats\n") == "big cats" == validate_class_name("big\tcats")
    for bad in ("", " \t ", "a\x01b", "x" * 101):
        with pytest.raises(ValueError):
            clean_class_name(bad)
        with pytest.raises(ValueError):
            validate_class_name(bad)


def test_warnings_name_the_class_and_the_problem():
    warnings = class_count_warnings({"a": {"train": 1, "val": 0}, "b": {"train": 5, "val": 0},
                                     "c": {"train": 0, "val": 2}, "d": {"train": 4, "val": 1}})
    assert len(warnings) == 3
    assert "'a' has a single image" in warnings[0] and "'b' has no validation" in warnings[1]
    assert "'c' has no training" in warnings[2]
    assert class_folder_warnings(["cats", "dogs"]) == []
    assert "'test'" in class_folder_warnings(["cats", "test"])[0]
