"""ImageListModel: the project's images, filtered, searched and sorted, for the thumbnail grid.

Rows map to project image indices through a plain list, so filtering and sorting 20,000 images
costs a few milliseconds of Python instead of a proxy model's per-comparison callbacks. Only
the rows on screen are asked for data, so only they trigger thumbnail decodes.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Slot,
)

from engine.project.store import Project
from gui.i18n import language_notifier, translate
from gui.state.app_state import AppState

MIME_TYPE = "application/x-transfer-studio-images"
FILTERS = ("all", "unlabeled", "broken", "excluded", "class")
SORTS = {  # key: title (translated where shown, context "ImageListModel")
    "added": QT_TRANSLATE_NOOP("ImageListModel", "Import order"),
    "name": QT_TRANSLATE_NOOP("ImageListModel", "Name"),
    "class": QT_TRANSLATE_NOOP("ImageListModel", "Class"),
    "folder": QT_TRANSLATE_NOOP("ImageListModel", "Folder"),
}
SPLIT_TITLES = {  # split: its name inside a sentence (translated where shown, context "ImageListModel")
    "train": QT_TRANSLATE_NOOP("ImageListModel", "training"),
    "val": QT_TRANSLATE_NOOP("ImageListModel", "validation"),
}
_ModelIndex = QModelIndex | QPersistentModelIndex
_DIGITS = re.compile(r"(\d+)")


def _natural_key(name: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(name.casefold()))


def encode_image_indices(indices: Sequence[int]) -> QMimeData:
    """Return drag data carrying project image indices."""
    mime = QMimeData()
    mime.setData(MIME_TYPE, QByteArray(json.dumps(list(indices)).encode()))
    return mime


def decode_image_indices(mime: QMimeData) -> list[int]:
    """Return the image indices carried by ``mime`` (empty when it carries none)."""
    if not mime.hasFormat(MIME_TYPE):
        return []
    try:
        data = json.loads(bytes(mime.data(MIME_TYPE).data()).decode())
    except (ValueError, UnicodeDecodeError):
        return []
    return [i for i in data if isinstance(i, int)] if isinstance(data, list) else []


class Tile(NamedTuple):
    """Everything the delegate paints for one image."""

    name: str
    label: str | None
    class_index: int
    broken: str | None
    pixmap: Any
    excluded: bool
    suggestion: tuple[str, float] | None
    suggestion_index: int


class ImageListModel(QAbstractListModel):
    """One row per visible image; ``image_index(row)`` gives the project index."""

    ImageIndexRole = Qt.ItemDataRole.UserRole + 1
    PathRole = Qt.ItemDataRole.UserRole + 2
    LabelRole = Qt.ItemDataRole.UserRole + 3
    ClassIndexRole = Qt.ItemDataRole.UserRole + 4
    BrokenRole = Qt.ItemDataRole.UserRole + 5
    SplitRole = Qt.ItemDataRole.UserRole + 6
    TileRole = Qt.ItemDataRole.UserRole + 7  # :class:`Tile`: one call per paint
    SuggestionRole = Qt.ItemDataRole.UserRole + 8  # (class, confidence) or None
    ExcludedRole = Qt.ItemDataRole.UserRole + 9

    def __init__(self, state: AppState, parent: Any = None) -> None:
        super().__init__(parent)
        self._state = state
        self._rows: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._names: list[str] = []
        self._class_pos: dict[str, int] = {}
        self.filter_kind, self.filter_class = "all", None
        self.search_text, self.sort_key = "", "added"
        self.suggestions: dict[str, tuple[str, float]] = {}  # unlabelled path: (class, confidence)
        state.project_changed.connect(self._on_project_changed)
        state.images_changed.connect(self._on_images_changed)
        state.labels_changed.connect(self._on_labels_changed)
        state.classes_changed.connect(self._on_classes_changed)
        state.thumbnails.ready.connect(self._on_thumbnails_ready)
        language_notifier().changed.connect(self._on_language_changed)

    @property
    def project(self) -> Project | None:
        """The project shown."""
        return self._state.project

    # ------------------------------------------------------------- Qt API
    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Return the number of visible images."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Return the file name, thumbnail, tooltip or one of the custom roles."""
        if not index.isValid() or self.project is None or index.row() >= len(self._rows):
            return None
        i = self._rows[index.row()]
        entry = self.project.images[i]
        if role == self.TileRole:
            pixmap = None if entry.broken else self._state.thumbnails.pixmap(entry.path)
            position = self._class_pos.get(entry.label, -1) if entry.label else -1
            suggestion = self._suggestion(entry.path, entry.label, entry.excluded)
            suggested = self._class_pos.get(suggestion[0], -1) if suggestion else -1
            return Tile(self._names[i], entry.label, position, entry.broken, pixmap, entry.excluded,
                        suggestion, suggested)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._names[i]
        if role == Qt.ItemDataRole.DecorationRole:
            return None if entry.broken else self._state.thumbnails.pixmap(entry.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(i)
        return {
            self.ImageIndexRole: i, self.PathRole: entry.path, self.LabelRole: entry.label,
            self.ClassIndexRole: self._class_pos.get(entry.label, -1) if entry.label else -1,
            self.BrokenRole: entry.broken, self.SplitRole: entry.split, self.ExcludedRole: entry.excluded,
            self.SuggestionRole: self._suggestion(entry.path, entry.label, entry.excluded),
        }.get(role)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        """Images can be selected and dragged onto a class."""
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        """The drag format of images."""
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """Return drag data for the dragged rows (their project indices)."""
        return encode_image_indices(sorted({self._rows[i.row()] for i in indexes if i.isValid()}))

    def supportedDragActions(self) -> Qt.DropAction:
        """Dragging an image onto a class moves it there."""
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    # ------------------------------------------------------------- helpers
    def image_index(self, row: int) -> int:
        """Return the project image index shown at ``row``."""
        return self._rows[row]

    def row_of(self, image_index: int) -> int | None:
        """Return the row of a project image, or None when filtered out."""
        if self._row_of is None:
            self._row_of = {img: row for row, img in enumerate(self._rows)}
        return self._row_of.get(image_index)

    def set_suggestions(self, suggestions: dict[str, tuple[str, float]]) -> None:
        """Show the instant head's suggested labels (path: class, confidence) on unlabelled tiles."""
        self.suggestions = suggestions
        self._emit_changed(None)

    def _suggestion(self, path: str, label: str | None, excluded: bool) -> tuple[str, float] | None:
        return self.suggestions.get(path) if label is None and not excluded else None

    def set_filter(self, kind: str, class_name: str | None = None) -> None:
        """Show ``all``, ``unlabeled``, ``broken``, ``excluded`` or one ``class`` (named ``class_name``)."""
        self.filter_kind, self.filter_class = kind, class_name
        self._state.thumbnails.clear_pending()
        self._refresh(reset=True)

    def set_search(self, text: str) -> None:
        """Show only file names containing ``text`` (case-insensitive)."""
        self.search_text = text.strip().casefold()
        self._refresh(reset=True)

    def set_sort(self, key: str) -> None:
        """Sort by one of :data:`SORTS`."""
        self.sort_key = key if key in SORTS else "added"
        self._refresh(reset=True)

    def _tooltip(self, i: int) -> str:
        entry = self.project.images[i]
        lines = [f"<b>{html.escape(self._names[i])}</b>", html.escape(os.path.dirname(entry.path))]
        lines.append(translate("ImageListModel", "Class: {name}").format(name=html.escape(entry.label))
                     if entry.label else translate("ImageListModel", "Unlabeled"))
        if entry.split:
            split = translate("ImageListModel", SPLIT_TITLES[entry.split]) if entry.split in SPLIT_TITLES \
                else html.escape(entry.split)
            lines.append(translate("ImageListModel", "Split: {split}").format(split=split))
        if entry.excluded:
            lines.append(translate("ImageListModel", "Excluded from training (X includes it again)"))
        suggestion = self._suggestion(entry.path, entry.label, entry.excluded)
        if suggestion:
            name, percent = html.escape(suggestion[0]), int(suggestion[1] * 100)
            lines.append(translate("ImageListModel", "Suggested: {name} ({percent}%); Enter accepts")
                         .format(name=name, percent=percent))
        if entry.broken:
            reason = translate("ImageListModel", "Cannot be read: {reason}").format(
                reason=html.escape(entry.broken))
            lines.append(f"<span style='color:#d64545'>{reason}</span>")
        return "<html>" + "<br>".join(lines) + "</html>"  # names are escaped: shown literally

    def _matching(self) -> list[int]:
        images = self.project.images if self.project is not None else []
        kind, wanted = self.filter_kind, self.filter_class
        if kind == "unlabeled":
            rows = [i for i, e in enumerate(images) if e.label is None and not e.broken and not e.excluded]
        elif kind == "excluded":
            rows = [i for i, e in enumerate(images) if e.excluded]
        elif kind == "broken":
            rows = [i for i, e in enumerate(images) if e.broken]
        elif kind == "class":
            rows = [i for i, e in enumerate(images) if e.label == wanted]
        else:
            rows = list(range(len(images)))
        if self.search_text:
            rows = [i for i in rows if self.search_text in self._names[i].casefold()]
        if self.sort_key == "name":
            rows.sort(key=lambda i: _natural_key(self._names[i]))
        elif self.sort_key == "folder":
            rows.sort(key=lambda i: (os.path.dirname(images[i].path), _natural_key(self._names[i])))
        elif self.sort_key == "class":
            rows.sort(key=lambda i: self._class_pos.get(images[i].label, len(self._class_pos)))
        return rows

    def _refresh(self, changed: Sequence[int] | None = None, reset: bool = False) -> None:
        stable = self.filter_kind == "all" and self.sort_key != "class"
        if not reset and stable and len(self._rows) == len(self._names):
            self._emit_changed(changed)  # labels never move rows here: skip the O(n) recompute
            return
        new = self._matching()
        if reset:
            self._replace_rows(new)
        elif new == self._rows:
            self._emit_changed(changed)
        elif not self._remove_rows(new):
            self._replace_rows(new)

    def _replace_rows(self, new: list[int]) -> None:
        self.beginResetModel()
        self._rows, self._row_of = new, None
        self.endResetModel()

    def _remove_rows(self, new: list[int]) -> bool:
        """Remove the rows missing from ``new`` in a few blocks; False when a reset is simpler."""
        keep = set(new)
        if len(new) > len(self._rows) or [r for r in self._rows if r in keep] != new:
            return False
        gone = [row for row, img in enumerate(self._rows) if img not in keep]
        blocks: list[list[int]] = []
        for row in gone:
            if blocks and blocks[-1][1] == row - 1:
                blocks[-1][1] = row
            else:
                blocks.append([row, row])
        if len(blocks) > 64:
            return False
        for first, last in reversed(blocks):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first:last + 1]
            self._row_of = None
            self.endRemoveRows()
        self._emit_changed(None)
        return True

    def _emit_changed(self, changed: Sequence[int] | None) -> None:
        """Emit ``dataChanged`` for the rows of ``changed`` images, one signal per run of rows."""
        if not self._rows:
            return
        if changed is None:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))
            return
        rows = sorted(r for r in (self.row_of(i) for i in changed) if r is not None)
        if len(rows) > 64:
            self.dataChanged.emit(self.index(rows[0]), self.index(rows[-1]))
            return
        start = prev = rows[0] if rows else -1
        for row in [*rows[1:], None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            if start >= 0:
                self.dataChanged.emit(self.index(start), self.index(prev))
            start = prev = row if row is not None else -1

    def _rebuild_names(self) -> None:
        images = self.project.images if self.project is not None else []
        self._names = [os.path.basename(e.path) for e in images]
        self._class_pos = {c: i for i, c in enumerate(self.project.classes)} if self.project else {}

    # --------------------------------------------------------------- slots
    @Slot(object)
    def _on_project_changed(self, _project: object) -> None:
        self.filter_kind, self.filter_class, self.search_text = "all", None, ""
        self._rebuild_names()
        self._refresh(reset=True)

    @Slot()
    def _on_images_changed(self) -> None:
        self._rebuild_names()
        new = self._matching()
        if new[: len(self._rows)] == self._rows and len(new) > len(self._rows):
            self.beginInsertRows(QModelIndex(), len(self._rows), len(new) - 1)
            self._rows, self._row_of = new, None
            self.endInsertRows()
        elif new != self._rows and not self._remove_rows(new):
            self._replace_rows(new)

    @Slot(object)
    def _on_labels_changed(self, indices: list[int] | None) -> None:
        self._refresh(indices)

    @Slot()
    def _on_classes_changed(self) -> None:
        self._class_pos = {c: i for i, c in enumerate(self.project.classes)} if self.project else {}
        if self.filter_kind == "class" and self.project and self.filter_class not in self.project.classes:
            self.filter_kind, self.filter_class = "all", None
            self._refresh(reset=True)

    @Slot()
    def _on_language_changed(self) -> None:
        self._emit_changed(None)  # tooltips and the tiles' "Excluded" chip

    @Slot(object)
    def _on_thumbnails_ready(self, paths: list[str]) -> None:
        if self.project is None:
            return
        indices = [i for i in (self.project.index_of(p) for p in paths) if i is not None]
        self._emit_changed(indices)
