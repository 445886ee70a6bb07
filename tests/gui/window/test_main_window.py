"""Main window: stages, placeholders, menus and shortcuts, settings, theme, recent projects."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel

from gui.window.main_window import MainWindow
from gui.window.stage_bar import STAGE_KEYS


def test_stages_in_order_with_placeholders(window):
    assert list(window.stage_bar.buttons) == list(STAGE_KEYS) == ["data", "train", "evaluate", "predict"]
    assert window.current_stage() == "data"
    window.show_stage("train")
    page = window.stage_page("train")
    texts = " ".join(label.text() for label in page.findChildren(QLabel))
    assert "pretrained model" in texts
    assert window.stage_bar.buttons["train"].isChecked()


def test_set_stage_page_replaces_a_placeholder(window, qtbot):
    from PySide6.QtWidgets import QWidget

    custom = QWidget()
    with qtbot.waitSignal(window.stage_changed, timeout=1000) as blocker:
        window.show_stage("evaluate")
    assert blocker.args == ["evaluate"]
    window.set_stage_page("evaluate", custom)
    assert window.stage_page("evaluate") is custom
    assert window.stages.currentWidget() is custom  # the stage shown stays shown
    with pytest.raises(KeyError):
        window.set_stage_page("deploy", QWidget())


def test_stage_shortcuts(window, qtbot):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_stage() == "evaluate"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_stage() == "data"


def test_menus_show_shortcuts(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&Label", "&View", "&Help"]
    a = window.main_actions
    assert a.new_project.shortcut().toString() == "Ctrl+N"
    assert a.undo.shortcut().toString() == "Ctrl+Z"
    assert [x.shortcut().toString() for x in a.labels.actions()] == [str(i) for i in range(10)]
    assert not a.export.isEnabled()  # no project yet


def test_window_state_is_remembered(qtbot, tmp_path):
    first = MainWindow()
    qtbot.addWidget(first)
    first.resize(641, 481)
    first.show()
    first.data_page.browser.set_thumb_size(180)
    first.close()
    assert QSettings().value("window/geometry") is not None
    second = MainWindow()
    qtbot.addWidget(second)
    assert second.size().height() == 481
    assert second.data_page.browser.thumb_size() == 180
    second.close()


def test_theme_switch_and_persistence(window):
    dark = next(a for a in window.main_actions.themes.actions() if a.data() == "dark")
    dark.trigger()
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
    assert QSettings().value("theme") == "dark"
    light = next(a for a in window.main_actions.themes.actions() if a.data() == "light")
    light.trigger()
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 128


def test_recent_projects(window, tmp_path, until):
    for name in ("one", "two"):
        assert window.state.create_project(tmp_path / name)
    assert window.state.recent_projects() == [str(tmp_path / "two"), str(tmp_path / "one")]
    window.fill_recent_menu()
    assert [a.data() for a in window.main_actions.recent_menu.actions()][:2] == [
        str(tmp_path / "two"), str(tmp_path / "one")]
    window.state.close_project()
    window.data_page.welcome.refresh()
    assert window.data_page.welcome.recent.count() == 2
    window.open_recent_action(window.main_actions.recent_menu.actions()[1])
    assert window.current_project().folder == tmp_path / "one"
    assert window.windowTitle().startswith("one")


def test_icons_render_at_high_dpi():
    from PySide6.QtCore import QSize

    from gui.resources import app_icon, icon

    pixmap = icon("data").pixmap(QSize(24, 24), 2.0)
    assert pixmap.width() == 48 and pixmap.devicePixelRatio() == 2.0
    assert not app_icon().isNull()


def test_app_main_opens_a_dataset_given_on_the_command_line(qtbot, images, tmp_path, monkeypatch):
    import logging
    import sys

    from PySide6.QtWidgets import QApplication

    import gui.app

    data = images(tmp_path / "data", {"a": 2, "b": 2})
    seen = {}

    def fake_exec():
        win = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        qtbot.waitUntil(lambda: win.current_project() is not None and not win.state.busy, timeout=30_000)
        seen["classes"] = win.current_project().classes
        seen["pages"] = {key: type(win.stage_page(key)).__name__ for key in ("train", "evaluate", "predict")}
        win.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    handlers = list(logging.getLogger().handlers)
    try:
        assert gui.app.main([str(data)]) == 0
    finally:
        for handler in logging.getLogger().handlers:
            if handler not in handlers:
                logging.getLogger().removeHandler(handler)
                handler.close()
    assert seen["classes"] == ["a", "b"]
    assert seen["pages"] == {"train": "TrainPage", "evaluate": "EvaluationPage", "predict": "PredictPage"}
