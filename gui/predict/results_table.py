"""The Predict page's folder table: one row per image, sortable, with a filter for unknowns.

"Unknown: none of my classes" rows carry the question-mark badge and the unknown colour in the
Answer column, so they stand apart from the class answers; *Show* keeps all rows, only the
unknowns, or only the images given a class.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QBrush, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.inference.results import PathResult
from gui.predict.cards import UNKNOWN_COLOR, format_score, unknown_badge
from gui.widgets.plain_text import plain_label, set_plain_text, set_tooltip
from gui.workers.prediction_workers import best

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
VERDICT_ROLE = Qt.ItemDataRole.UserRole + 2  # "unknown", "known" or "error"
PATH_ROLE = Qt.ItemDataRole.UserRole + 3
TABLE_ICON_PX = 48
COLUMNS = ["Image", "Answer", "Probability", "Second class", "Unknown score", "Problem"]
SHOW = {"all": "All images", "unknown": "Unknown only", "known": "Known only"}


class _SortItem(QTableWidgetItem):
    """Sorts by the value in ``SORT_ROLE`` (numbers as numbers)."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is None or theirs is None:
            return super().__lt__(other)
        return bool(mine < theirs)


def verdict(result: PathResult) -> str:
    """``"error"`` for a file that failed, ``"unknown"`` for "none of my classes", else ``"known"``."""
    if result.error:
        return "error"
    return "unknown" if result.unknown else "known"


def _number(text: str, value: float | None) -> _SortItem:
    item = _SortItem(text)
    item.setData(SORT_ROLE, -1.0 if value is None else value)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _answer(result: PathResult) -> QTableWidgetItem:
    label, _ = best(result)
    if not result.unknown:
        return QTableWidgetItem(label)
    item = QTableWidgetItem(f"Unknown · nearest: {label}")
    item.setIcon(QIcon(unknown_badge(16)))
    item.setForeground(QBrush(QColor(UNKNOWN_COLOR)))
    font = item.font()
    font.setBold(True)
    item.setFont(font)
    return item


class ResultsTable(QWidget):
    """A *Show* filter above a sortable table of results; thumbnails arrive through :meth:`set_icon`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.show_filter = QComboBox(self)
        for key, text in SHOW.items():
            self.show_filter.addItem(text, key)
        self.show_filter.currentIndexChanged.connect(self.apply_filter)
        self.counts = plain_label("", self)
        self.counts.setObjectName("mutedLabel")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setIconSize(QSize(TABLE_ICON_PX, TABLE_ICON_PX))
        self.table.verticalHeader().setDefaultSectionSize(TABLE_ICON_PX + 6)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self.apply_filter)
        self._items: dict[str, QTableWidgetItem] = {}
        top = QHBoxLayout()
        top.addWidget(QLabel("Show:", self))
        top.addWidget(self.show_filter)
        top.addWidget(self.counts, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def paths(self) -> list[str]:
        """The paths in the table (the thumbnails it waits for)."""
        return list(self._items)

    def show_results(self, rows: Sequence[PathResult]) -> None:
        """Fill the table with ``rows`` (sorted by file name) and apply the filter."""
        table = self.table
        table.setSortingEnabled(False)
        table.setRowCount(len(rows))
        self._items = {}
        for r, row in enumerate(rows):
            _, prob = best(row)
            second = row.top[1][0] if len(row.top) > 1 else ""
            name = _SortItem(row.path.replace("\\", "/").rsplit("/", 1)[-1])
            name.setData(SORT_ROLE, row.path.lower())
            name.setData(VERDICT_ROLE, verdict(row))
            name.setData(PATH_ROLE, row.path)
            set_tooltip(name, row.path)
            self._items[row.path] = name
            score = row.unknown_score if not row.error else None
            items = (
                name,
                _answer(row),
                _number(f"{prob:.1%}" if not row.error else "", prob),
                QTableWidgetItem(second),
                _number("" if score is None else format_score(score), score),
                QTableWidgetItem(row.error or ""),
            )
            for column, item in enumerate(items):
                table.setItem(r, column, item)
        table.setSortingEnabled(True)
        table.sortItems(0, Qt.SortOrder.AscendingOrder)
        table.resizeColumnsToContents()
        table.setColumnWidth(0, table.columnWidth(0) + TABLE_ICON_PX + 8)  # the thumbnails come later
        self.apply_filter()

    def set_filter(self, key: str) -> None:
        """Show ``"all"`` rows, only the ``"unknown"`` ones, or only the ``"known"`` ones."""
        self.show_filter.setCurrentIndex(max(0, self.show_filter.findData(key)))
        self.apply_filter()

    @Slot()
    def apply_filter(self) -> None:
        """Hide the rows the *Show* filter leaves out and say how many are shown."""
        wanted = self.show_filter.currentData()
        shown = unknown = 0
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            kind = item.data(VERDICT_ROLE) if item is not None else "error"
            keep = wanted == "all" or kind == wanted
            self.table.setRowHidden(r, not keep)
            shown += keep
            unknown += kind == "unknown"
        total = self.table.rowCount()
        text = f"{shown:,} of {total:,} shown · {unknown:,} unknown (none of my classes)"
        set_plain_text(self.counts, text)

    def visible_paths(self) -> list[str]:
        """Paths of the rows the filter shows, top to bottom."""
        rows = range(self.table.rowCount())
        return [str(self.table.item(r, 0).data(PATH_ROLE)) for r in rows if not self.table.isRowHidden(r)]

    def set_icon(self, path: str, pixmap: QPixmap) -> None:
        """Show the thumbnail of ``path`` (if it is in the table)."""
        item = self._items.get(path)
        if item is not None:
            item.setIcon(QIcon(pixmap))
