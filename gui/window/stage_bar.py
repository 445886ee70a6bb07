"""The stages of the work as one clear sequence, Data › Train › Evaluate › Predict.

:class:`StageStack` holds one page per stage; a later version replaces a placeholder with
``StageStack.set_page("train", widget)`` (the main window forwards ``set_stage_page``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QStackedWidget, QToolButton, QWidget

from gui.resources import icon

STAGES = (("data", "Data"), ("train", "Train"), ("evaluate", "Evaluate"), ("predict", "Predict"))
STAGE_KEYS = tuple(key for key, _ in STAGES)


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
        for number, (key, title) in enumerate(STAGES, start=1):
            if number > 1:
                chevron = QLabel(self)
                chevron.setObjectName("stageChevron")
                chevron.setPixmap(icon("chevron-right", "#9aa0b0").pixmap(14, 14))
                layout.addWidget(chevron)
            button = QToolButton(self)
            button.setObjectName("stageButton")
            button.setText(f"{number}  {title}")
            button.setIcon(icon(key))
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setToolTip(f"{title} (Ctrl+{number})")
            button.setProperty("stage", key)
            self._group.addButton(button)
            self.buttons[key] = button
            layout.addWidget(button)
        self._group.buttonClicked.connect(self._on_clicked)
        self.buttons["data"].setChecked(True)

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
