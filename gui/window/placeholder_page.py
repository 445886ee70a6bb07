"""A clean placeholder for a stage that a later version fills (Train, Evaluate, Predict)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget

from gui.i18n import retranslate_on_change, translate
from gui.resources import icon
from gui.widgets.empty_state import centered_column, centered_label
from gui.window.stage_bar import stage_name

PLACEHOLDERS = {  # stage key → what will come there (translated on use)
    "train": QT_TRANSLATE_NOOP("PlaceholderPage",
                               "Here you will pick a pretrained model and a strategy, then train a "
                               "classifier on your labelled images while watching its accuracy improve."),
    "evaluate": QT_TRANSLATE_NOOP("PlaceholderPage",
                                  "Here you will see how well each trained model does on the validation "
                                  "images: accuracy per class, the confusion matrix and the images it got "
                                  "wrong."),
    "predict": QT_TRANSLATE_NOOP("PlaceholderPage",
                                 "Here you will drop new images on a trained model to classify them, and "
                                 "export the model as a file to use in other programs."),
}


class PlaceholderPage(QWidget):
    """An icon, the stage's name and one sentence about what will come here."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key = key
        picture = QLabel(self)
        picture.setPixmap(icon(key, "#9aa0b0").pixmap(64, 64))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._heading = centered_label("", self, "pageTitle")
        font = self._heading.font()
        font.setWeight(QFont.Weight.DemiBold)
        self._heading.setFont(font)
        self._body = centered_label("", self, "pageHint")
        self._soon = centered_label("", self)
        column = centered_column(self, 480)
        column.addWidget(picture)
        column.addSpacing(6)
        column.addWidget(self._heading)
        column.addWidget(self._body)
        column.addSpacing(4)
        column.addWidget(self._soon)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """The stage's name and sentence in the interface language."""
        self._heading.setText(stage_name(self._key))
        self._body.setText(translate("PlaceholderPage", PLACEHOLDERS[self._key]))
        self._soon.setText(translate("PlaceholderPage", "Coming in a later version."))
