"""The friendly placeholder shown where the grid would be when there is nothing to show."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui.i18n import retranslate_on_change, translate
from gui.resources import icon
from gui.widgets.drops import accept_file_drops

_TEXTS = {  # mode → title, sentence (translated on use)
    "empty": (QT_TRANSLATE_NOOP("EmptyState", "Drop images or folders here"),
              QT_TRANSLATE_NOOP("EmptyState", "Or use the buttons below. A folder with one sub-folder per "
                                "class is imported already labelled; your files stay where they are.")),
    "no_match": (QT_TRANSLATE_NOOP("EmptyState", "No images here"),
                 QT_TRANSLATE_NOOP("EmptyState", "Nothing matches this filter or search. Pick another class "
                                   "on the left, or clear the search.")),
}


def centered_column(widget: QWidget, width: int) -> QVBoxLayout:
    """Give ``widget`` a layout with a fixed-width column in its middle; return the column's layout.

    Word-wrapped labels only get their full height in a column of known width (a label added
    with an alignment flag is given its one-line size hint and is clipped).
    """
    column = QWidget(widget)
    column.setFixedWidth(width)
    inner = QVBoxLayout(column)
    inner.setContentsMargins(0, 0, 0, 0)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(column)
    row.addStretch(1)
    outer = QVBoxLayout(widget)
    outer.addStretch(2)
    outer.addLayout(row)
    outer.addStretch(3)
    return inner


def centered_label(text: str, parent: QWidget, name: str = "mutedLabel") -> QLabel:
    """Return a centred, word-wrapped, plain-text label styled by object ``name``."""
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class EmptyState(QWidget):
    """Big icon, a sentence and import buttons; takes file drops too."""

    import_files = Signal()
    import_folder = Signal()
    files_dropped = Signal(object)  # list[str]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        accept_file_drops(self, self.files_dropped.emit)
        self._icon = QLabel(self)
        self._icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._title = centered_label("", self, "")
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setWeight(QFont.Weight.DemiBold)
        self._title.setFont(font)
        self._text = centered_label("", self)
        self.files_button = QPushButton(icon("import", "white"), "", self)
        self.files_button.setObjectName("primaryButton")
        self.folder_button = QPushButton(icon("import-folder"), "", self)
        self.files_button.clicked.connect(self.import_files)
        self.folder_button.clicked.connect(self.import_folder)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.files_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        column = centered_column(self, 480)
        column.addWidget(self._icon)
        column.addSpacing(8)
        column.addWidget(self._title)
        column.addWidget(self._text)
        column.addSpacing(14)
        column.addLayout(buttons)
        self._mode = "empty"
        self.set_mode("empty")
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """The texts of the mode shown, in the interface language."""
        title, text = _TEXTS[self._mode]
        self._title.setText(translate("EmptyState", title))
        self._text.setText(translate("EmptyState", text))
        self.files_button.setText("  " + translate("EmptyState", "Import Images…"))
        self.folder_button.setText("  " + translate("EmptyState", "Import Folder…"))

    def set_mode(self, mode: str) -> None:
        """``empty`` (no images in the project) or ``no_match`` (filter or search shows none)."""
        self._mode = mode if mode in _TEXTS else "empty"
        self._icon.setPixmap(icon("import" if mode == "empty" else "search", "#9aa0b0").pixmap(56, 56))
        self.retranslate_ui()
        self.files_button.setVisible(mode == "empty")
        self.folder_button.setVisible(mode == "empty")

