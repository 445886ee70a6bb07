"""The dataset browser: a virtualized thumbnail grid with search, sort and tile size.

The grid is a ``QListView`` in wrapping list mode with uniform item sizes, so 20,000 images
lay out instantly and only visible tiles are painted (and decoded, off the GUI thread).
Selected tiles drag onto a class in the sidebar; number keys label the selection; files
dropped on the grid are imported (into the class shown, when one is).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QDrag, QFont, QFontMetrics, QKeyEvent, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.data.image_list_model import SORTS, ImageListModel
from gui.data.thumbnail_delegate import ThumbnailDelegate
from gui.i18n import retranslate_on_change, translate
from gui.resources import icon
from gui.state.app_state import AppState
from gui.widgets.drops import accept_file_drops
from gui.widgets.empty_state import EmptyState
from gui.widgets.icon_label import IconLabel

MIN_THUMB, MAX_THUMB, DEFAULT_THUMB = 72, 240, 128
LAYOUT_BATCH = 1500
_FILTER_TITLES = {  # translated where shown, context "DatasetBrowserPanel"
    "all": QT_TRANSLATE_NOOP("DatasetBrowserPanel", "All images"),
    "unlabeled": QT_TRANSLATE_NOOP("DatasetBrowserPanel", "Unlabeled"),
    "broken": QT_TRANSLATE_NOOP("DatasetBrowserPanel", "Can't read"),
    "excluded": QT_TRANSLATE_NOOP("DatasetBrowserPanel", "Excluded from training"),
}


def image_count_text(count: int, search: str = "") -> str:
    """"1 image", "1,234 images" or "3 images matching “ant”" in the interface language."""
    if search:
        text = translate("DatasetBrowserPanel", "{count} image matching “{search}”") if count == 1 else \
            translate("DatasetBrowserPanel", "{count} images matching “{search}”")
    else:
        text = translate("DatasetBrowserPanel", "{count} image") if count == 1 else \
            translate("DatasetBrowserPanel", "{count} images")
    return text.format(count=f"{count:,}", search=search)


class ThumbnailView(QListView):
    """The grid; emits ``label_key`` for 0-9 (0: unlabel) and ``files_dropped`` for desktop drops.

    Enter emits ``accept_key`` (accept the suggested labels, or open the viewer); X ``exclude_key``.
    """

    label_key = Signal(int)
    accept_key = Signal()
    exclude_key = Signal()
    files_dropped = Signal(object)  # list[str]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thumbnailGrid")
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)  # 20,000 rows lay out in short slices
        self.setBatchSize(LAYOUT_BATCH)
        self.setSpacing(2)
        self.setMouseTracking(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        accept_file_drops(self, self.files_dropped.emit)  # files from the desktop, not our own thumbnails
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.delegate = ThumbnailDelegate(self, DEFAULT_THUMB)
        self.setItemDelegate(self.delegate)
        self._scroll = 0

    def set_thumb_size(self, size: int) -> None:
        """Change the tile size and relayout."""
        self.delegate.thumb_size = max(MIN_THUMB, min(MAX_THUMB, size))
        self.verticalScrollBar().setSingleStep(self.delegate.thumb_size // 3)
        self._update_grid()

    def _update_grid(self) -> None:
        """Spread the columns over the full width (the scroll bar's room is always kept)."""
        tile = self.delegate.tile_size()
        width = self.contentsRect().width() - self.verticalScrollBar().sizeHint().width() - 2
        columns = max(1, width // (tile.width() + 4))
        grid = QSize(max(tile.width(), width // columns), tile.height() + 4)
        if grid != self.gridSize():
            self.setGridSize(grid)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Recompute the columns."""
        self._update_grid()
        super().resizeEvent(event)

    def dataChanged(
        self, top_left: QModelIndex, bottom_right: QModelIndex, roles: Sequence[int] = ()
    ) -> None:
        """Repaint the changed tiles only: tiles have a uniform size, so nothing needs a relayout.

        ``QListView`` relayouts every row on ``dataChanged`` in list mode; with 20,000 rows that
        would stall the GUI on each batch of thumbnails.
        """
        first, last = top_left.row(), bottom_right.row()
        if last - first > 400:
            self.viewport().update()
            return
        visible = self.viewport().rect()
        for row in range(first, last + 1):
            rect = self.visualRect(self.model().index(row, 0))
            if rect.intersects(visible):
                self.viewport().update(rect)

    def changeEvent(self, event: QEvent) -> None:
        """Redraw the cached tile pictures when the palette or the font changes."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.delegate.clear_caches()
        super().changeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Number keys label (when no window shortcut took them); Enter opens the viewer."""
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if Qt.Key.Key_0 <= key <= Qt.Key.Key_9 and plain:
            self.label_key.emit(key - Qt.Key.Key_0)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.accept_key.emit()
            return
        if key == Qt.Key.Key_X and plain:
            self.exclude_key.emit()
            return
        super().keyPressEvent(event)

    def startDrag(self, supported: Qt.DropAction) -> None:
        """Drag the selection with a compact "N images" badge instead of a huge snapshot."""
        indexes = self.selectedIndexes()
        if not indexes:
            return
        drag = QDrag(self)
        drag.setMimeData(self.model().mimeData(indexes))
        color = self.palette().highlight().color()
        drag.setPixmap(_drag_badge(len(indexes), color, self.devicePixelRatioF()))
        drag.setHotSpot(QPoint(-12, -12))
        drag.exec(supported, Qt.DropAction.MoveAction)

    def remember_scroll(self) -> None:
        """Keep the scroll position across a model reset."""
        self._scroll = self.verticalScrollBar().value()

    def restore_scroll(self) -> None:
        """Go back to the remembered position once the new layout is done."""
        self.doItemsLayout()
        self.verticalScrollBar().setValue(self._scroll)


def _drag_badge(count: int, color: QColor, ratio: float) -> QPixmap:
    text = image_count_text(count)
    font = QFont()
    font.setBold(True)
    width = 28 + QFontMetrics(font).horizontalAdvance(text)
    pixmap = QPixmap(int(width * ratio), int(30 * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(color)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRect(0, 0, width, 30), 15, 15)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRect(0, 0, width, 30), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


class DatasetBrowserPanel(QWidget):
    """Title, search, sort and size controls over the grid (or an empty-state hint)."""

    open_image = Signal(int)  # row in ``model``
    files_dropped = Signal(object, object)  # list[str], class name or None
    import_files_requested = Signal()
    import_folder_requested = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.model = ImageListModel(state, self)
        self.view = ThumbnailView(self)
        self.view.setModel(self.model)
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("mutedLabel")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setFixedWidth(220)
        self.sort = QComboBox(self)
        for key in SORTS:
            self.sort.addItem("", key)  # texts in retranslate_ui
        self.size_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.size_slider.setRange(MIN_THUMB, MAX_THUMB)
        self.size_slider.setValue(DEFAULT_THUMB)
        self.size_slider.setFixedWidth(110)
        self.head_status = QLabel(self)  # the instant head's accuracy and its change
        self.head_status.setObjectName("mutedLabel")
        self.head_status.setTextFormat(Qt.TextFormat.PlainText)
        self.doctor_button = QPushButton(icon("check"), "", self)
        self.empty = EmptyState(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self._build_layout()
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(self._search_timer.start)
        self.sort.currentIndexChanged.connect(self._on_sort_changed)
        self.size_slider.valueChanged.connect(self.view.set_thumb_size)
        self.view.activated.connect(self._on_activated)
        self.view.files_dropped.connect(self._on_files_dropped)
        self.empty.import_files.connect(self.import_files_requested)
        self.empty.import_folder.connect(self.import_folder_requested)
        self.empty.files_dropped.connect(self._on_files_dropped)
        self.model.modelAboutToBeReset.connect(self.view.remember_scroll)
        self.model.modelReset.connect(self._after_reset)
        for signal in (self.model.rowsRemoved, self.model.rowsInserted, state.classes_changed):
            signal.connect(self._update_header)
        state.project_changed.connect(self._on_project_changed)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Set every text in the interface language."""
        self.search.setPlaceholderText(translate("DatasetBrowserPanel", "Search file names"))
        for i in range(self.sort.count()):
            title = translate("ImageListModel", SORTS[self.sort.itemData(i)])
            self.sort.setItemText(i, translate("DatasetBrowserPanel", "Sort: {order}").format(order=title))
        self.size_slider.setToolTip(
            translate("DatasetBrowserPanel", "Thumbnail size (Ctrl+Plus / Ctrl+Minus)"))
        self.doctor_button.setText(translate("DatasetBrowserPanel", "Doctor"))
        self.doctor_button.setToolTip(translate(
            "DatasetBrowserPanel", "Find duplicates, leakage, suspect labels and bad images, and fix them"))
        self._update_header()

    def _build_layout(self) -> None:
        bar = QFrame(self)
        bar.setObjectName("browserBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(16, 10, 12, 10)
        row.setSpacing(10)
        row.addWidget(self.title)
        row.addWidget(self.count_label)
        row.addStretch(1)
        row.addWidget(self.head_status)
        row.addWidget(self.doctor_button)
        row.addWidget(self.search)
        row.addWidget(self.sort)
        row.addWidget(IconLabel("zoom-out", 16, bar))
        row.addWidget(self.size_slider)
        row.addWidget(IconLabel("zoom-in", 16, bar))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.stack, 1)

    # ------------------------------------------------------------ public API
    def set_filter(self, kind: str, class_name: str | None = None) -> None:
        """Show one filter or class; scrolls back to the top."""
        self.model.set_filter(kind, class_name)
        self.view.scrollToTop()
        self._update_header()

    def selected_image_indices(self) -> list[int]:
        """Return the project indices of the selected tiles, in grid order."""
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        return [self.model.image_index(r) for r in rows]

    def first_selected_row(self) -> int:
        """Return the smallest selected row, or -1."""
        rows = [i.row() for i in self.view.selectionModel().selectedIndexes()]
        return min(rows) if rows else -1

    def select_rows(self, first: int, last: int | None = None) -> None:
        """Select a run of rows and make the first one current."""
        last = first if last is None else last
        if not 0 <= first <= last < self.model.rowCount():
            return
        selection = QItemSelection(self.model.index(first), self.model.index(last))
        self.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        current = self.model.index(first)
        self.view.selectionModel().setCurrentIndex(current, QItemSelectionModel.SelectionFlag.NoUpdate)
        self.view.scrollTo(self.model.index(first))

    def keep_selection_flowing(self, anchor: int) -> None:
        """After labelled tiles left the view, select the tile that took their place."""
        if anchor >= 0 and not self.view.selectionModel().hasSelection() and self.model.rowCount():
            self.select_rows(min(anchor, self.model.rowCount() - 1))

    def thumb_size(self) -> int:
        """Current tile size."""
        return self.size_slider.value()

    def set_thumb_size(self, size: int) -> None:
        """Change the tile size (clamped)."""
        self.size_slider.setValue(max(MIN_THUMB, min(MAX_THUMB, size)))

    def set_sort_key(self, key: str) -> None:
        """Select a sort order by key."""
        index = self.sort.findData(key)
        self.sort.setCurrentIndex(max(0, index))

    # ------------------------------------------------------------------ slots
    @Slot()
    def _apply_search(self) -> None:
        self.model.set_search(self.search.text())
        self._update_header()

    @Slot(int)
    def _on_sort_changed(self, index: int) -> None:
        self.model.set_sort(self.sort.itemData(index))

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        self.open_image.emit(index.row())

    @Slot(object)
    def _on_files_dropped(self, paths: list[str]) -> None:
        label = self.model.filter_class if self.model.filter_kind == "class" else None
        self.files_dropped.emit(paths, label)

    @Slot()
    def _after_reset(self) -> None:
        self.view.restore_scroll()
        self._update_header()

    @Slot(object)
    def _on_project_changed(self, _project: object) -> None:
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._update_header()

    @Slot()
    def _update_header(self) -> None:
        kind, name = self.model.filter_kind, self.model.filter_class
        is_class = kind == "class" and bool(name)
        title = _FILTER_TITLES.get(kind)
        self.title.setText(name if is_class else translate("DatasetBrowserPanel", title) if title else "")
        self.title.setProperty("untranslatedContent", is_class)  # a class name is the user's own
        shown = self.model.rowCount()
        total = len(self._state.project.images) if self._state.project is not None else 0
        self.count_label.setText(image_count_text(shown, self.search.text().strip() if self.model.search_text
                                                  else ""))
        self.empty.set_mode("empty" if total == 0 else "no_match")
        self.stack.setCurrentWidget(self.view if shown else self.empty)

    def sizeHint(self) -> QSize:
        """Prefer a roomy grid."""
        return QSize(900, 600)
