"""Opening a dataset folder in the app: split folder names and per-class problems reach the user."""

from __future__ import annotations

import os
import sys

import pytest

pytest.importorskip("PySide6")


def test_train_and_test_folders_are_splits_and_the_warnings_are_shown(window, images, until, dialogs,
                                                                     tmp_path):
    data = tmp_path / "data"
    images(data / "train", {"cats": 3, "dogs": 3})
    images(data / "test", {"cats": 1})
    window.open_path(str(data))
    until.project(window)
    project = window.state.project
    assert project.classes == ["cats", "dogs"]  # not "train" and "test"
    pairs = {(e.label, e.split) for e in project.images}
    assert pairs == {("cats", "train"), ("dogs", "train"), ("cats", "val")}
    texts = dialogs.texts()  # shown as escaped plain text
    assert any("dogs" in text and "has no validation image" in text for text in texts), texts


@pytest.mark.skipif(sys.platform != "linux", reason="byte file names are a Linux matter")
def test_a_non_utf8_file_name_is_imported_and_saved(window, images, until, dialogs, tmp_path):
    data = images(tmp_path / "data", {"cats": 2, "dogs": 2})
    raw = os.path.join(os.fsencode(data / "cats"), b"caf\xe9.png")
    os.rename(data / "cats" / "cats_0.png", raw)
    window.open_path(str(data))
    until.project(window)
    until.idle(window)
    paths = {os.fsencode(e.path) for e in window.state.project.images}
    assert raw in paths and len(paths) == 4
    window.state.project.save()
    assert (window.state.project.folder / "transfer-studio-project.json").read_bytes().decode("utf-8")
