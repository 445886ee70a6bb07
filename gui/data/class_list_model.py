"""ClassListModel: "All images", "Unlabeled", "Can't read", then one row per class, with counts.

Counts are recomputed at most once per event-loop turn however many changes arrive. Class
rows are editable (rename through the undo stack) and carry a fraction of the largest class
so the delegate can draw the bar chart of class sizes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)

from gui.i18n import language_notifier, translate
from gui.state.app_state import AppState
from gui.theme import class_color

PSEUDO_ROWS = (  # kind, title (translated where shown, context "ClassListModel")
    ("all", QT_TRANSLATE_NOOP("ClassListModel", "All images")),
    ("unlabeled", QT_TRANSLATE_NOOP("ClassListModel", "Unlabeled")),
    ("broken", QT_TRANSLATE_NOOP("ClassListModel", "Can't read")),
    ("excluded", QT_TRANSLATE_NOOP("ClassListModel", "Excluded")),
)
_ModelIndex = QModelIndex | QPersistentModelIndex


class ClassListModel(QAbstractListModel):
    """The sidebar's rows: three filters, then the classes in project order."""

    KindRole = Qt.ItemDataRole.UserRole + 1  # "all" | "unlabeled" | "broken" | "excluded" | "class"
    CountRole = Qt.ItemDataRole.UserRole + 2
    FractionRole = Qt.ItemDataRole.UserRole + 3  # count / largest class, for the bar
    ColorRole = Qt.ItemDataRole.UserRole + 4
    ShortcutRole = Qt.ItemDataRole.UserRole + 5  # "1".."9" or ""
    ClassNameRole = Qt.ItemDataRole.UserRole + 6

    rename_failed = Signal(str)  # the reason a typed name was refused
    counts_updated = Signal()

    def __init__(self, state: AppState, parent: Any = None) -> None:
        super().__init__(parent)
        self._state = state
        self._classes: list[str] = []
        self._counts: dict[str, int] = {}
        self._splits: dict[str, dict[str, int]] = {}
        self._pseudo_counts = {"all": 0, "unlabeled": 0, "broken": 0, "excluded": 0}
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._recount)
        for signal in (state.project_changed, state.images_changed, state.labels_changed):
            signal.connect(self._schedule)
        state.classes_changed.connect(self._on_classes_changed)
        state.project_changed.connect(self._on_classes_changed)
        language_notifier().changed.connect(self._recount)

    @property
    def classes(self) -> list[str]:
        """Class names in order."""
        return list(self._classes)

    def class_row(self, name: str) -> int:
        """Return the row of class ``name`` (-1 if unknown)."""
        return len(PSEUDO_ROWS) + self._classes.index(name) if name in self._classes else -1

    def count(self, key: str) -> int:
        """Return the count of a pseudo row (``all``, ``unlabeled``, ``broken``) or of a class."""
        return self._pseudo_counts.get(key, self._counts.get(key, 0))

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Return three filter rows plus one per class (none without a project)."""
        if parent.isValid() or self._state.project is None:
            return 0
        return len(PSEUDO_ROWS) + len(self._classes)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Return the name, count, bar fraction, colour, shortcut or tooltip of a row."""
        if not index.isValid() or index.row() >= self.rowCount():
            return None
        row = index.row()
        if row < len(PSEUDO_ROWS):
            kind, title = PSEUDO_ROWS[row]
            return {
                Qt.ItemDataRole.DisplayRole: translate("ClassListModel", title), self.KindRole: kind,
                self.CountRole: self._pseudo_counts[kind],
                self.ShortcutRole: "0" if kind == "unlabeled" else "",
            }.get(role)
        pos = row - len(PSEUDO_ROWS)
        name = self._classes[pos]
        count = self._counts.get(name, 0)
        largest = max(self._counts.values(), default=0)
        return {
            Qt.ItemDataRole.DisplayRole: name, Qt.ItemDataRole.EditRole: name, self.KindRole: "class",
            self.ClassNameRole: name, self.CountRole: count,
            self.FractionRole: count / largest if largest else 0.0,
            self.ColorRole: class_color(pos), self.ShortcutRole: str(pos + 1) if pos < 9 else "",
            Qt.ItemDataRole.ToolTipRole: self._tooltip(name, pos),
        }.get(role)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        """Class rows can be renamed in place; every row takes drops."""
        flags = super().flags(index) | Qt.ItemFlag.ItemIsDropEnabled
        if index.isValid() and index.row() >= len(PSEUDO_ROWS):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: _ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Rename a class (undoable); a refused name is reported through ``rename_failed``."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.row() < len(PSEUDO_ROWS):
            return False
        error = self._state.rename_class(self._classes[index.row() - len(PSEUDO_ROWS)], str(value))
        if error:
            self.rename_failed.emit(error)
        return error is None

    def _tooltip(self, name: str, pos: int) -> str:
        split = self._splits.get(name, {})
        values = {"count": f"{self._counts.get(name, 0):,}", "train": f"{split.get('train', 0):,}",
                  "val": f"{split.get('val', 0):,}", "key": pos + 1}
        if pos < 9:
            text = translate("ClassListModel", "{count} images ({train} train, {val} validation)  ·  "
                             "press {key} to label the selection")
        else:
            text = translate("ClassListModel", "{count} images ({train} train, {val} validation)")
        return text.format(**values)  # plain text: the name is not in it

    @Slot()
    def _schedule(self) -> None:
        self._timer.start()

    @Slot()
    def _on_classes_changed(self) -> None:
        project = self._state.project
        self.beginResetModel()
        self._classes = list(project.classes) if project is not None else []
        self._count_now()
        self.endResetModel()
        self.counts_updated.emit()

    @Slot()
    def _recount(self) -> None:
        self._count_now()
        if self.rowCount():
            self.dataChanged.emit(self.index(0), self.index(self.rowCount() - 1))
        self.counts_updated.emit()

    def _count_now(self) -> None:
        project = self._state.project
        if project is None:
            self._counts, self._splits = {}, {}
            self._pseudo_counts = {"all": 0, "unlabeled": 0, "broken": 0, "excluded": 0}
            return
        counts: Counter[str | None] = Counter()
        broken = excluded = 0
        for e in project.images:
            if e.broken:
                broken += 1
            elif e.excluded and e.label is None:
                excluded += 1
            else:
                counts[e.label] += 1
                excluded += e.excluded
        self._counts = {c: counts.get(c, 0) for c in project.classes}
        self._splits = project.split_counts()
        self._pseudo_counts = {"all": len(project.images), "unlabeled": counts.get(None, 0), "broken": broken,
                               "excluded": excluded}
