"""The doctor's review queue as a list model: one row per open finding, grouped by severity and kind.

Rows are the findings of the last scan that the project does not remember as dismissed (handled
or kept as they are): a decision takes its finding out of the queue, and undoing the decision
brings it back, because both only change ``project.dismissed_findings``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Slot

from engine.doctor.findings import Finding
from gui.data.image_list_model import SPLIT_TITLES
from gui.i18n import language_notifier, translate
from gui.state.app_state import AppState
from gui.widgets.plain_text import tooltip_text

_ModelIndex = QModelIndex | QPersistentModelIndex

KIND_TITLES = {  # engine finding kind: title (translated by kind_title)
    "leakage": QT_TRANSLATE_NOOP("DoctorListModel", "Train/validation leakage"),
    "duplicate": QT_TRANSLATE_NOOP("DoctorListModel", "Duplicates"),
    "label": QT_TRANSLATE_NOOP("DoctorListModel", "Suspect labels"),
    "outlier": QT_TRANSLATE_NOOP("DoctorListModel", "Outliers"),
    "dark": QT_TRANSLATE_NOOP("DoctorListModel", "Too dark"),
    "bright": QT_TRANSLATE_NOOP("DoctorListModel", "Overexposed"),
    "blurry": QT_TRANSLATE_NOOP("DoctorListModel", "Blurry"),
    "low_contrast": QT_TRANSLATE_NOOP("DoctorListModel", "Low contrast"),
    "tiny": QT_TRANSLATE_NOOP("DoctorListModel", "Tiny images"),
    "odd_shape": QT_TRANSLATE_NOOP("DoctorListModel", "Odd shapes"),
    "balance": QT_TRANSLATE_NOOP("DoctorListModel", "Class balance"),
}
SEVERITY_TITLES = {  # engine severity: title (translated by group_title)
    "high": QT_TRANSLATE_NOOP("DoctorListModel", "high"),
    "medium": QT_TRANSLATE_NOOP("DoctorListModel", "medium"),
    "low": QT_TRANSLATE_NOOP("DoctorListModel", "low"),
}
ACTION_TITLES = {  # engine action without an argument: the fix in words (translated by action_text)
    "exclude": QT_TRANSLATE_NOOP("DoctorListModel", "Exclude from training"),
    "add_images": QT_TRANSLATE_NOOP("DoctorListModel", "Add images to this class (Enter: noted)"),
    "review": QT_TRANSLATE_NOOP("DoctorListModel", "Look, then keep it (Enter) or relabel/exclude"),
}


def kind_title(kind: str) -> str:
    """The title of a finding kind in the interface language (an unknown kind as it is)."""
    return translate("DoctorListModel", KIND_TITLES[kind]) if kind in KIND_TITLES else kind


def split_title(split: str) -> str:
    """A split's name inside a sentence ("training"), in the interface language."""
    return translate("ImageListModel", SPLIT_TITLES[split]) if split in SPLIT_TITLES else split


def action_text(finding: Finding) -> str:
    """The suggested fix in words, as Enter would apply it."""
    action, _, arg = finding.action.partition(":")
    pair = len(finding.paths) == 2
    if action == "relabel":
        return translate("DoctorListModel", "Relabel as “{label}”").format(label=arg)
    if action == "move_to":
        text = translate("DoctorListModel", "Move both to {split}") if pair else \
            translate("DoctorListModel", "Move all to {split}")
        return text.format(split=split_title(arg))
    if action == "exclude_extra":
        return translate("DoctorListModel", "Keep the first, exclude the other copy") if pair else \
            translate("DoctorListModel", "Keep the first, exclude the other copies")
    return translate("DoctorListModel", ACTION_TITLES[action]) if action in ACTION_TITLES else finding.action


def group_title(finding: Finding, count: int) -> str:
    """The header above a group: "Suspect labels · high · 12"."""
    severity = SEVERITY_TITLES.get(finding.severity)
    return translate("DoctorListModel", "{kind} · {severity} · {count}").format(
        kind=kind_title(finding.kind), count=f"{count:,}",
        severity=translate("DoctorListModel", severity) if severity else finding.severity)


class DoctorListModel(QAbstractListModel):
    """Open findings in the engine's order (severity, kind, score)."""

    FindingRole = Qt.ItemDataRole.UserRole + 1
    GroupRole = Qt.ItemDataRole.UserRole + 2  # the group title when the row starts a group, else ""

    def __init__(self, state: AppState, parent: Any = None) -> None:
        super().__init__(parent)
        self._state = state
        self._all: list[Finding] = []
        self._rows: list[Finding] = []
        self._groups: dict[int, int] = {}  # first row of a group: the group's size
        self._paths: dict[str, list[int]] = {}
        state.dismissed_changed.connect(self.refresh)
        state.thumbnails.ready.connect(self._on_thumbnails_ready)
        language_notifier().changed.connect(self._on_language_changed)

    # ------------------------------------------------------------- Qt API
    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Open findings."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The finding, its group title, or its reason as text (display and tooltip)."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        finding = self._rows[index.row()]
        if role == self.FindingRole:
            return finding
        if role == self.GroupRole:
            size = self._groups.get(index.row())
            return group_title(finding, size) if size else ""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = f"{finding.reason}\n{action_text(finding)}\n" + "\n".join(finding.paths)
            return tooltip_text(text) if role == Qt.ItemDataRole.ToolTipRole else text  # file names literally
        return None

    # ------------------------------------------------------------- queries
    def finding(self, row: int) -> Finding | None:
        """The finding at ``row``, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key: str) -> int | None:
        """The row of the finding with ``key``, or None when it is not open."""
        return next((row for row, f in enumerate(self._rows) if f.key == key), None)

    @property
    def scanned(self) -> int:
        """Findings of the last scan, open or not."""
        return len(self._all)

    def counts(self) -> dict[str, int]:
        """Open findings per kind, in the engine's order, without zeros."""
        counts: dict[str, int] = {}
        for f in self._rows:
            counts[f.kind] = counts.get(f.kind, 0) + 1
        return counts

    # ------------------------------------------------------------ changes
    def set_findings(self, findings: list[Finding]) -> None:
        """Show the findings of a new scan (already sorted by the engine)."""
        self._all = list(findings)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Recompute the open rows after a dismissal or its undo."""
        project = self._state.project
        dismissed = set(project.dismissed_findings) if project is not None else set()
        rows = [f for f in self._all if f.key not in dismissed] if project is not None else []
        if rows == self._rows:
            return
        self.beginResetModel()
        self._rows = rows
        self._groups, self._paths = _groups(rows), {}
        for row, f in enumerate(rows):
            for path in f.paths:
                self._paths.setdefault(path, []).append(row)
        self.endResetModel()

    @Slot()
    def _on_language_changed(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    @Slot(object)
    def _on_thumbnails_ready(self, paths: list[str]) -> None:
        rows = sorted({row for p in paths for row in self._paths.get(p, ())})
        if rows:
            self.dataChanged.emit(self.index(rows[0]), self.index(rows[-1]))


def _groups(rows: list[Finding]) -> dict[int, int]:
    """Row -> group size for the first row of each (severity, kind) group."""
    sizes: dict[tuple[str, str], int] = {}
    for f in rows:
        sizes[(f.severity, f.kind)] = sizes.get((f.severity, f.kind), 0) + 1
    groups: dict[int, int] = {}
    previous: tuple[str, str] | None = None
    for row, f in enumerate(rows):
        if (f.severity, f.kind) != previous:
            groups[row] = sizes[(f.severity, f.kind)]
            previous = (f.severity, f.kind)
    return groups
