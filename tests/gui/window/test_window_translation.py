"""The window chrome follows View ▸ Language: menus, toolbar, stage bar, welcome screen, status bar and
the undo texts switch to Chinese at runtime and back to English (issue 13, item 2)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidgetAction

from gui import i18n
from gui.i18n_catalog import compile_catalogue

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def chinese(tmp_path):
    """The catalogue compiled into a private folder; English again after the test."""
    folder = tmp_path / "qm"
    folder.mkdir()
    compile_catalogue("zh_CN", out=folder)
    yield folder
    i18n.install_language(i18n.ENGLISH, remember=False)
    QApplication.processEvents()


def switch(code: str, folder=i18n.I18N_DIR) -> None:
    assert i18n.install_language(code, folder=folder, remember=False)
    QApplication.processEvents()


def toolbar_tooltips(window) -> list[str]:
    toolbar = window.toolbar
    return [toolbar.widgetForAction(a).toolTip() for a in toolbar.actions()
            if not a.isSeparator() and not isinstance(a, QWidgetAction)]


def welcome_texts(window) -> list[str]:
    welcome = window.data_page.welcome
    texts = [w.text() for w in welcome.findChildren(QLabel) + welcome.findChildren(QPushButton) if w.text()]
    return [t for t in texts if t != "Transfer Studio"]


def language_actions(window) -> dict[str, tuple[str, bool]]:
    return {a.data(): (a.text(), a.isChecked()) for a in window.main_actions.languages.actions()}


def test_window_chrome_switches_to_chinese_and_back(qtbot, window, chinese, tmp_path):
    assert window.state.create_project(tmp_path / "project")
    window.state.add_class("ants")  # an undoable step named before the switch
    english = {
        "menus": [a.text() for a in window.menuBar().actions()],
        "tooltips": toolbar_tooltips(window),
        "stages": [b.text() for b in window.stage_bar.buttons.values()],
        "welcome": welcome_texts(window),
        "undo": window.main_actions.undo.text(),
    }
    assert english["menus"] == ["&File", "&Edit", "&Label", "&View", "&Help"]
    assert english["undo"] == "&Undo New class “ants”"
    assert "New Project (Ctrl+N)" in english["tooltips"]

    switch("zh_CN", chinese)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["文件(&F)", "编辑(&E)", "标注(&L)", "视图(&V)", "帮助(&H)"]
    tooltips = toolbar_tooltips(window)
    assert len(tooltips) == len(english["tooltips"]) and all(HAN.search(t) for t in tooltips), tooltips
    assert "新建项目（Ctrl+N）" in tooltips  # the shortcut stays in the tooltip
    for key, button in window.stage_bar.buttons.items():
        assert HAN.search(button.text()) and HAN.search(button.toolTip()), key
    assert window.stage_bar.buttons["train"].text() == "2  训练"
    welcome = welcome_texts(window)
    assert welcome and all(HAN.search(t) for t in welcome), welcome
    qtbot.waitUntil(lambda: window.status.save_label.text() == "所有更改已保存", timeout=10_000)
    # the command pushed in English is renamed, and a new one is named in Chinese
    assert window.main_actions.undo.text() == "撤销“新建类别“ants””(&U)"
    window.state.add_class("bees")
    assert window.main_actions.undo.text() == "撤销“新建类别“bees””(&U)"
    languages = language_actions(window)
    assert languages == {"en": ("English", False), "zh_CN": ("简体中文", True)}  # each in its own language
    label_1 = window.main_actions.labels.actions()[1]
    assert label_1.text() == "标注为“ants”"

    switch(i18n.ENGLISH)
    assert [a.text() for a in window.menuBar().actions()] == english["menus"]
    assert toolbar_tooltips(window)[:2] == english["tooltips"][:2]
    assert [b.text() for b in window.stage_bar.buttons.values()] == english["stages"]
    assert welcome_texts(window) == english["welcome"]
    assert window.main_actions.undo.text() == "&Undo New class “bees”"
    assert language_actions(window) == {"en": ("English", True), "zh_CN": ("简体中文", False)}
    assert label_1.text() == "Label as “ants”"


def test_the_recent_menu_and_the_placeholders_follow_the_language(qtbot, window, chinese):
    switch("zh_CN", chinese)
    window.fill_recent_menu()
    assert [a.text() for a in window.main_actions.recent_menu.actions()] == ["没有最近的项目"]
    assert window.main_actions.recent_menu.title() == "最近打开(&R)"
    page = window.stage_page("train")
    texts = [label.text() for label in page.findChildren(QLabel) if label.text()]
    assert "训练" in texts and all(HAN.search(t) for t in texts), texts
