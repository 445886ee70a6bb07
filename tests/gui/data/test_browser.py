"""Dataset browser: thumbnails off the GUI thread and cached, filters, search, sort, broken files, viewer."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

import gui.data.thumbnails
from gui.data.image_list_model import ImageListModel
from gui.data.image_viewer import ImageViewerDialog


@pytest.fixture
def browsing(window, images, until, tmp_path):
    data = images(tmp_path / "data", {"ants": 3, "bees": 2})
    (data / "bees" / "zz_broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    Image.new("RGB", (40, 20), "red").save(data / "ants" / "<b>bold.png")
    window.open_path(str(data))
    until.project(window)
    return window


def _names(model):
    return [model.index(r).data(Qt.ItemDataRole.DisplayRole) for r in range(model.rowCount())]


def test_thumbnails_decode_off_the_gui_thread_and_are_cached(window, images, until, tmp_path, qtbot,
                                                              monkeypatch):
    calls = []
    real = gui.data.thumbnails.load_rgb

    def spy(path):
        calls.append(threading.current_thread() is threading.main_thread())
        return real(path)

    monkeypatch.setattr(gui.data.thumbnails, "load_rgb", spy)
    data = images(tmp_path / "data", {"a": 4, "b": 4})
    window.open_path(str(data))
    until.project(window)
    cache = window.state.thumbnails
    model = window.data_page.browser.model
    qtbot.waitUntil(lambda: all(isinstance(model.index(r).data(Qt.ItemDataRole.DecorationRole), QPixmap)
                                for r in range(model.rowCount())), timeout=30_000)
    assert calls and not any(calls)  # decoded, and never on the GUI thread
    files = list(gui.data.thumbnails.thumbnail_dir().rglob("*.jpg"))
    assert len(files) == 8
    cache.forget(str(data / "a" / "a_0.png"))
    calls.clear()
    qtbot.waitUntil(lambda: isinstance(model.index(0).data(Qt.ItemDataRole.DecorationRole), QPixmap))
    assert calls == []  # served from the disk cache


def test_broken_file_shows_the_loader_reason_and_paints(browsing, qtbot):
    win = browsing
    win.data_page.sidebar.select_filter("broken")
    model = win.data_page.browser.model
    assert model.rowCount() == 1
    reason = model.index(0).data(ImageListModel.BrokenRole)
    assert reason.startswith(("cannot open image", "not an image", "truncated"))
    assert reason in model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert not win.grab().isNull()  # painting a broken tile never raises


def test_file_found_broken_by_the_thumbnail_loader_is_marked(window, tmp_path, qtbot):
    from engine.project.schema import ImageEntry

    assert window.state.create_project(tmp_path / "p")
    window.state.project.add_images([ImageEntry(str(tmp_path / "gone.png"))])
    window.state.notify_images()
    qtbot.waitUntil(lambda: window.state.project.count_broken() == 1, timeout=30_000)
    assert "not found" in window.state.project.images[0].broken


def test_filters_search_and_sort(browsing, qtbot):
    win = browsing
    browser, sidebar = win.data_page.browser, win.data_page.sidebar
    sidebar.select_filter("class", "bees")
    assert _names(browser.model) == ["bees_0.png", "bees_1.png", "zz_broken.jpg"]
    sidebar.select_filter("all")
    browser.search.setText("BEES_1")
    qtbot.waitUntil(lambda: browser.model.rowCount() == 1)
    assert "matching" in browser.count_label.text()
    browser.search.clear()
    qtbot.waitUntil(lambda: browser.model.rowCount() == 7)
    browser.set_sort_key("name")
    assert _names(browser.model)[0] == "<b>bold.png"
    browser.set_sort_key("class")
    labels = [browser.model.index(r).data(ImageListModel.LabelRole) for r in range(7)]
    assert labels == sorted(labels, key=["ants", "bees"].index)


def test_rich_text_file_name_is_shown_literally(browsing):
    model = browsing.data_page.browser.model
    row = _names(model).index("<b>bold.png")
    tip = model.index(row).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bold.png" in tip and "<b>bold.png" not in tip


def test_viewer_loads_zooms_navigates_and_labels(browsing, qtbot):
    win = browsing
    browser = win.data_page.browser
    browser.select_rows(0)
    browser.view.setFocus()
    qtbot.keyClick(browser.view, Qt.Key.Key_Return)
    viewers = [w for w in win.findChildren(ImageViewerDialog)]
    assert len(viewers) == 1
    viewer = viewers[0]
    qtbot.waitUntil(lambda: viewer.stack.currentWidget() is viewer.view, timeout=30_000)
    assert viewer.fields["Pixels"].text() == "40 × 20"  # the first file: "<b>bold.png"
    assert viewer.windowTitle() == "<b>bold.png"
    assert viewer.fields["Class"].text() == "ants"
    viewer.view.actual_size()
    viewer.zoom_in()
    assert viewer.view.zoom == pytest.approx(1.25)
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    assert viewer.windowTitle() == "ants_0.png"
    qtbot.keyClick(viewer, Qt.Key.Key_2)  # label as bees, move on
    assert win.current_project().images[1].label == "bees"
    assert viewer.windowTitle() == "ants_1.png"
    viewer.close()


def test_viewer_shows_reason_for_broken_file(browsing, qtbot):
    win = browsing
    win.data_page.sidebar.select_filter("broken")
    viewer = win.data_page.open_viewer(0)
    qtbot.waitUntil(lambda: "cannot be read" in viewer.message.text())
    assert viewer.fields["Status"].text().startswith("Cannot be read")
    viewer.close()


def test_thumbnail_size_and_uniform_layout(browsing):
    browser = browsing.data_page.browser
    browser.set_thumb_size(1000)
    assert browser.thumb_size() == 240
    assert browser.view.uniformItemSizes()
    browsing.bigger_thumbnails()
    browsing.smaller_thumbnails()
    assert browser.thumb_size() == 216


def test_recheck_clears_files_fixed_on_disk(window, tmp_path, qtbot, until):
    from engine.project.schema import ImageEntry

    assert window.state.create_project(tmp_path / "p")
    missing = tmp_path / "later.png"
    window.state.project.add_images([ImageEntry(str(missing))])
    window.state.notify_images()
    qtbot.waitUntil(lambda: window.state.project.count_broken() == 1, timeout=30_000)
    Image.new("RGB", (16, 16), "blue").save(missing)
    window.state.recheck_broken()
    until.idle(window)
    assert window.state.project.count_broken() == 0
    assert "1 of 1 files" in window.status.currentMessage()
