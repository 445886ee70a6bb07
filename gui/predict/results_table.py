"""The Predict page's folder table: one row per image, sortable, with a filter for unknowns.

"Unknown: none of my classes" rows carry the question-mark badge and the unknown colour in the
Answer column, so they stand apart from the class answers; *Show* keeps all rows, only the
unknowns, or only the images given a class. Headers, the filter, the counts and the unknown
answers follow the interface language.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSize, Qt, Slot
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
from gui.i18n import retranslate_on_change, translate
from gui.predict.cards import UNKNOWN_COLOR, format_score, unknown_badge
from gui.widgets.plain_text import plain_label, set_plain_text, set_tooltip
from gui.workers.prediction_workers import best

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
VERDICT_ROLE = Qt.ItemDataRole.UserRole + 2  # "unknown", "known" or "error"
PATH_ROLE = Qt.ItemDataRole.UserRole + 3
NEAREST_ROLE = Qt.ItemDataRole.UserRole + 4  # an unknown's nearest class, on its Answer item
TABLE_ICON_PX = 48
ANSWER_COLUMN = 1
COLUMNS = (
    QT_TRANSLATE_NOOP("ResultsTable", "Image"),
    QT_TRANSLATE_NOOP("ResultsTable", "Answer"),
    QT_TRANSLATE_NOOP("ResultsTable", "Probability"),
    QT_TRANSLATE_NOOP("ResultsTable", "Second class"),
    QT_TRANSLATE_NOOP("ResultsTable", "Unknown score"),
    QT_TRANSLATE_NOOP("ResultsTable", "Problem"),
)
SHOW = {
    "all": QT_TRANSLATE_NOOP("ResultsTable", "All images"),
    "unknown": QT_TRANSLATE_NOOP("ResultsTable", "Unknown only"),
    "known": QT_TRANSLATE_NOOP("ResultsTable", "Known only"),
}


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


def unknown_answer(nearest: str) -> str:
    """The Answer cell of an unknown: ``Unknown · nearest: cat``, in the interface language."""
    return translate("ResultsTable", "Unknown · nearest: {label}").format(label=nearest)


def _answer(result: PathResult) -> QTableWidgetItem:
    label, _ = best(result)
    if not result.unknown:
        return QTableWidgetItem(label)
    item = QTableWidgetItem(unknown_answer(label))
    item.setData(NEAREST_ROLE, label)
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
        for key in SHOW:
            self.show_filter.addItem("", key)
        self.show_filter.currentIndexChanged.connect(self.apply_filter)
        self.counts = plain_label("", self)
        self.counts.setObjectName("mutedLabel")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setIconSize(QSize(TABLE_ICON_PX, TABLE_ICON_PX))
        self.table.verticalHeader().setDefaultSectionSize(TABLE_ICON_PX + 6)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self.apply_filter)
        self._items: dict[str, QTableWidgetItem] = {}
        self.show_label = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.show_label)
        top.addWidget(self.show_filter)
        top.addWidget(self.counts, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Headers, the *Show* filter, the unknown answers and the counts in the interface language."""
        self.show_label.setText(translate("ResultsTable", "Show:"))
        for i, text in enumerate(SHOW.values()):
            self.show_filter.setItemText(i, translate("ResultsTable", text))
        self.table.setHorizontalHeaderLabels([translate("ResultsTable", c) for c in COLUMNS])
        sorting = self.table.isSortingEnabled()
        self.table.setSortingEnabled(False)  # a changed text must not move rows while they are visited
        for r in range(self.table.rowCount()):
            item = self.table.item(r, ANSWER_COLUMN)
            nearest = item.data(NEAREST_ROLE) if item is not None else None
            if nearest is not None:
                item.setText(unknown_answer(str(nearest)))
        self.table.setSortingEnabled(sorting)
        self.apply_filter()

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
        text = translate("ResultsTable", "{shown} of {total} shown · {unknown} unknown (none of my classes)")
        counts = {"shown": f"{shown:,}", "total": f"{total:,}", "unknown": f"{unknown:,}"}
        set_plain_text(self.counts, text.format(**counts))

    def visible_paths(self) -> list[str]:
        """Paths of the rows the filter shows, top to bottom."""
        rows = range(self.table.rowCount())
        return [str(self.table.item(r, 0).data(PATH_ROLE)) for r in rows if not self.table.isRowHidden(r)]

    def set_icon(self, path: str, pixmap: QPixmap) -> None:
        """Show the thumbnail of ``path`` (if it is in the table)."""
        item = self._items.get(path)
        if item is not None:
            item.setIcon(QIcon(pixmap))
