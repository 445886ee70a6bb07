"""A prediction card: the image beside its top-k classes as horizontal bars (names as plain text).

An image the model calls "none of my classes" gets a different card: an orange frame and a
question-mark badge, the verdict "Unknown: none of my classes" with its score, and the nearest
classes as muted bars, so it cannot be mistaken for a class at a glance. The card's words follow
the interface language; class names, file names and the engine's read errors are shown as they are.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine.inference.results import PathResult
from gui.i18n import retranslate_on_change, translate
from gui.theme import ACCENT, ERROR_COLOR, WARNING_COLOR
from gui.widgets.plain_text import plain_label, set_tooltip
from gui.workers.prediction_workers import best

THUMB_PX = 170
BAR_H = 22
UNKNOWN_COLOR = WARNING_COLOR
UNKNOWN_VERDICT = QT_TRANSLATE_NOOP("PredictionCard", "Unknown: none of my classes")


def unknown_badge(size: int, color: str = UNKNOWN_COLOR) -> QPixmap:
    """A filled circle with a white question mark: the mark of a "none of my classes" answer."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(6, int(size * 0.7)))
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "?")
    painter.end()
    return pixmap


def unknown_verdict() -> str:
    """The answer for an image that is none of the model's classes, in the interface language."""
    return translate("PredictionCard", UNKNOWN_VERDICT)


def score_text(result: PathResult, threshold: float | None) -> str:
    """``unknown score 1.42 (threshold 1.00)``; empty for a model without rejection."""
    if result.unknown_score is None:
        return ""
    score = format_score(result.unknown_score)
    if threshold is None:
        return translate("PredictionCard", "unknown score {score} (rejection off)").format(score=score)
    return translate("PredictionCard", "unknown score {score} (threshold {threshold})").format(
        score=score, threshold=f"{threshold:.2f}")


def format_score(score: float) -> str:
    """An unknown score for people: two decimals near the threshold, whole numbers far above it."""
    return f"{score:.2f}" if score < 10 else f"{score:,.0f}"


class TopKBars(QWidget):
    """Paints one bar per class: name, bar length = probability, percentage (bars in ``color``)."""

    def __init__(
        self, top: list[tuple[str, float]], parent: QWidget | None = None, color: str = ACCENT
    ) -> None:
        super().__init__(parent)
        self.top = list(top)
        self.color = color
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
            color = QColor(self.color)
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
    """Thumbnail on the left; the verdict, file name and top-k bars (or the error) on the right.

    Args:
        row: The engine's result for one image.
        threshold: The "none of my classes" threshold the verdict was taken at (shown with the score).
    """

    def __init__(
        self, row: PathResult, parent: QWidget | None = None, threshold: float | None = None
    ) -> None:
        super().__init__(parent)
        self.row = row
        self.threshold = threshold
        self.score: QLabel | None = None  # the unknown score, for a model with rejection
        self.nearest: QLabel | None = None  # "Nearest classes:" above an unknown's bars
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.image = QLabel(self)
        self.image.setFixedSize(THUMB_PX, THUMB_PX)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        name = plain_label(row.path.replace("\\", "/").rsplit("/", 1)[-1], self)
        set_tooltip(name, row.path)
        name.setObjectName("mutedLabel")
        name.setProperty("untranslatedContent", True)  # a file name
        right = QVBoxLayout()
        right.addLayout(self._verdict(row))
        right.addWidget(name)
        if row.error:
            error = plain_label(row.error, self, wrap=True)
            error.setStyleSheet(f"color: {ERROR_COLOR};")
            error.setProperty("untranslatedContent", True)  # the decoder's own words
            right.addWidget(error)
        else:
            if row.unknown_score is not None:
                self.score = plain_label("", self)
                self.score.setObjectName("mutedLabel")
                right.addWidget(self.score)
            if row.unknown:
                self.nearest = plain_label("", self)
                right.addWidget(self.nearest)
            self.bars = TopKBars(list(row.top), self, "#8a90a2" if row.unknown else ACCENT)
            right.addWidget(self.bars)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.image, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(right, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        if row.unknown:
            self.setObjectName("unknownCard")
            self.setStyleSheet(
                f"QFrame#unknownCard {{ border: 2px solid {UNKNOWN_COLOR}; border-radius: 6px; }}"
            )
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """The verdict, score and captions in the interface language."""
        row = self.row
        label, probability = best(row)
        if row.error:
            text = translate("PredictionCard", "Could not be read")
        elif row.unknown:
            text = unknown_verdict()
        else:
            text = f"{label}  ·  {probability:.0%}"
        self.answer.setText(text)
        self.answer.setProperty("untranslatedContent", not row.error and not row.unknown)  # a class name
        if self.score is not None:
            self.score.setText(score_text(row, self.threshold))
        if self.nearest is not None:
            self.nearest.setText(translate("PredictionCard", "Nearest classes:"))

    def _verdict(self, row: PathResult) -> QHBoxLayout:
        """The big answer line: the class and its probability, or the unknown badge and verdict."""
        self.answer = plain_label("", self)
        font = self.answer.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.answer.setFont(font)
        line = QHBoxLayout()
        if row.unknown:
            badge = QLabel(self)
            badge.setPixmap(unknown_badge(QFontMetrics(font).height()))
            line.addWidget(badge)
            self.answer.setStyleSheet(f"color: {UNKNOWN_COLOR};")
        line.addWidget(self.answer, 1)
        return line

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
