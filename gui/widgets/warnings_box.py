"""The "before you train" box under the classes: imbalance, too few images, unlabeled, unreadable.

The messages come from :meth:`engine.project.store.Project.warnings` with the numbers in them, and
are shown as plain text (they quote class names). With nothing to fix it says the data is
ready, with the size of the training and validation splits.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.data.data_warnings import warning_texts
from gui.i18n import retranslate_on_change, translate
from gui.state.app_state import AppState
from gui.theme import WARNING_COLOR
from gui.widgets.icon_label import IconLabel

MAX_SHOWN = 5
READY_COLOR = "#1fbf8f"


class WarningsBox(QFrame):
    """Lists the project's warnings; hidden when there are none."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("warningsBox")
        self._state = state
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 10, 12, 12)
        self._layout.setSpacing(6)
        self.title = QLabel(self)
        self.title.setObjectName("sectionTitle")
        self._layout.addWidget(self.title)
        self._rows: list[QWidget] = []
        self.messages: list[str] = []
        self._timer = QTimer(self, singleShot=True, interval=120)
        self._timer.timeout.connect(self.refresh)
        state.project_changed.connect(self._schedule)
        state.images_changed.connect(self._schedule)
        state.labels_changed.connect(self._schedule)
        state.classes_changed.connect(self._schedule)
        self.hide()
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """The title and the warnings in the interface language."""
        self.refresh()

    @Slot()
    def _schedule(self) -> None:
        self._timer.start()

    @Slot()
    def refresh(self) -> None:
        """Recompute the warnings now."""
        project = self._state.project
        warnings = project.warnings() if project is not None and project.images else []
        self.messages = warning_texts(project, warnings) if warnings else []  # translated by kind
        for row in self._rows:
            row.deleteLater()
        self._rows = []
        shown = self.messages[:MAX_SHOWN]
        if len(self.messages) > MAX_SHOWN:
            more = len(self.messages) - MAX_SHOWN
            shown.append(translate("WarningsBox", "…and {count} more.").format(count=more))
        for text in shown:
            self._rows.append(self._row(text))
            self._layout.addWidget(self._rows[-1])
        if project is not None and project.images and not shown:
            splits = project.split_counts().values()
            train, val = sum(s["train"] for s in splits), sum(s["val"] for s in splits)
            text = translate("WarningsBox", "Ready to train: {train} training and {val} validation images in "
                             "{classes} classes.").format(train=f"{train:,}", val=f"{val:,}",
                                                          classes=len(project.classes))
            self._rows.append(self._row(text, "check", READY_COLOR))
            self._layout.addWidget(self._rows[-1])
        self.title.setText(translate("WarningsBox", "BEFORE YOU TRAIN") if shown
                           else translate("WarningsBox", "SUMMARY"))
        self.setVisible(bool(self._rows))

    def _row(self, text: str, icon_name: str = "warning", color: str = WARNING_COLOR) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        mark = IconLabel(icon_name, 14, row, color)
        mark.setAlignment(Qt.AlignmentFlag.AlignTop)
        mark.setContentsMargins(0, 2, 0, 0)
        label = QLabel(text, row)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setObjectName("mutedLabel")
        layout.addWidget(mark)
        layout.addWidget(label, 1)
        return row
