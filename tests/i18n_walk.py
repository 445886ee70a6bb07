"""The pseudo-locale walk's helpers: what a person can read on a widget tree, which of it skipped
translation, and what is clipped (shared by tests/gui/test_translations.py and the per-area tests).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabBar,
    QWidget,
)

# Words a walk may show outside translation: data the test itself made up (none are Latin) and
# names that are the same in every language.
SAME_IN_EVERY_LANGUAGE = {"English", "ONNX", "Transfer Studio"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
PSEUDO_SEGMENT = re.compile(r"⟦[^⟦⟧]*⟧", re.S)  # an innermost one: a translated value may sit in another
PATH_LIKE = re.compile(r"\S*[/\\]\S*|\S+\.(?:png|jpe?g|onnx|json|csv|pt)\b", re.I)
# Identifiers (a network's registered name such as efficientnet_lite0 or resnet18, its layer groups):
# code names shown as they are in every language, never a word to translate.
IDENTIFIER = re.compile(r"\b[a-z]+\d*(?:_[a-z0-9]+)+\b|\b[a-z]+\d+\b")


def untranslated_words(text: str) -> list[str]:
    """Latin words of ``text`` outside pseudo-translated segments, paths and names kept as they are."""
    rest, found = text, 1
    while found:  # innermost segments first, so a segment inside a segment goes with it
        rest, found = PSEUDO_SEGMENT.subn(" ", rest)
    for name in SAME_IN_EVERY_LANGUAGE:
        rest = rest.replace(name, " ")
    rest = IDENTIFIER.sub(" ", PATH_LIKE.sub(" ", rest))
    return LATIN_WORD.findall(rest)


def plain(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """``text`` as a person reads it (rich text without its tags)."""
    auto = text_format == Qt.TextFormat.AutoText
    if text_format == Qt.TextFormat.RichText or (auto and GuiQt.mightBeRichText(text)):
        document = QTextDocument()
        document.setHtml(text)
        return document.toPlainText()
    return text


def model_texts(view: QAbstractItemView, where: str) -> Iterator[tuple[str, str]]:
    """(where, text) of a view's headers and first rows (display and tooltip)."""
    model = view.model()
    if model is None:
        return
    try:
        columns = model.columnCount(QModelIndex())
    except TypeError:  # a list model keeps columnCount private in PySide6: one column
        columns = 1
    for orientation in (Qt.Orientation.Horizontal,):
        for section in range(columns):
            value = model.headerData(section, orientation, Qt.ItemDataRole.DisplayRole)
            if isinstance(value, str) and value:
                yield f"{where} header {section}", value
    for row in range(min(model.rowCount(QModelIndex()), 30)):
        for column in range(columns):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(model.index(row, column), role)
                if isinstance(value, str) and value:
                    yield f"{where} item {row},{column} {role.name}", plain(value)


def menu_texts(menu: QMenu, where: str) -> Iterator[tuple[str, str]]:
    """(where, text) of a menu's title, actions and tooltips, submenus included."""
    yield f"{where} title", menu.title()
    for action in menu.actions():
        if action.menu():
            yield from menu_texts(action.menu(), f"{where} ▸ {action.text()}")
        elif action.text() and not action.isSeparator():
            yield f"{where} ▸ action", action.text()
            if action.toolTip() and action.toolTip() != action.text().replace("&", ""):
                yield f"{where} ▸ {action.text()} tooltip", action.toolTip()


def visible_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) of everything a person can read on ``root`` as it is shown now."""
    if root.windowTitle():
        yield f"{type(root).__name__} title", root.windowTitle()
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or widget.property("untranslatedContent"):
            continue
        where = f"{type(widget).__name__} {widget.objectName()!r}"
        if widget.toolTip():
            yield f"{where} tooltip", plain(widget.toolTip())
        if isinstance(widget, QLabel) and widget.text():
            yield f"{where} text", plain(widget.text(), widget.textFormat())
        elif isinstance(widget, QAbstractButton) and widget.text():
            yield f"{where} text", widget.text()
        elif isinstance(widget, QGroupBox) and widget.title():
            yield f"{where} title", widget.title()
        elif isinstance(widget, QLineEdit) and widget.placeholderText():
            yield f"{where} placeholder", widget.placeholderText()
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                yield f"{where} item {i}", widget.itemText(i)
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                yield f"{where} tab {i}", widget.tabText(i)
        elif isinstance(widget, QAbstractItemView):
            yield from model_texts(widget, where)


def clipped(root: QWidget) -> list[str]:
    """Visible labels and buttons narrower than their text needs (a fixed or maximum width)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or not isinstance(widget, QLabel | QAbstractButton):
            continue
        if isinstance(widget, QLabel) and (widget.wordWrap() or not widget.text()):
            continue
        if isinstance(widget, QAbstractButton) and not widget.text():
            continue
        needed = widget.minimumSizeHint().width()
        if widget.width() + 2 < needed:
            found.append(f"{type(widget).__name__} {widget.text()!r}: {widget.width()} px of {needed}")
    return found


def check(root: QWidget, problems: dict[str, list[str]], stage: str) -> None:
    """Collect untranslated and clipped text of ``root`` under ``stage``."""
    QApplication.processEvents()  # LanguageChange: widgets set their texts and post layout requests...
    QApplication.processEvents()  # ...which the next pass handles (Qt defers events posted during a pass)
    for where, text in visible_texts(root):
        words = untranslated_words(text)
        if words:
            problems.setdefault(stage, []).append(f"{where}: {text[:80]!r} ({', '.join(words[:4])})")
    found = clipped(root)
    for _ in range(20):  # a text set just now is laid out a few passes later: report what stays clipped
        if not found:
            break
        QApplication.processEvents()
        time.sleep(0.01)
        found = clipped(root)
    for item in found:
        problems.setdefault(stage, []).append(f"clipped {item}")
