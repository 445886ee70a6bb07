"""Labelling: number keys, dragging thumbnails onto classes, class edits, undo/redo, plain-text names."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from engine.project.schema import ImageEntry
from engine.project.store import Project
from gui.data.class_list_model import ClassListModel


@pytest.fixture
def labelled(window, images, until, tmp_path):
    """A window with a project of 5 ants, 5 bees (labelled) and 6 unlabeled images."""
    make = images
    make(tmp_path / "data", {"ants": 5, "bees": 5})
    make(tmp_path / "extra", loose=6)
    window.open_path(str(tmp_path / "data"))
    until.project(window)
    window.state.import_paths([str(tmp_path / "extra")])
    until.idle(window)
    assert len(window.state.project.images) == 16
    window.state.undo_stack.clear()
    return window


def _labels(win):
    return [e.label for e in win.state.project.images]


def _browser(win):
    return win.data_page.browser


def test_number_keys_label_the_selection_and_keep_flowing(labelled, qtbot):
    win = labelled
    win.data_page.sidebar.select_filter("unlabeled")
    browser = _browser(win)
    assert browser.model.rowCount() == 6
    browser.select_rows(0, 1)
    browser.view.setFocus()
    qtbot.keyClick(browser.view, Qt.Key.Key_2)
    assert _labels(win)[10:12] == ["bees", "bees"]
    assert browser.model.rowCount() == 4
    assert browser.selected_image_indices() == [12]  # the next image is selected: keep pressing keys
    qtbot.keyClick(browser.view, Qt.Key.Key_1)
    assert _labels(win)[12] == "ants"
    qtbot.keyClick(browser.view, Qt.Key.Key_9)  # no class 9: nothing happens
    assert browser.model.rowCount() == 3


def test_zero_unlabels_and_undo_redo_with_keyboard(labelled, qtbot):
    win = labelled
    browser = _browser(win)
    browser.select_rows(0, 4)
    browser.view.setFocus()
    before = list(win.state.project.images)
    qtbot.keyClick(browser.view, Qt.Key.Key_0)
    assert _labels(win)[:5] == [None] * 5
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.state.project.images == before
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert _labels(win)[:5] == [None] * 5
    assert win.main_actions.undo.text().startswith("&Undo Unlabel 5 images")


def _drop_on_row(view, row: int, mime) -> QDropEvent:
    """Send the drag-enter, drag-move and drop a real drag would send to the row's centre."""
    pos = QPointF(view.visualRect(view.model().index(row)).center())
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos.toPoint(), actions, mime, buttons, mods)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(pos.toPoint(), actions, mime, buttons, mods)
    QApplication.sendEvent(view.viewport(), move)
    drop = QDropEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(view.viewport(), drop)
    return drop


def test_drag_thumbnails_onto_a_class(labelled, qtbot):
    win = labelled
    browser, sidebar = _browser(win), win.data_page.sidebar
    browser.select_rows(0, 2)  # three ants
    mime = browser.model.mimeData(browser.view.selectionModel().selectedIndexes())
    drop = _drop_on_row(sidebar.view, sidebar.model.class_row("bees"), mime)
    assert drop.isAccepted()
    assert _labels(win)[:3] == ["bees"] * 3
    qtbot.waitUntil(lambda: sidebar.model.count("bees") == 8 and sidebar.model.count("ants") == 2)
    mime = browser.model.mimeData([browser.model.index(0)])
    _drop_on_row(sidebar.view, 1, mime)  # the "Unlabeled" row unlabels
    assert _labels(win)[0] is None
    win.state.undo_stack.undo()
    win.state.undo_stack.undo()
    assert _labels(win)[:3] == ["ants"] * 3


def test_drop_on_all_images_row_is_refused_for_thumbnails(labelled):
    win = labelled
    sidebar, browser = win.data_page.sidebar, _browser(win)
    mime = browser.model.mimeData([browser.model.index(0)])
    drop = _drop_on_row(sidebar.view, 0, mime)
    assert not drop.isAccepted()
    assert _labels(win)[0] == "ants"


def test_class_create_rename_merge_delete_all_undo_exactly(labelled, qtbot):
    win = labelled
    state, sidebar = win.state, win.data_page.sidebar
    original = (list(state.project.classes), list(state.project.images))
    sidebar.add_field.setText("wasps")
    qtbot.keyClick(sidebar.add_field, Qt.Key.Key_Return)
    assert state.project.classes == ["ants", "bees", "wasps"]
    sidebar.add_field.setText("ANTS")
    qtbot.keyClick(sidebar.add_field, Qt.Key.Key_Return)
    assert sidebar.error_label.isVisibleTo(sidebar) and "already" in sidebar.error_label.text()
    assert sidebar.model.setData(sidebar.model.index(sidebar.model.class_row("ants")), "formica")
    assert _labels(win)[0] == "formica"
    state.merge_classes("bees", "formica")
    assert state.project.class_counts() == {"formica": 10, "wasps": 0}
    state.delete_class("formica")
    assert state.project.classes == ["wasps"] and _labels(win)[:10] == [None] * 10
    while state.undo_stack.canUndo():
        state.undo_stack.undo()
    assert (state.project.classes, state.project.images) == original


def test_renamed_class_stays_selected_in_the_sidebar(labelled):
    win = labelled
    sidebar, browser = win.data_page.sidebar, _browser(win)
    sidebar.select_filter("class", "bees")
    assert browser.model.rowCount() == 5
    win.state.rename_class("bees", "apis")
    assert sidebar.current_filter == ("class", "apis")
    assert browser.model.rowCount() == 5 and browser.title.text() == "apis"


def test_bulk_relabel_of_thousands_is_one_undo_step(window, tmp_path, qtbot):
    project = Project.create(tmp_path / "big")
    project.add_class("a")
    project.add_class("b")
    project.add_images(ImageEntry(f"/nowhere/img_{i:05}.png", "a") for i in range(4000))
    project.save()
    assert window.state.open_project(project.folder)
    browser = _browser(window)
    browser.view.selectAll()
    window.data_page.label_with_key(2)
    state = window.state
    assert state.project.class_counts()["b"] == 4000 - state.project.count_broken()
    assert state.undo_stack.count() == 1
    state.undo_stack.undo()
    assert all(e.label == "a" for e in state.project.images)
    state.undo_stack.redo()
    assert all(e.label == "b" for e in state.project.images)
    state.save_now()
    assert Project.load(project.folder).images == state.project.images


def test_user_names_are_plain_text(labelled, dialogs):
    win = labelled
    state = win.state
    assert state.add_class("<b>bold</b> & <img src=x>") is None
    name = state.project.classes[-1]
    sidebar = win.data_page.sidebar
    index = sidebar.model.index(sidebar.model.class_row(name))
    assert index.data(Qt.ItemDataRole.DisplayRole) == name
    assert "<b>" not in (index.data(Qt.ItemDataRole.ToolTipRole) or "")
    sidebar.select_filter("class", name)
    browser = _browser(win)
    assert browser.title.textFormat() == Qt.TextFormat.PlainText and browser.title.text() == name
    label_action = win.main_actions.labels.actions()[3]
    assert "&&" in label_action.text()  # "&" is not turned into a mnemonic
    state.error.emit("Oops", "cannot read <b>x</b>.jpg")
    assert "&lt;b&gt;x&lt;/b&gt;.jpg" in dialogs.texts()[-1]


def test_sidebar_counts_and_bars(labelled, qtbot):
    model = labelled.data_page.sidebar.model
    assert [model.index(r).data(Qt.ItemDataRole.DisplayRole) for r in range(6)] == [
        "All images", "Unlabeled", "Can't read", "Excluded", "ants", "bees"]
    assert model.count("all") == 16 and model.count("unlabeled") == 6 and model.count("excluded") == 0
    labelled.data_page.browser.select_rows(9, 10)  # X excludes a labelled and an unlabelled image
    labelled.data_page.toggle_excluded()
    qtbot.waitUntil(lambda: model.count("excluded") == 2)  # counts are refreshed on a short timer
    assert model.count("unlabeled") == 5 and model.count("all") == 16
    ants = model.index(model.class_row("ants"))
    assert ants.data(ClassListModel.FractionRole) == 1.0 and ants.data(ClassListModel.ShortcutRole) == "1"
