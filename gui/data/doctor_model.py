"""The doctor's review queue as a list model: one row per open finding, grouped by severity and kind.

Rows are the findings of the last scan that the project does not remember as dismissed (handled
or kept as they are): a decision takes its finding out of the queue, and undoing the decision
brings it back, because both only change ``project.dismissed_findings``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Slot

from engine.doctor.findings import Finding
from gui.state.app_state import AppState
from gui.widgets.plain_text import tooltip_text

_ModelIndex = QModelIndex | QPersistentModelIndex

KIND_TITLES = {
    "leakage": "Train/validation leakage", "duplicate": "Duplicates", "label": "Suspect labels",
    "outlier": "Outliers", "dark": "Too dark", "bright": "Overexposed", "blurry": "Blurry",
    "low_contrast": "Low contrast", "tiny": "Tiny images", "odd_shape": "Odd shapes",
    "balance": "Class balance",
}
SPLIT_TITLES = {"train": "training", "val": "validation"}


def action_text(finding: Finding) -> str:
    """The suggested fix in words, as Enter would apply it."""
    action = finding.action
    if action.startswith("relabel:"):
        return f"Relabel as “{action.split(':', 1)[1]}”"
    if action.startswith("move_to:"):
        split = action.split(":", 1)[1]
        return f"Move {'both' if len(finding.paths) == 2 else 'all'} to {SPLIT_TITLES.get(split, split)}"
    return {
        "exclude": "Exclude from training",
        "exclude_extra": f"Keep the first, exclude the other cop{'y' if len(finding.paths) == 2 else 'ies'}",
        "add_images": "Add images to this class (Enter: noted)",
        "review": "Look, then keep it (Enter) or relabel/exclude",
    }.get(action, action)


def group_title(finding: Finding, count: int) -> str:
    """The header above a group: "Suspect labels · high · 12"."""
    return f"{KIND_TITLES.get(finding.kind, finding.kind)} · {finding.severity} · {count:,}"


class DoctorListModel(QAbstractListModel):
    """Open findings in the engine's order (severity, kind, score)."""

    FindingRole = Qt.ItemDataRole.UserRole + 1
    GroupRole = Qt.ItemDataRole.UserRole + 2  # the group title when the row starts a group, else ""

    def __init__(self, state: AppState, parent: Any = None) -> None:
        super().__init__(parent)
        self._state = state
        self._all: list[Finding] = []
        self._rows: list[Finding] = []
        self._groups: dict[int, str] = {}
        self._paths: dict[str, list[int]] = {}
        state.dismissed_changed.connect(self.refresh)
        state.thumbnails.ready.connect(self._on_thumbnails_ready)

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
            return self._groups.get(index.row(), "")
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

    @Slot(object)
    def _on_thumbnails_ready(self, paths: list[str]) -> None:
        rows = sorted({row for p in paths for row in self._paths.get(p, ())})
        if rows:
            self.dataChanged.emit(self.index(rows[0]), self.index(rows[-1]))


def _groups(rows: list[Finding]) -> dict[int, str]:
    """Row -> group title for the first row of each (severity, kind) group."""
    sizes: dict[tuple[str, str], int] = {}
    for f in rows:
        sizes[(f.severity, f.kind)] = sizes.get((f.severity, f.kind), 0) + 1
    groups: dict[int, str] = {}
    previous: tuple[str, str] | None = None
    for row, f in enumerate(rows):
        if (f.severity, f.kind) != previous:
            groups[row] = group_title(f, sizes[(f.severity, f.kind)])
            previous = (f.severity, f.kind)
    return groups
