"""A clickable confusion matrix: rows are the true classes, columns the predicted ones."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.i18n import retranslate_on_change, translate
from gui.theme import ACCENT, ERROR_COLOR
from gui.widgets.plain_text import set_tooltip

MARGIN = 8
MAX_LABEL_PX = 140
MAX_CELL_PX = 110


class ConfusionMatrixWidget(QWidget):
    """Paints counts with a colour per row share; clicking a cell emits ``cell_clicked(true, predicted)``."""

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._matrix = np.zeros((0, 0), dtype=np.int64)
        self._classes: list[str] = []
        self._selected: tuple[int, int] | None = None
        self._hover: tuple[int, int] | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(QSize(260, 260))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Repaint the captions and explain the hovered cell in the interface language."""
        self._explain(self._hover)
        self.update()

    def set_matrix(self, matrix: np.ndarray, classes: list[str]) -> None:
        """Show ``matrix[true, predicted]`` for ``classes``."""
        self._matrix = np.asarray(matrix, dtype=np.int64)
        self._classes = list(classes)
        self._selected = self._hover = None
        self.update()

    def selected(self) -> tuple[int, int] | None:
        """The clicked cell, if any."""
        return self._selected

    def select(self, true: int, predicted: int) -> None:
        """Select a cell as a click would (emits ``cell_clicked``)."""
        if 0 <= true < len(self._classes) and 0 <= predicted < len(self._classes):
            self._selected = (true, predicted)
            self.update()
            self.cell_clicked.emit(true, predicted)

    # ----------------------------------------------------------------- geometry
    def _label_width(self) -> int:
        metrics = QFontMetrics(self.font())
        widest = max((metrics.horizontalAdvance(c) for c in self._classes), default=0)
        return min(MAX_LABEL_PX, widest + 12)

    def _grid_rect(self) -> QRectF:
        label = self._label_width()
        line = QFontMetrics(self.font()).height()
        left, top = MARGIN + line + 4 + label, MARGIN + line + 4 + label
        side = max(10.0, min(self.width() - left - MARGIN, self.height() - top - MARGIN))
        side = min(side, MAX_CELL_PX * max(1, len(self._classes)))
        return QRectF(left, top, side, side)

    def cell_rect(self, true: int, predicted: int) -> QRectF:
        """The rectangle of one cell (for tests and tooltips)."""
        grid, k = self._grid_rect(), max(1, len(self._classes))
        size = grid.width() / k
        return QRectF(grid.left() + predicted * size, grid.top() + true * size, size, size)

    def _cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        grid, k = self._grid_rect(), len(self._classes)
        if not k or not grid.contains(pos):
            return None
        size = grid.width() / k
        return int((pos.y() - grid.top()) // size), int((pos.x() - grid.left()) // size)

    # ------------------------------------------------------------------- events
    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Select the clicked cell."""
        cell = self._cell_at(event.position())
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:
            self.select(*cell)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Highlight the cell under the mouse and explain it in the tooltip."""
        cell = self._cell_at(event.position())
        if cell != self._hover:
            self._hover = cell
            self._explain(cell)
            self.update()

    def _explain(self, cell: tuple[int, int] | None) -> None:
        """The tooltip of ``cell`` (none outside the grid)."""
        if cell is None:
            self.setToolTip("")
            return
        t, p = cell
        n = int(self._matrix[t, p])
        text = (translate("ConfusionMatrixWidget", "1 image of “{true}” predicted as “{predicted}”. "
                          "Click to see it.") if n == 1 else
                translate("ConfusionMatrixWidget", "{count} images of “{true}” predicted as “{predicted}”. "
                          "Click to see them."))
        set_tooltip(self, text.format(count=n, true=self._classes[t], predicted=self._classes[p]))

    def leaveEvent(self, _event: object) -> None:
        """Drop the hover highlight."""
        self._hover = None
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Draw captions, class names and the cells."""
        if not self._classes:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.Text)
        self._paint_labels(painter, text)
        totals = self._matrix.sum(axis=1, keepdims=True).clip(min=1)
        shares = self._matrix / totals
        k = len(self._classes)
        for t in range(k):
            for p in range(k):
                self._paint_cell(painter, t, p, float(shares[t, p]), text)
        painter.end()

    def _paint_labels(self, painter: QPainter, text: QColor) -> None:
        grid, k = self._grid_rect(), len(self._classes)
        size = grid.width() / k
        metrics = QFontMetrics(self.font())
        line, label = metrics.height(), self._label_width()
        muted = QColor(text)
        muted.setAlpha(160)
        painter.setPen(muted)
        painter.drawText(
            QRectF(grid.left(), MARGIN, grid.width(), line), Qt.AlignmentFlag.AlignCenter,
            translate("ConfusionMatrixWidget", "Predicted class"),
        )
        painter.save()
        painter.translate(MARGIN, grid.bottom())
        painter.rotate(-90)
        painter.drawText(QRectF(0, 0, grid.height(), line), Qt.AlignmentFlag.AlignCenter,
                         translate("ConfusionMatrixWidget", "True class"))
        painter.restore()
        painter.setPen(text)
        for i, name in enumerate(self._classes):
            shown = metrics.elidedText(name, Qt.TextElideMode.ElideRight, label - 8)
            row = QRectF(grid.left() - label, grid.top() + i * size, label - 6, size)
            painter.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown)
            painter.save()
            painter.translate(grid.left() + i * size, grid.top() - 6)
            painter.rotate(-90)
            painter.drawText(
                QRectF(0, 0, label - 6, size),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                shown,
            )
            painter.restore()

    def _paint_cell(self, painter: QPainter, t: int, p: int, share: float, text: QColor) -> None:
        rect = self.cell_rect(t, p).adjusted(1, 1, -1, -1)
        color = QColor(ACCENT if t == p else ERROR_COLOR)
        floor = 0.12 if t == p else 0.3  # a few mistakes must still stand out
        color.setAlphaF(floor + (0.9 - floor) * share if self._matrix[t, p] else 0.04)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(rect, 3, 3)
        if (t, p) == self._selected or (t, p) == self._hover:
            width = 3.0 if (t, p) == self._selected else 1.5
            painter.setPen(QPen(text, width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 3, 3)
        painter.setPen(QColor("white") if share > 0.55 else text)
        count = int(self._matrix[t, p])
        if rect.height() >= 14:
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{count:,}")
