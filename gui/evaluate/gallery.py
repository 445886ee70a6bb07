"""A grid of image thumbnails with captions; thumbnails come from the shared off-thread cache."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem, QWidget

from gui.data.thumbnail_waiter import ThumbnailWaiter
from gui.widgets.plain_text import set_tooltip

PATH_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
ICON_PX = 128


def square_icon(pixmap: QPixmap, side: int = ICON_PX) -> QIcon:
    """The thumbnail centred on a transparent square, so every caption starts at the same height."""
    scaled = pixmap.scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    canvas = QPixmap(side, side)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    painter.drawPixmap((side - scaled.width()) // 2, (side - scaled.height()) // 2, scaled)
    painter.end()
    return QIcon(canvas)


@dataclass
class GalleryItem:
    """One tile: the image, a short caption (plain text) and a tooltip."""

    path: str
    caption: str
    tooltip: str = ""
    row: int = -1


class ImageGallery(QListWidget):
    """Icon-mode list; ``thumbnails`` is a ``ThumbnailCache`` (or None: no images)."""

    def __init__(self, thumbnails: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._thumbnails = thumbnails
        self._items: dict[str, list[QListWidgetItem]] = {}
        placeholder = QPixmap(ICON_PX, ICON_PX)
        placeholder.fill(QColor(128, 128, 128, 40))
        self._placeholder = QIcon(placeholder)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(ICON_PX, ICON_PX))
        self.setGridSize(QSize(ICON_PX + 40, ICON_PX + 62))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self._waiter = ThumbnailWaiter(thumbnails, self)
        self._waiter.arrived.connect(self._on_thumbnail)

    def set_items(self, items: Sequence[GalleryItem]) -> None:
        """Replace the tiles."""
        self.clear()
        self._items = {}
        self._waiter.clear()
        for entry in items:
            item = QListWidgetItem(self._placeholder, entry.caption)
            item.setData(PATH_ROLE, entry.path)
            item.setData(ROW_ROLE, entry.row)
            set_tooltip(item, entry.tooltip or entry.path)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            self.addItem(item)
            self._items.setdefault(entry.path, []).append(item)
        self._waiter.want(self._items)

    def paths(self) -> list[str]:
        """The images shown, in order."""
        return [str(self.item(i).data(PATH_ROLE)) for i in range(self.count())]

    def selected_rows(self) -> list[int]:
        """Validation rows of the selected tiles."""
        return [int(item.data(ROW_ROLE)) for item in self.selectedItems()]

    def set_caption(self, path: str, caption: str) -> None:
        """Change the caption of every tile of ``path``."""
        for item in self._items.get(path, []):
            item.setText(caption)

    def missing_thumbnails(self) -> int:
        """Thumbnails asked for and not arrived yet."""
        return self._waiter.missing()

    @Slot(object, QPixmap)
    def _on_thumbnail(self, path: str, pixmap: QPixmap) -> None:
        icon = square_icon(pixmap)
        for item in self._items.get(path, []):
            item.setIcon(icon)
