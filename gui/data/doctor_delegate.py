"""Paints one finding of the review queue: group header, thumbnails side by side, reason and fix.

Duplicates and leakage show both images; a balance finding has none and shows its classes. All
text (file names, class names, reasons) is drawn as plain text with ``QPainter.drawText``.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from engine.doctor.findings import Finding
from gui.data.doctor_model import DoctorListModel, action_text, kind_title
from gui.data.thumbnails import ThumbnailCache
from gui.i18n import translate

THUMB = 96
PAD = 8
HEADER_H = 30
MAX_THUMBS = 2
SEVERITY_COLORS = {"high": "#d64545", "medium": "#d98a1c", "low": "#8a90a2"}
_Index = QModelIndex | QPersistentModelIndex


class FindingDelegate(QStyledItemDelegate):
    """Rows of :class:`~gui.data.doctor_model.DoctorListModel`."""

    def __init__(self, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._thumbnails = thumbnails
        self._scaled: dict[tuple[int, float], QPixmap] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """A fixed body height, plus the group header on the first row of a group."""
        header = HEADER_H if index.data(DoctorListModel.GroupRole) else 0
        return QSize(640, header + THUMB + 2 * PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Draw the header (if any) and the finding."""
        finding: Finding | None = index.data(DoctorListModel.FindingRole)
        if finding is None:
            return
        palette: QPalette = option.palette
        rect = QRect(option.rect)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        title = index.data(DoctorListModel.GroupRole)
        if title:
            self._paint_header(painter, QRect(rect.x(), rect.y(), rect.width(), HEADER_H), title, finding,
                               option.font, palette)
            rect.setTop(rect.top() + HEADER_H)
        if option.state & QStyle.StateFlag.State_Selected:
            color = QColor(palette.color(QPalette.ColorRole.Highlight))
            color.setAlpha(60)
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(rect).adjusted(2, 2, -2, -2), 6, 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(SEVERITY_COLORS.get(finding.severity, "#8a90a2")))
        painter.drawRoundedRect(QRectF(rect.x() + 4, rect.y() + PAD, 4, THUMB), 2, 2)
        x = rect.x() + 16
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        for path in finding.paths[:MAX_THUMBS]:
            self._paint_thumb(painter, QRect(x, rect.y() + PAD, THUMB, THUMB), path, ratio, palette)
            x += THUMB + 6
        if not finding.paths:
            box = QRect(x, rect.y() + PAD, THUMB, THUMB)
            self._paint_classes(painter, box, finding, option.font, palette)
            x += THUMB + 6
        text_rect = QRect(x + 8, rect.y() + PAD, rect.right() - x - 16, THUMB)
        self._paint_text(painter, text_rect, finding, option.font, palette)
        painter.restore()

    def _paint_header(self, painter: QPainter, rect: QRect, title: str, finding: Finding, font: QFont,
                      palette: QPalette) -> None:
        bold = QFont(font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(QColor(SEVERITY_COLORS.get(finding.severity, "#8a90a2")))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect.adjusted(8, 6, -8, 0), align, title)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(rect.x() + 8, rect.bottom(), rect.right() - 8, rect.bottom())

    def _paint_thumb(self, painter: QPainter, rect: QRect, path: str, ratio: float,
                     palette: QPalette) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
        painter.drawRoundedRect(QRectF(rect), 6, 6)
        pixmap = self._thumbnails.pixmap(path)
        if pixmap is None or pixmap.isNull():
            return
        key = (pixmap.cacheKey(), ratio)
        scaled = self._scaled.get(key)
        if scaled is None:
            if len(self._scaled) > 400:
                self._scaled.clear()
            side = round(THUMB * ratio)
            scaled = pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
            scaled.setDevicePixelRatio(ratio)
            self._scaled[key] = scaled
        w, h = round(scaled.width() / ratio), round(scaled.height() / ratio)
        painter.drawPixmap(rect.x() + (THUMB - w) // 2, rect.y() + (THUMB - h) // 2, scaled)

    def _paint_classes(self, painter: QPainter, rect: QRect, finding: Finding, font: QFont,
                       palette: QPalette) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
        painter.drawRoundedRect(QRectF(rect), 6, 6)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        text = "\n".join(finding.classes[:4]) or translate("FindingDelegate", "classes")
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        painter.drawText(rect.adjusted(6, 6, -6, -6), flags, text)

    def _paint_text(self, painter: QPainter, rect: QRect, finding: Finding, font: QFont,
                    palette: QPalette) -> None:
        bold = QFont(font)
        bold.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(font)
        line = metrics.height()
        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        names = "  ·  ".join(os.path.basename(p) for p in finding.paths[:MAX_THUMBS])
        if len(finding.paths) > MAX_THUMBS:
            more = translate("FindingDelegate", "{names} (+{count} more)")
            names = more.format(names=names, count=len(finding.paths) - MAX_THUMBS)
        head = f"{kind_title(finding.kind)}   {names}"
        painter.drawText(QRect(rect.x(), rect.y(), rect.width(), line), Qt.AlignmentFlag.AlignLeft,
                         QFontMetrics(bold).elidedText(head, Qt.TextElideMode.ElideMiddle, rect.width()))
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        reason_rect = QRect(rect.x(), rect.y() + line + 4, rect.width(), rect.height() - 2 * line - 10)
        painter.drawText(reason_rect, Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, finding.reason)
        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.Highlight))
        action = translate("FindingDelegate", "Enter: {action}").format(action=action_text(finding))
        bottom = QRect(rect.x(), rect.bottom() - line, rect.width(), line)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft,
                         QFontMetrics(bold).elidedText(action, Qt.TextElideMode.ElideRight, rect.width()))
