"""A clean placeholder for a stage that a later version fills (Train, Evaluate, Predict)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget

from gui.resources import icon
from gui.widgets.empty_state import centered_column, centered_label

PLACEHOLDERS = {
    "train": ("Train", "train",
              "Here you will pick a pretrained model and a strategy, then train a classifier on "
              "your labelled images while watching its accuracy improve."),
    "evaluate": ("Evaluate", "evaluate",
                 "Here you will see how well each trained model does on the validation "
                 "images: accuracy per class, the confusion matrix and the images it got wrong."),
    "predict": ("Predict", "predict",
                "Here you will drop new images on a trained model to classify them, and "
                "export the model as a file to use in other programs."),
}


class PlaceholderPage(QWidget):
    """An icon, the stage's name and one sentence about what will come here."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title, icon_name, text = PLACEHOLDERS[key]
        picture = QLabel(self)
        picture.setPixmap(icon(icon_name, "#9aa0b0").pixmap(64, 64))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = centered_label(title, self, "pageTitle")
        font = heading.font()
        font.setWeight(QFont.Weight.DemiBold)
        heading.setFont(font)
        body = centered_label(text, self, "pageHint")
        soon = centered_label("Coming in a later version.", self)
        column = centered_column(self, 480)
        column.addWidget(picture)
        column.addSpacing(6)
        column.addWidget(heading)
        column.addWidget(body)
        column.addSpacing(4)
        column.addWidget(soon)
