"""The stages of the work as one clear sequence, Data › Train › Evaluate › Predict.

:class:`StageStack` holds one page per stage; a later version replaces a placeholder with
``StageStack.set_page("train", widget)`` (the main window forwards ``set_stage_page``).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal, Slot
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QStackedWidget, QToolButton, QWidget

from gui.i18n import retranslate_on_change, translate
from gui.resources import icon

# key → name (translated on use: ``stage_name(key)``)
STAGES = (
    ("data", QT_TRANSLATE_NOOP("StageBar", "Data")),
    ("train", QT_TRANSLATE_NOOP("StageBar", "Train")),
    ("evaluate", QT_TRANSLATE_NOOP("StageBar", "Evaluate")),
    ("predict", QT_TRANSLATE_NOOP("StageBar", "Predict")),
)
STAGE_KEYS = tuple(key for key, _ in STAGES)
_TOOLTIPS = {  # one string each, the shortcut in it: Ctrl+1 … Ctrl+4
    "data": QT_TRANSLATE_NOOP("StageBar", "Data ({shortcut})"),
    "train": QT_TRANSLATE_NOOP("StageBar", "Train ({shortcut})"),
    "evaluate": QT_TRANSLATE_NOOP("StageBar", "Evaluate ({shortcut})"),
    "predict": QT_TRANSLATE_NOOP("StageBar", "Predict ({shortcut})"),
}


def stage_name(key: str) -> str:
    """The name of stage ``key`` in the interface language."""
    return translate("StageBar", dict(STAGES)[key])


def stage_tooltip(key: str) -> str:
    """The tooltip template of stage ``key`` (``{shortcut}`` still to fill), in the interface language."""
    return translate("StageBar", _TOOLTIPS[key])


def stage_shortcut(key: str) -> str:
    """The shortcut that shows stage ``key``."""
    return f"Ctrl+{STAGE_KEYS.index(key) + 1}"


class StageBar(QWidget):
    """Four numbered, checkable steps with chevrons between them."""

    stage_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        for number, key in enumerate(STAGE_KEYS, start=1):
            if number > 1:
                chevron = QLabel(self)
                chevron.setObjectName("stageChevron")
                chevron.setPixmap(icon("chevron-right", "#9aa0b0").pixmap(14, 14))
                layout.addWidget(chevron)
            button = QToolButton(self)
            button.setObjectName("stageButton")
            button.setIcon(icon(key))
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setProperty("stage", key)
            self._group.addButton(button)
            self.buttons[key] = button
            layout.addWidget(button)
        self._group.buttonClicked.connect(self._on_clicked)
        self.buttons["data"].setChecked(True)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Number, name and shortcut of each stage in the interface language."""
        for number, key in enumerate(STAGE_KEYS, start=1):
            self.buttons[key].setText(f"{number}  {stage_name(key)}")
            self.buttons[key].setToolTip(stage_tooltip(key).replace("{shortcut}", stage_shortcut(key)))

    def set_current(self, key: str) -> None:
        """Check the button of stage ``key`` without emitting."""
        if key in self.buttons:
            self.buttons[key].setChecked(True)

    @Slot(QToolButton)
    def _on_clicked(self, button: QToolButton) -> None:
        self.stage_selected.emit(button.property("stage"))


class StageStack(QStackedWidget):
    """One page per stage; pages can be replaced at any time."""

    stage_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pages: dict[str, QWidget] = {}

    def set_page(self, key: str, widget: QWidget) -> None:
        """Install ``widget`` as the page of stage ``key`` (the old page is deleted)."""
        if key not in STAGE_KEYS:
            raise KeyError(f"unknown stage {key!r}; expected one of {STAGE_KEYS}")
        old = self._pages.get(key)
        was_current = old is not None and self.currentWidget() is old
        index = self.indexOf(old) if old is not None else self.count()
        self.insertWidget(index, widget)
        self._pages[key] = widget
        if old is not None:
            self.removeWidget(old)
            old.deleteLater()
        if was_current:
            self.setCurrentWidget(widget)

    def page(self, key: str) -> QWidget | None:
        """Return the page of stage ``key``."""
        return self._pages.get(key)

    def show_stage(self, key: str) -> None:
        """Show the page of stage ``key``."""
        page = self._pages.get(key)
        if page is not None and self.currentWidget() is not page:
            self.setCurrentWidget(page)
            self.stage_changed.emit(key)

    def current_stage(self) -> str:
        """Return the key of the page shown."""
        current = self.currentWidget()
        return next((k for k, w in self._pages.items() if w is current), "data")
