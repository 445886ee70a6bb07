"""The seeds' 2 × 2 grid (few/many images × like/unlike ImageNet) with the dataset's cell highlighted."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.i18n import retranslate_on_change, translate
from gui.theme import ACCENT

SIZES = ("small", "large")
SIMILARITIES = ("similar", "dissimilar")
CELL_TEXT = {  # (size, similarity) → (title, advice), translated where painted
    ("small", "similar"): (
        QT_TRANSLATE_NOOP("SeedGrid", "Few images, like ImageNet"),
        QT_TRANSLATE_NOOP(
            "SeedGrid", "Keep the pretrained network frozen and train a new last layer on its features."
        ),
    ),
    ("large", "similar"): (
        QT_TRANSLATE_NOOP("SeedGrid", "Many images, like ImageNet"),
        QT_TRANSLATE_NOOP(
            "SeedGrid",
            "Fine-tune every layer from the pretrained weights; there are enough images to adapt them all.",
        ),
    ),
    ("small", "dissimilar"): (
        QT_TRANSLATE_NOOP("SeedGrid", "Few images, unlike ImageNet"),
        QT_TRANSLATE_NOOP(
            "SeedGrid",
            "Freeze the first layers and fine-tune the upper ones gently, at a lower learning rate.",
        ),
    ),
    ("large", "dissimilar"): (
        QT_TRANSLATE_NOOP("SeedGrid", "Many images, unlike ImageNet"),
        QT_TRANSLATE_NOOP(
            "SeedGrid", "Fine-tune every layer; with very many, very different images, train from scratch."
        ),
    ),
}
SIZE_CAPTIONS = (QT_TRANSLATE_NOOP("SeedGrid", "Few images per class"),
                 QT_TRANSLATE_NOOP("SeedGrid", "Many images per class"))
SIMILARITY_CAPTIONS = (QT_TRANSLATE_NOOP("SeedGrid", "Like ImageNet"),
                       QT_TRANSLATE_NOOP("SeedGrid", "Unlike ImageNet"))


def cell_texts(cell: tuple[str, str]) -> tuple[str, str]:
    """A cell's title and advice in the interface language."""
    title, body = CELL_TEXT[cell]
    return translate("SeedGrid", title), translate("SeedGrid", body)


def parse_cell(value: object) -> tuple[str, str] | None:
    """Accept ``("small", "similar")``, ``"small/similar"``, ``"small-similar"`` or a dict with both keys."""
    if isinstance(value, dict):
        value = (value.get("size"), value.get("similarity"))
    if isinstance(value, str):
        words = value.replace("/", " ").replace("-", " ").replace("_", " ").replace(",", " ").lower().split()
        value = tuple(words)
    if not isinstance(value, tuple | list):
        return None
    words = [str(v).lower() for v in value]
    size = next((w for w in words if w in SIZES), None)
    similarity = next((w for w in words if w in SIMILARITIES), None)
    return (size, similarity) if size and similarity else None


class SeedGrid(QWidget):
    """Paints the four cells; the current one is filled with the accent colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cell: tuple[str, str] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(QSize(420, 210))
        retranslate_on_change(self, self.update)  # the texts are painted: repaint in the new language

    def cell(self) -> tuple[str, str] | None:
        """The highlighted cell, ``(size, similarity)``."""
        return self._cell

    def set_cell(self, cell: object) -> None:
        """Highlight ``cell`` (see :func:`parse_cell`); None clears it."""
        self._cell = parse_cell(cell) if cell is not None else None
        self.update()

    def sizeHint(self) -> QSize:
        """Wide enough for two readable sentences per cell."""
        return QSize(560, 230)

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Draw axes captions and the four cells."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        muted = QColor(text)
        muted.setAlpha(150)
        left, top = 28.0, 22.0
        w = (self.width() - left - 4) / 2
        h = (self.height() - top - 4) / 2
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.9))
        painter.setFont(small)
        painter.setPen(muted)
        for i, caption in enumerate(SIZE_CAPTIONS):
            painter.drawText(QRectF(left + i * w, 0, w, top), Qt.AlignmentFlag.AlignCenter,
                             translate("SeedGrid", caption))
        for j, caption in enumerate(SIMILARITY_CAPTIONS):
            painter.save()
            painter.translate(0, top + (j + 1) * h)
            painter.rotate(-90)
            painter.drawText(QRectF(0, 0, h, left), Qt.AlignmentFlag.AlignCenter,
                             translate("SeedGrid", caption))
            painter.restore()
        for i, size in enumerate(SIZES):
            for j, similarity in enumerate(SIMILARITIES):
                rect = QRectF(left + i * w + 3, top + j * h + 3, w - 6, h - 6)
                self._paint_cell(painter, rect, (size, similarity), text)
        painter.end()

    def _paint_cell(self, painter: QPainter, rect: QRectF, key: tuple[str, str], text: QColor) -> None:
        current = key == self._cell
        accent = QColor(ACCENT)
        fill = QColor(accent)
        fill.setAlpha(48 if current else 0)
        border = accent if current else QColor(text.red(), text.green(), text.blue(), 60)
        painter.setPen(QPen(border, 2.5 if current else 1.0))
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 8, 8)
        title, body = cell_texts(key)
        inner = rect.adjusted(10, 8, -10, -8)
        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(accent if current else text)
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, title)
        if current:
            painter.drawText(inner, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                             translate("SeedGrid", "● your data"))
        painter.setFont(self.font())
        body_color = QColor(text)
        body_color.setAlpha(255 if current else 170)
        painter.setPen(body_color)
        line = painter.fontMetrics().height() * 1.5
        painter.drawText(
            inner.adjusted(0, line, 0, 0),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap),
            body,
        )
