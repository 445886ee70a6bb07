"""Paints the class sidebar rows: filters with counts, then classes with a size bar.

The bars of all classes together form the bar chart of class sizes. Names are drawn as plain
text. The row under a drag is outlined so the drop target is obvious.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from gui.data.class_list_model import PSEUDO_ROWS, ClassListModel
from gui.i18n import translate
from gui.resources import icon

ROW_H = 32
CLASS_ROW_H = 42
HEADER_H = 30
_ICONS = {"all": "images", "unlabeled": "unlabeled", "broken": "broken", "excluded": "close"}


class ClassDelegate(QStyledItemDelegate):
    """Draws one sidebar row; ``drop_row`` is the row highlighted as a drop target (-1: none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drop_row = -1
        self._icons: dict[str, QIcon] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        """Filter rows are short; class rows hold a bar; the first class row holds the header too."""
        if index.data(ClassListModel.KindRole) != "class":
            return QSize(200, ROW_H)
        return QSize(200, CLASS_ROW_H + (HEADER_H if index.row() == len(PSEUDO_ROWS) else 0))

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Draw the row."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette: QPalette = option.palette
        rect = QRect(option.rect)
        kind = index.data(ClassListModel.KindRole)
        if kind == "class" and index.row() == len(PSEUDO_ROWS):
            header = QRect(rect.x(), rect.y(), rect.width(), HEADER_H)
            self._paint_header(painter, header, palette, option.font)
            rect.setTop(rect.top() + HEADER_H)
        box = QRectF(rect).adjusted(6, 2, -6, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected or option.state & QStyle.StateFlag.State_MouseOver:
            color = QColor(palette.color(QPalette.ColorRole.Highlight))
            color.setAlpha(55 if selected else 22)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(box, 6, 6)
        if index.row() == self.drop_row:
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box.adjusted(1, 1, -1, -1), 6, 6)
        inner = box.toRect().adjusted(10, 0, -10, 0)
        if kind == "class":
            self._paint_class(painter, inner, index, palette, option.font)
        else:
            self._paint_filter(painter, inner, index, palette, kind)
        painter.restore()

    def _icon(self, name: str) -> QIcon:
        if name not in self._icons:
            self._icons[name] = icon(name)
        return self._icons[name]

    @staticmethod
    def _paint_header(painter: QPainter, rect: QRect, palette: QPalette, font: QFont) -> None:
        painter.setPen(palette.color(QPalette.ColorRole.Midlight))
        painter.drawLine(rect.left() + 12, rect.top() + 6, rect.right() - 12, rect.top() + 6)
        header = QFont(font)
        header.setPointSizeF(font.pointSizeF() * 0.85)
        header.setWeight(QFont.Weight.DemiBold)
        painter.setFont(header)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect.adjusted(16, 10, -16, 0), align, translate("ClassDelegate", "CLASSES"))
        painter.setFont(font)

    def _paint_filter(
        self, painter: QPainter, rect: QRect, index: QModelIndex | QPersistentModelIndex, palette: QPalette,
        kind: str,
    ) -> None:
        icon_rect = QRect(rect.x(), rect.center().y() - 8, 16, 16)
        self._icon(_ICONS.get(kind, "images")).paint(painter, icon_rect)
        count = f"{index.data(ClassListModel.CountRole) or 0:,}"
        text_rect = rect.adjusted(26, 0, 0, 0)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         str(index.data(Qt.ItemDataRole.DisplayRole)))
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, count)

    @staticmethod
    def _paint_class(
        painter: QPainter, rect: QRect, index: QModelIndex | QPersistentModelIndex, palette: QPalette,
        font: QFont,
    ) -> None:
        color: QColor = index.data(ClassListModel.ColorRole)
        shortcut = index.data(ClassListModel.ShortcutRole)
        top = rect.y() + 6
        key_rect = QRectF(rect.x(), top, 18, 18)
        if shortcut:
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(key_rect, 4, 4)
            small = QFont(font)
            small.setPointSizeF(font.pointSizeF() * 0.8)
            painter.setFont(small)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(key_rect, Qt.AlignmentFlag.AlignCenter, shortcut)
            painter.setFont(font)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(QRectF(rect.x() + 26, top + 5, 9, 9))
        count = f"{index.data(ClassListModel.CountRole) or 0:,}"
        metrics = QFontMetrics(font)
        count_w = metrics.horizontalAdvance(count) + 8
        name_rect = QRect(rect.x() + 42, int(top), rect.width() - 42 - count_w, 18)
        name = metrics.elidedText(str(index.data(Qt.ItemDataRole.DisplayRole)), Qt.TextElideMode.ElideRight,
                                  name_rect.width())
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(QRect(rect.right() - count_w, int(top), count_w, 18),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, count)
        track = QRectF(rect.x() + 26, top + 24, rect.width() - 26, 5)
        painter.setBrush(palette.color(QPalette.ColorRole.Midlight))
        painter.drawRoundedRect(track, 2.5, 2.5)
        fraction = float(index.data(ClassListModel.FractionRole) or 0.0)
        if fraction > 0:
            painter.setBrush(color)
            bar = QRectF(track.x(), track.y(), max(5.0, track.width() * fraction), 5)
            painter.drawRoundedRect(bar, 2.5, 2.5)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Put the rename field over the class name, below the header of the first class row."""
        rect = QRect(option.rect)
        if index.row() == len(PSEUDO_ROWS):
            rect.setTop(rect.top() + HEADER_H)
        editor.setGeometry(QRect(rect.x() + 52, rect.y() + 5, rect.width() - 64, 24))
