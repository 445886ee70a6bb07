"""A prediction card: the image beside its top-k classes as horizontal bars (names as plain text)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui.theme import ACCENT, ERROR_COLOR
from gui.workers.prediction_workers import PredictionRow

THUMB_PX = 170
BAR_H = 22


class TopKBars(QWidget):
    """Paints one bar per class: name, bar length = probability, percentage."""

    def __init__(self, top: list[tuple[str, float]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.top = list(top)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(max(1, len(self.top)) * (BAR_H + 6))

    def sizeHint(self) -> QSize:
        """Room for every bar."""
        return QSize(320, max(1, len(self.top)) * (BAR_H + 6))

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Draw the bars."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.Text)
        metrics = QFontMetrics(self.font())
        name_w = min(160, max((metrics.horizontalAdvance(n) for n, _ in self.top), default=40) + 10)
        pct_w = metrics.horizontalAdvance("100.0 %") + 8
        bar_w = max(20.0, self.width() - name_w - pct_w)
        for i, (name, prob) in enumerate(self.top):
            y = i * (BAR_H + 6)
            painter.setPen(text)
            shown = metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_w - 8)
            painter.drawText(
                QRectF(0, y, name_w - 8, BAR_H),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                shown,
            )
            back = QColor(text)
            back.setAlpha(25)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(back)
            painter.drawRoundedRect(QRectF(name_w, y + 3, bar_w, BAR_H - 6), 4, 4)
            color = QColor(ACCENT)
            color.setAlpha(255 if i == 0 else 130)
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(name_w, y + 3, max(2.0, bar_w * prob), BAR_H - 6), 4, 4)
            painter.setPen(text)
            painter.drawText(
                QRectF(name_w + bar_w + 4, y, pct_w, BAR_H),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{prob:.1%}",
            )
        painter.end()


class PredictionCard(QFrame):
    """Thumbnail on the left; file name, top-k bars (or the error) on the right."""

    def __init__(self, row: PredictionRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.image = QLabel(self)
        self.image.setFixedSize(THUMB_PX, THUMB_PX)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        name = QLabel(row.path.replace("\\", "/").rsplit("/", 1)[-1], self)
        name.setTextFormat(Qt.TextFormat.PlainText)
        name.setToolTip(row.path)
        name.setObjectName("mutedLabel")
        answer = QLabel(
            f"{row.best[0]}  ·  {row.best[1]:.0%}" if not row.error else "Could not be read", self
        )
        answer.setTextFormat(Qt.TextFormat.PlainText)
        font = answer.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        answer.setFont(font)
        right = QVBoxLayout()
        right.addWidget(answer)
        right.addWidget(name)
        if row.error:
            error = QLabel(row.error, self)
            error.setTextFormat(Qt.TextFormat.PlainText)
            error.setWordWrap(True)
            error.setStyleSheet(f"color: {ERROR_COLOR};")
            right.addWidget(error)
        else:
            self.bars = TopKBars(row.top, self)
            right.addWidget(self.bars)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.image, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(right, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def set_pixmap(self, pixmap: QPixmap) -> None:
        """Show the thumbnail, scaled to fit."""
        self.image.setPixmap(
            pixmap.scaled(
                THUMB_PX,
                THUMB_PX,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
