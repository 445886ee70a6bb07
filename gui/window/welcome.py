"""The start screen shown when no project is open: new, open, and recent projects."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from gui.i18n import retranslate_on_change, translate
from gui.resources import app_icon, icon
from gui.state.app_state import AppState
from gui.widgets.empty_state import centered_column, centered_label
from gui.widgets.plain_text import set_tooltip


class WelcomeWidget(QWidget):
    """Big friendly choices; a folder dropped here is opened (or imported as a dataset)."""

    new_requested = Signal()
    open_requested = Signal()
    recent_requested = Signal(str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        logo = QLabel(self)
        logo.setPixmap(app_icon().pixmap(88, 88))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = centered_label("Transfer Studio", self, "pageTitle")
        font = title.font()
        font.setWeight(QFont.Weight.DemiBold)
        title.setFont(font)
        self._subtitle = centered_label("", self, "pageHint")
        self.new_button = QPushButton(icon("new", "white"), "", self)
        self.new_button.setObjectName("primaryButton")
        self.new_button.clicked.connect(self.new_requested)
        self.open_button = QPushButton(icon("open"), "", self)
        self.open_button.clicked.connect(self.open_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        self._hint = centered_label("", self)
        self.recent_title = centered_label("", self, "sectionTitle")
        self.recent = QListWidget(self)
        self.recent.setObjectName("recentList")
        self.recent.setProperty("untranslatedContent", True)  # project folders: the user's names
        self.recent.itemActivated.connect(self._on_recent)
        self.recent.itemClicked.connect(self._on_recent)
        column = centered_column(self, 560)
        for widget in (logo, title, self._subtitle):
            column.addWidget(widget)
        column.addSpacing(18)
        column.addLayout(buttons)
        column.addSpacing(10)
        column.addWidget(self._hint)
        column.addSpacing(24)
        column.addWidget(self.recent_title)
        column.addWidget(self.recent)
        state.recent_changed.connect(self.refresh)
        self.refresh()
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """The welcome texts in the interface language."""
        subtitle = translate("WelcomeWidget", "Teach the computer to recognise your own pictures: label a "
                             "folder of images, train, check the results, use the model.")
        self._subtitle.setText(subtitle)
        self.new_button.setText("  " + translate("WelcomeWidget", "New Project…"))
        self.open_button.setText("  " + translate("WelcomeWidget", "Open Project or Dataset Folder…"))
        self._hint.setText(translate("WelcomeWidget", "Tip: drop a folder that has one sub-folder per class "
                                     "anywhere on this window to start with every image already labelled."))
        self.recent_title.setText(translate("WelcomeWidget", "RECENT PROJECTS"))

    @Slot()
    def refresh(self) -> None:
        """Reload the recent projects list."""
        self.recent.clear()
        for folder in self._state.recent_projects():
            item = QListWidgetItem(icon("folder"), f"{os.path.basename(folder) or folder}   —   {folder}")
            item.setData(Qt.ItemDataRole.UserRole, folder)
            set_tooltip(item, folder)
            self.recent.addItem(item)
        has_recent = self.recent.count() > 0
        self.recent.setVisible(has_recent)
        self.recent_title.setVisible(has_recent)
        self.recent.setFixedHeight(min(184, 8 + 30 * self.recent.count()))

    @Slot(QListWidgetItem)
    def _on_recent(self, item: QListWidgetItem) -> None:
        self.recent_requested.emit(item.data(Qt.ItemDataRole.UserRole))
