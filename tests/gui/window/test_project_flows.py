"""Opening, importing and saving projects through the GUI: nothing lost, clear errors."""

from __future__ import annotations

import json
import os

import pytest

pytest.importorskip("PySide6")

import engine.atomic
from engine.project.schema import PROJECT_FILE_NAME
from engine.project.store import Project
from gui.window.main_window import MainWindow


def _saved_labels(folder):
    return [e.label for e in Project.load(folder).images]


def test_open_class_folder_dataset_in_one_step(window, images, until, tmp_path):
    data = images(tmp_path / "data", {"cats": 4, "dogs": 3})
    window.open_path(str(data))
    until.project(window)
    project = window.current_project()
    assert project.classes == ["cats", "dogs"] and project.class_counts() == {"cats": 4, "dogs": 3}
    assert (data / PROJECT_FILE_NAME).is_file()
    assert sorted(p.name for p in (data / "cats").iterdir()) == [f"cats_{i}.png" for i in range(4)]
    assert window.data_page.currentWidget() is window.data_page.splitter
    assert window.data_page.browser.model.rowCount() == 7


def test_open_split_folder_dataset(window, images, until, tmp_path):
    images(tmp_path / "data" / "train", {"a": 3, "b": 3})
    images(tmp_path / "data" / "val", {"a": 1, "b": 1})
    window.open_path(str(tmp_path / "data"))
    until.project(window)
    expected = {"a": {"train": 3, "val": 1}, "b": {"train": 3, "val": 1}}
    assert window.current_project().split_counts() == expected


def test_read_only_dataset_asks_where_to_put_the_project(window, images, until, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    data = images(tmp_path / "data", {"a": 2, "b": 2})
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    chosen = staticmethod(lambda *a, **k: str(tmp_path / "p"))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", chosen)
    window.open_path(str(data))
    until.project(window)
    assert window.current_project().folder == tmp_path / "p"
    assert not (data / PROJECT_FILE_NAME).exists()


@pytest.mark.parametrize(("content", "field"), [
    ("{ not json", "not valid JSON"),
    ('{"format_version": 7, "classes": [], "images": []}', "format_version"),
    ('{"format_version": 1, "classes": ["a"], "images": [{"path": "/x.png", "label": 3}]}',
     "images[0].label"),
])
def test_bad_project_file_is_refused_with_the_field_named(window, dialogs, tmp_path, content, field):
    assert window.state.create_project(tmp_path / "good")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / PROJECT_FILE_NAME).write_text(content, encoding="utf-8")
    window.open_path(str(bad))
    assert dialogs.count("warning") == 1
    assert field in dialogs.texts()[0] and str(bad) in dialogs.texts()[0].replace("&#x27;", "'")
    assert window.current_project().folder == tmp_path / "good"  # the open project stays open
    assert (bad / PROJECT_FILE_NAME).read_text(encoding="utf-8") == content  # never overwritten


def test_every_change_is_autosaved(window, images, until, qtbot, tmp_path):
    data = images(tmp_path / "data", {"a": 2, "b": 2})
    window.open_path(str(data))
    until.project(window)
    window.state.label_images([0, 1], "b")
    qtbot.waitUntil(lambda: _saved_labels(data)[:2] == ["b", "b"], timeout=30_000)
    window.state.undo_stack.undo()
    qtbot.waitUntil(lambda: _saved_labels(data)[:2] == ["a", "a"], timeout=30_000)
    assert window.status.save_label.text() in ("All changes saved", "Saving…")


def test_failing_disk_shows_one_dialog_and_keeps_the_changes(window, images, until, qtbot, dialogs, tmp_path,
                                                             monkeypatch):
    data = images(tmp_path / "data", {"a": 3, "b": 3})
    window.open_path(str(data))
    until.project(window)
    before = (data / PROJECT_FILE_NAME).read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine.atomic.os, "fsync", full_disk)
    for i in range(5):
        window.state.label_images([i], "b" if i < 3 else "a")
        qtbot.wait(120)
    qtbot.waitUntil(lambda: window.status.save_label.text() == "Not saved", timeout=30_000)
    assert dialogs.count("warning") == 1 and "No space left" in dialogs.texts()[0]
    assert (data / PROJECT_FILE_NAME).read_bytes() == before  # old file intact
    assert not [p for p in data.iterdir() if p.name.endswith(".tmp")]  # no temp file left
    monkeypatch.undo()
    window.state.label_images([5], "a")
    qtbot.waitUntil(lambda: window.status.save_label.text() == "All changes saved", timeout=30_000)
    assert _saved_labels(data) == [e.label for e in window.current_project().images]


def test_reopen_after_kill_during_save(qtbot, images, until, tmp_path, monkeypatch):
    """A save that dies between writing the temp file and renaming it leaves the last good file."""
    first = MainWindow()
    qtbot.addWidget(first)
    data = images(tmp_path / "data", {"a": 3, "b": 3})
    first.open_path(str(data))
    until.project(first)
    first.state.label_images([0], "b")
    assert first.state.save_now()
    good = json.loads((data / PROJECT_FILE_NAME).read_text(encoding="utf-8"))

    def killed(*args, **kwargs):
        raise OSError(5, "Input/output error (process killed)")

    monkeypatch.setattr(engine.atomic.os, "replace", killed)
    first.state.label_images([1, 2], "b")
    qtbot.waitUntil(lambda: first.status.save_label.text() == "Not saved", timeout=30_000)
    # Simulate the kill: the window is never closed, its state is simply gone.
    first.state.saver.set_project(None)
    monkeypatch.undo()
    second = MainWindow()
    qtbot.addWidget(second)
    second.open_path(str(data))
    assert second.current_project() is not None
    assert second.current_project().to_dict() == good
    first.close()
    second.close()


def test_close_saves_pending_changes(qtbot, images, until, tmp_path):
    win = MainWindow()
    qtbot.addWidget(win)
    data = images(tmp_path / "data", {"a": 2, "b": 2})
    win.open_path(str(data))
    until.project(win)
    win.state.label_images([0, 1, 2, 3], "a")
    win.close()  # before the autosave timer fires
    assert _saved_labels(data) == ["a"] * 4


def test_add_run_is_saved(window, tmp_path, qtbot):
    assert window.state.create_project(tmp_path / "p")
    with qtbot.waitSignal(window.state.runs_changed):
        window.state.add_run({"run_dir": "runs/1", "strategy": "linear_probe", "backbones": ["lite0"],
                              "best_val_acc": 0.95, "created": "2026-01-01T12:00:00"})
    assert window.state.save_now()
    assert Project.load(tmp_path / "p").runs[0]["best_val_acc"] == 0.95


def test_export_copies_labelled_images(window, images, until, tmp_path):
    data = images(tmp_path / "data", {"a": 2, "b": 1})
    window.open_path(str(data))
    until.project(window)
    window.state.export_dataset(tmp_path / "out")
    until.idle(window)
    assert sorted(p.name for p in (tmp_path / "out" / "a").iterdir()) == ["a_0.png", "a_1.png"]
    assert [p.name for p in (tmp_path / "out" / "b").iterdir()] == ["b_0.png"]
