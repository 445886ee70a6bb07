"""Dropping files and folders from the desktop: onto the window, the grid and a class."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

import engine.project.importing


def _url_mime(paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _drop(widget: QWidget, mime: QMimeData, pos: QPoint | None = None) -> QDropEvent:
    pos = pos or widget.rect().center()
    actions, button = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    mods = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, actions, mime, button, mods)
    QApplication.sendEvent(widget, enter)
    QApplication.sendEvent(widget, QDragMoveEvent(pos, actions, mime, button, mods))
    drop = QDropEvent(QPointF(pos), actions, mime, button, mods)
    QApplication.sendEvent(widget, drop)
    return drop


@pytest.fixture
def empty_project(window, tmp_path):
    assert window.state.create_project(tmp_path / "project")
    return window


def test_drop_files_and_folders_on_the_empty_grid(empty_project, images, until, tmp_path):
    win = empty_project
    loose = images(tmp_path / "loose", loose=3)
    folder = images(tmp_path / "dataset", {"red": 2, "blue": 2})
    target = win.data_page.browser.empty  # an empty project shows the drop hint
    assert target.isVisible()
    drop = _drop(target, _url_mime([loose / "loose_0.png", loose / "loose_1.png", folder]))
    assert drop.isAccepted()
    until.idle(win)
    project = win.current_project()
    assert len(project.images) == 6
    assert project.classes == ["blue", "red"]  # the folder's sub-folders became classes
    assert project.count_unlabeled() == 2
    win.state.undo_stack.undo()  # the whole import is one undo step
    assert project.images == [] and project.classes == []


def test_drop_on_a_class_imports_labelled(empty_project, images, until, tmp_path, qtbot):
    win = empty_project
    win.state.add_class("wasps")
    qtbot.waitUntil(lambda: win.data_page.sidebar.model.class_row("wasps") >= 0)
    loose = images(tmp_path / "loose", loose=4)
    view = win.data_page.sidebar.view
    row = win.data_page.sidebar.model.class_row("wasps")
    drop = _drop(view.viewport(), _url_mime([loose]), view.visualRect(view.model().index(row)).center())
    assert drop.isAccepted()
    until.idle(win)
    assert win.current_project().class_counts() == {"wasps": 4}


def test_drop_on_the_grid_while_a_class_is_shown_labels_with_it(empty_project, images, until, tmp_path):
    win = empty_project
    first = images(tmp_path / "first", loose=2)
    win.state.add_class("moths")
    win.state.import_paths([str(first / "loose_0.png")])
    until.idle(win)
    win.data_page.sidebar.select_filter("class", "moths")
    _drop(win.data_page.browser.empty, _url_mime([first / "loose_1.png"]))
    until.idle(win)
    assert [e.label for e in win.current_project().images] == [None, "moths"]


def test_duplicates_and_non_images_are_skipped(empty_project, images, until, tmp_path):
    win = empty_project
    folder = images(tmp_path / "in", loose=2)
    (folder / "notes.txt").write_text("hello")
    win.data_page.browser.files_dropped.emit([str(folder)], None)
    until.idle(win)
    win.flows.handle_drop([str(folder), str(folder / "notes.txt")])
    until.idle(win)
    assert len(win.current_project().images) == 2
    assert "2 already in the project" in win.status.currentMessage()


def test_drop_a_dataset_folder_with_no_project_open(window, images, until, tmp_path):
    data = images(tmp_path / "data", {"x": 2, "y": 2})
    _drop(window, _url_mime([data]))
    until.project(window)
    assert window.current_project().class_counts() == {"x": 2, "y": 2}


def test_drop_files_with_no_project_explains(window, images, dialogs, tmp_path):
    loose = images(tmp_path / "loose", loose=1)
    _drop(window, _url_mime([loose / "loose_0.png"]))
    assert dialogs.count("warning") == 1 and "New Project" in dialogs.texts()[0]


def test_import_scan_runs_off_the_gui_thread_and_cancels(empty_project, images, until, tmp_path, monkeypatch,
                                                         qtbot):
    win = empty_project
    folder = images(tmp_path / "many", loose=40)
    real_probe = engine.project.importing.probe_image
    threads = set()

    def slow_probe(path):
        threads.add(threading.current_thread() is threading.main_thread())
        time.sleep(0.05)
        return real_probe(path)

    monkeypatch.setattr(engine.project.importing, "probe_image", slow_probe)
    win.state.import_paths([str(folder)])
    assert win.state.busy and win.status.job.isVisible()
    qtbot.waitUntil(lambda: win.status.job._bar.maximum() > 0, timeout=30_000)
    started = time.monotonic()
    win.status.job._cancel.click()
    until.idle(win)
    assert time.monotonic() - started < 1.0  # cancel latency
    assert threads == {False}  # never probed on the GUI thread
    assert win.current_project().images == []
    assert "cancelled" in win.status.currentMessage()
    assert not win.status.job.isVisible()


def test_drop_target_helper_takes_local_files_only(qtbot, tmp_path):
    from PySide6.QtWidgets import QListView

    from gui.widgets.drops import accept_file_drops

    plain, grid = QWidget(), QListView()
    qtbot.addWidget(plain)
    qtbot.addWidget(grid)
    got: list[list[str]] = []
    accept_file_drops(plain, got.append)
    accept_file_drops(grid, got.append)  # a scroll area: the drag events go to its viewport
    assert plain.acceptDrops() and grid.viewport().acceptDrops()
    link = QMimeData()
    link.setUrls([QUrl("https://example.com/cat.jpg")])
    internal = QMimeData()
    internal.setData("application/x-transfer-studio-images", b"1,2")
    for mime in (link, internal):
        assert not _drop(plain, mime).isAccepted()
    file = tmp_path / "a.png"
    assert _drop(plain, _url_mime([file])).isAccepted()
    assert _drop(grid.viewport(), _url_mime([file, tmp_path])).isAccepted()
    assert got == [[str(file)], [str(file), str(tmp_path)]]
