"""Paints one thumbnail tile: picture (or loading / broken state), class chip and file name.

An excluded image is dimmed with an "Excluded" chip; an unlabelled one may carry the instant
head's suggestion as an outlined chip ("bees? 87%").

Painting runs for every visible tile on every repaint, so everything costly is made once and
cached as a pixmap: the rounded, scaled picture per tile size, the class chips and the elided
names. All text is drawn with ``QPainter.drawText`` as plain text: a file called
``<b>x</b>.jpg`` is shown literally. Tiles have a uniform size.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from gui.data.image_list_model import ImageListModel
from gui.i18n import translate
from gui.resources import icon
from gui.theme import ERROR_COLOR, class_color

PAD = 6
NAME_H = 20
RADIUS = 6
CACHED_TILES = 600
CACHED_TEXTS = 4000


class ThumbnailDelegate(QStyledItemDelegate):
    """Draws tiles of ``thumb_size`` logical pixels."""

    def __init__(self, parent: QWidget | None = None, thumb_size: int = 120) -> None:
        super().__init__(parent)
        self.thumb_size = thumb_size
        self._broken_icon = icon("broken", ERROR_COLOR)
        self._tiles: OrderedDict[tuple[object, ...], QPixmap] = OrderedDict()
        self._chips: dict[tuple[object, ...], QPixmap] = {}
        self._names: dict[tuple[str, int], str] = {}

    def tile_size(self) -> QSize:
        """The size of one tile in logical pixels."""
        return QSize(self.thumb_size + 2 * PAD, self.thumb_size + 2 * PAD + NAME_H)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        """Every tile has the same size."""
        return self.tile_size()

    def clear_caches(self) -> None:
        """Forget cached pixmaps and texts (after a palette or font change)."""
        self._tiles.clear()
        self._chips.clear()
        self._names.clear()

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Draw the tile."""
        tile = index.data(ImageListModel.TileRole)
        if tile is None:
            return
        name, label, class_index, broken, pixmap = tile[:5]
        palette: QPalette = option.palette
        size = self.tile_size()
        cell = QRect(option.rect.x() + (option.rect.width() - size.width()) // 2, option.rect.y(),
                     size.width(), size.height())
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected or option.state & QStyle.StateFlag.State_MouseOver:
            color = QColor(palette.color(QPalette.ColorRole.Highlight))
            color.setAlpha(70 if selected else 25)
            painter.setPen(palette.color(QPalette.ColorRole.Highlight) if selected else Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(cell).adjusted(2, 2, -2, -2), 8, 8)
        side = self.thumb_size
        image_rect = QRect(cell.x() + PAD, cell.y() + PAD, side, side)
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        picture = self._picture(pixmap, broken, side, ratio, palette)
        if picture is None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
            painter.drawRoundedRect(QRectF(image_rect), RADIUS, RADIUS)
        else:
            painter.drawPixmap(image_rect.topLeft(), picture)
        if tile.excluded:
            veil = QColor(palette.color(QPalette.ColorRole.Base))
            veil.setAlpha(150)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(veil)
            painter.drawRoundedRect(QRectF(image_rect), RADIUS, RADIUS)
            excluded = translate("ThumbnailDelegate", "Excluded")
            chip = self._chip(excluded, -1, side, ratio, option.font, "muted")
            painter.drawPixmap(image_rect.x() + 5, image_rect.bottom() - chip.height() / ratio - 4, chip)
        if label:
            chip = self._chip(label, class_index, side, ratio, option.font)
            painter.drawPixmap(image_rect.x() + 5, image_rect.y() + 5, chip)
        elif tile.suggestion:
            text = f"{tile.suggestion[0]}? {int(tile.suggestion[1] * 100)}%"  # 99.6% is not certain
            chip = self._chip(text, tile.suggestion_index, side, ratio, option.font, "outline")
            painter.drawPixmap(image_rect.x() + 5, image_rect.y() + 5, chip)
        role = QPalette.ColorRole.Text if selected else QPalette.ColorRole.PlaceholderText
        painter.setPen(palette.color(role))
        painter.setFont(option.font)
        name_rect = QRect(image_rect.x(), image_rect.bottom() + 3, side, NAME_H - 2)
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
                         self._elided(name, side, option.font))
        painter.restore()

    # ---------------------------------------------------------------- caches
    def _picture(self, pixmap: QPixmap | None, broken: str | None, side: int, ratio: float,
                 palette: QPalette) -> QPixmap | None:
        """Return the rounded picture (or broken card) for one tile, made once per size."""
        card = translate("ThumbnailDelegate", "Can't read: {reason}").format(reason=broken) if broken else ""
        if broken:
            key: tuple[object, ...] = ("broken", card, side, ratio)  # by its text: a new language, a new card
        elif isinstance(pixmap, QPixmap) and not pixmap.isNull():
            key = (pixmap.cacheKey(), side, ratio)
        else:
            return None
        picture = self._tiles.get(key)
        if picture is None:
            base = palette.color(QPalette.ColorRole.AlternateBase)
            picture = self._render_broken(card, side, ratio) if broken else _render(pixmap, side, ratio, base)
            self._tiles[key] = picture
            while len(self._tiles) > CACHED_TILES:
                self._tiles.popitem(last=False)
        else:
            self._tiles.move_to_end(key)
        return picture

    def _render_broken(self, text: str, side: int, ratio: float) -> QPixmap:
        picture, painter = _canvas(side, ratio)
        tint = QColor(ERROR_COLOR)
        tint.setAlpha(28)
        painter.fillRect(QRect(0, 0, side, side), tint)
        icon_side = max(20, side // 4)
        icon_rect = QRect((side - icon_side) // 2, side // 2 - icon_side, icon_side, icon_side)
        self._broken_icon.paint(painter, icon_rect)
        font = QFont(painter.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        painter.setPen(QColor(ERROR_COLOR))
        text_rect = QRect(6, side // 2 + 4, side - 12, side // 2 - 8)
        text = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, text_rect.width() * 3)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, text)
        painter.end()
        return picture

    def _chip(self, label: str, class_index: int, side: int, ratio: float, font: QFont,
              style: str = "solid") -> QPixmap:
        """A rounded chip: ``solid`` (a class), ``outline`` (a suggestion) or ``muted`` (excluded)."""
        key = (label, class_index, side, ratio, style)
        chip = self._chips.get(key)
        if chip is None:
            small = QFont(font)
            small.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
            small.setWeight(QFont.Weight.DemiBold)
            metrics = QFontMetrics(small)
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, side - 20)
            width, height = metrics.horizontalAdvance(text) + 12, metrics.height() + 4
            chip = QPixmap(round(width * ratio), round(height * ratio))
            chip.setDevicePixelRatio(ratio)
            chip.fill(Qt.GlobalColor.transparent)
            painter = QPainter(chip)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            color = QColor("#6b7280") if style == "muted" else class_color(class_index)
            outline = QPen(color, 1.5, Qt.PenStyle.DashLine)
            painter.setPen(outline if style == "outline" else Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 225) if style == "outline" else color)
            painter.drawRoundedRect(QRectF(0.75, 0.75, width - 1.5, height - 1.5), height / 2, height / 2)
            painter.setFont(small)
            painter.setPen(color.darker(130) if style == "outline" else QColor("white"))
            painter.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, text)
            painter.end()
            if len(self._chips) > 500:
                self._chips.clear()
            self._chips[key] = chip
        return chip

    def _elided(self, name: str, width: int, font: QFont) -> str:
        key = (name, width)
        text = self._names.get(key)
        if text is None:
            if len(self._names) > CACHED_TEXTS:
                self._names.clear()
            text = QFontMetrics(font).elidedText(name, Qt.TextElideMode.ElideMiddle, width)
            self._names[key] = text
        return text


def _canvas(side: int, ratio: float) -> tuple[QPixmap, QPainter]:
    picture = QPixmap(round(side * ratio), round(side * ratio))
    picture.setDevicePixelRatio(ratio)
    picture.fill(Qt.GlobalColor.transparent)
    painter = QPainter(picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    clip = QPainterPath()
    clip.addRoundedRect(QRectF(0, 0, side, side), RADIUS, RADIUS)
    painter.setClipPath(clip)
    return picture, painter


def _render(source: QPixmap, side: int, ratio: float, background: QColor) -> QPixmap:
    """Scale ``source`` to fit a ``side`` square with rounded corners, on ``background``."""
    picture, painter = _canvas(side, ratio)
    painter.fillRect(QRect(0, 0, side, side), background)
    size = (source.size() / source.devicePixelRatio()).scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio)
    target = QRect((side - size.width()) // 2, (side - size.height()) // 2, size.width(), size.height())
    painter.drawPixmap(target, source)
    painter.end()
    return picture
