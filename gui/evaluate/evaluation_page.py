"""The Evaluate stage: confusion matrix, per-class metrics, misclassified images, confidence.

The Confidence tab says how far the run's probabilities can be trusted (calibration and "none of
my classes"). A misclassified image whose label was wrong can be relabelled in place; the change
goes through the project's undo stack (``AppState.label_images``), so Ctrl+Z or the Undo button
reverts it.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.errors import TransferStudioError
from engine.runs.evaluation import Evaluation, load_evaluation
from engine.runs.files import read_run
from gui.evaluate.confidence import ConfidenceView
from gui.evaluate.confusion_matrix import ConfusionMatrixWidget
from gui.evaluate.gallery import GalleryItem, ImageGallery
from gui.train.wizard.pages import plain_label, set_row, table


def run_title(run: dict[str, Any]) -> str:
    """One line for a project's run entry; a damaged field shows as "?" instead of failing."""
    best = run.get("best_val_acc")
    valid = isinstance(best, (int, float)) and not isinstance(best, bool) and math.isfinite(best)
    accuracy = f"{best:.1%}" if valid else "accuracy ?"
    created = str(run.get("created", ""))[:16].replace("T", " ")
    return f"{created}  {run.get('strategy', '')}  ({accuracy})"


class EvaluationPage(QWidget):
    """Shows one run's validation results; ``state`` is the ``AppState`` (optional)."""

    run_loaded = Signal(str)

    def __init__(self, state: Any = None, thumbnails: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.evaluation: Evaluation | None = None
        self.run_combo = QComboBox(self)
        self.run_combo.setMinimumContentsLength(28)
        self.run_combo.activated.connect(self._on_run_chosen)
        open_button = QPushButton("Open run folder…", self)
        open_button.clicked.connect(self.ask_run_folder)
        self.summary = plain_label("Train a model first; its validation results appear here.", self)
        self.matrix = ConfusionMatrixWidget(self)
        self.matrix.cell_clicked.connect(self.show_cell)
        self.metrics = table(["Class", "Precision", "Recall", "F1", "Images"], self)
        self.cell_title = plain_label("Click a cell of the matrix to see its images.", self)
        self.cell_gallery = ImageGallery(thumbnails, self)
        self.wrong_gallery = ImageGallery(thumbnails, self)
        self.wrong_gallery.itemSelectionChanged.connect(self._update_relabel)
        self.relabel_button = QToolButton(self)
        self.relabel_button.setText("Relabel as")
        self.relabel_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.relabel_menu = QMenu(self)
        self.relabel_menu.triggered.connect(self._on_relabel_action)
        self.relabel_button.setMenu(self.relabel_menu)
        self.undo_button = QPushButton("Undo", self)
        self.relabel_note = plain_label("", self)
        self.relabel_note.setObjectName("mutedLabel")
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.metrics, "Per class")
        self.tabs.addTab(self._cell_tab(), "Selected cell")
        self.tabs.addTab(self._wrong_tab(), "Misclassified")
        self.confidence = ConfidenceView(self)
        self.tabs.addTab(self.confidence, "Confidence")
        self._layout(open_button)
        if state is not None:
            state.project_changed.connect(self.refresh_runs)
            state.runs_changed.connect(self.refresh_runs)
            state.labels_changed.connect(self._on_labels_changed)
            self.undo_button.clicked.connect(state.undo_stack.undo)
            state.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
            state.classes_changed.connect(self._update_relabel)
        self.undo_button.setEnabled(state is not None and state.undo_stack.canUndo())
        self._update_relabel()
        self.refresh_runs()

    def _layout(self, open_button: QPushButton) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("Run:", self))
        top.addWidget(self.run_combo, 1)
        top.addWidget(open_button)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.matrix)
        splitter.addWidget(self.tabs)
        splitter.setSizes([520, 700])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    def _cell_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.cell_title)
        layout.addWidget(self.cell_gallery, 1)
        return tab

    def _wrong_tab(self) -> QWidget:
        tab = QWidget(self)
        hint = plain_label(
            "Wrong predictions, the most confidently wrong first. If the label was the mistake, "
            "select the image and relabel it.",
            tab,
        )
        row = QHBoxLayout()
        row.addWidget(self.relabel_button)
        row.addWidget(self.undo_button)
        row.addWidget(self.relabel_note, 1)
        layout = QVBoxLayout(tab)
        layout.addWidget(hint)
        layout.addWidget(self.wrong_gallery, 1)
        layout.addLayout(row)
        return tab

    # ------------------------------------------------------------------ runs
    @Slot()
    def refresh_runs(self) -> None:
        """List the project's runs (newest first) in the run chooser."""
        project = getattr(self.state, "project", None)
        current = self.run_combo.currentData()
        self.run_combo.clear()
        runs = list(project.runs) if project is not None else []
        for run in sorted(runs, key=lambda r: str(r.get("created", "")), reverse=True):
            self.run_combo.addItem(run_title(run), str(run.get("run_dir")))
        if current is not None and self.run_combo.findData(current) >= 0:
            self.run_combo.setCurrentIndex(self.run_combo.findData(current))

    @Slot()
    def ask_run_folder(self) -> None:
        """Open any run folder, in or outside the project."""
        folder = QFileDialog.getExistingDirectory(self, "Open a run folder")
        if folder:
            self.load_run(folder)

    @Slot(int)
    def _on_run_chosen(self, index: int) -> None:
        run_dir = self.run_combo.itemData(index)
        if run_dir:
            self.load_run(str(run_dir))

    def load_run(self, run_dir: str) -> bool:
        """Show ``run_dir``'s validation results; False (and a message) when it has none."""
        try:
            evaluation = load_evaluation(run_dir)
        except TransferStudioError as exc:
            self.summary.setText(str(exc))
            return False
        self.evaluation = evaluation
        if self.run_combo.findData(run_dir) < 0:
            self.run_combo.addItem(read_run(run_dir).name, run_dir)
        self.run_combo.setCurrentIndex(self.run_combo.findData(run_dir))
        n = len(evaluation.paths)
        changed = evaluation.changed_images()  # checked against the run's dataset.json
        first = next(iter(changed.items()), None)
        note = f" {len(changed):,} image(s) changed or gone, e.g. {first[0]}: {first[1]}." if first else ""
        self.summary.setText(
            f"Accuracy {evaluation.accuracy():.1%} on {n:,} validation images "
            f"(from the best epoch, {evaluation.epoch}); {len(evaluation.misclassified()):,} wrong. "
            "Click a cell to see its images."
            + note
        )
        self.matrix.set_matrix(evaluation.confusion(), evaluation.classes)
        self._fill_metrics(evaluation)
        self.cell_gallery.set_items([])
        self.cell_title.setText("Click a cell of the matrix to see its images.")
        self.wrong_gallery.set_items([self._item(r) for r in evaluation.misclassified()])
        self.tabs.setTabText(2, f"Misclassified ({len(evaluation.misclassified())})")
        self.relabel_note.setText("")
        self.confidence.show_run(run_dir, evaluation.classes)
        self.run_loaded.emit(run_dir)
        return True

    def _fill_metrics(self, evaluation: Evaluation) -> None:
        rows = evaluation.class_metrics()
        self.metrics.setRowCount(len(rows))
        for i, m in enumerate(rows):
            set_row(
                self.metrics,
                i,
                [m.name, f"{m.precision:.1%}", f"{m.recall:.1%}", f"{m.f1:.3f}", f"{m.support:,}"],
            )

    # -------------------------------------------------------------- drill-down
    @Slot(int, int)
    def show_cell(self, true: int, predicted: int) -> None:
        """List the images of one confusion-matrix cell."""
        e = self.evaluation
        if e is None:
            return
        rows = e.cell(true, predicted)
        verdict = "correct" if true == predicted else "wrong"
        self.cell_title.setText(
            f"{len(rows):,} images of “{e.classes[true]}” predicted as “{e.classes[predicted]}” ({verdict})."
        )
        self.cell_gallery.set_items([self._item(r) for r in rows])
        self.tabs.setCurrentIndex(1)

    def _current_label(self, path: str) -> str | None:
        project = getattr(self.state, "project", None)
        index = project.index_of(path) if project is not None else None
        return project.images[index].label if index is not None else None

    def _item(self, row: int) -> GalleryItem:
        e = self.evaluation
        assert e is not None
        path, true, pred = e.paths[row], int(e.labels[row]), int(e.predicted[row])
        p = float(e.probs[row, pred])
        caption = f"{e.classes[true]} → {e.classes[pred]}\n{p:.0%} sure"
        now = self._current_label(path)
        if now is not None and now != e.classes[true]:
            caption += f"\nnow labelled {now}"
        tooltip = (
            f"{path}\nlabelled {e.classes[true]}, predicted {e.classes[pred]} ({p:.1%}), loss "
            f"{float(e.losses[row]):.2f}"
        )
        return GalleryItem(path, caption, tooltip, row)

    # ---------------------------------------------------------------- relabel
    @Slot()
    def _update_relabel(self) -> None:
        project = getattr(self.state, "project", None)
        selected = self.wrong_gallery.selected_rows()
        self.relabel_menu.clear()
        if project is not None:
            for name in project.classes:
                action = self.relabel_menu.addAction(name.replace("&", "&&"))
                action.setData(name)
        enabled = project is not None and bool(selected)
        self.relabel_button.setEnabled(enabled)
        self.relabel_button.setToolTip(
            "" if project is not None else "Open the run's project to relabel images."
        )

    @Slot(QAction)
    def _on_relabel_action(self, action: QAction) -> None:
        self.relabel_selected(str(action.data()))

    def relabel_selected(self, label: str) -> int:
        """Give the selected misclassified images class ``label`` (one undoable step); return how many."""
        project = getattr(self.state, "project", None)
        if project is None or self.evaluation is None:
            return 0
        paths = [self.evaluation.paths[r] for r in self.wrong_gallery.selected_rows()]
        indices = [i for i in (project.index_of(p) for p in paths) if i is not None]
        if not indices:
            self.relabel_note.setText("These images are no longer in the project.")
            return 0
        self.state.label_images(indices, label)
        self.relabel_note.setText(
            f"Relabelled {len(indices)} image{'s' if len(indices) != 1 else ''} as "
            f"“{label}”. Retrain to use the new labels."
        )
        return len(indices)

    @Slot(object)
    def _on_labels_changed(self, _indices: object) -> None:
        e = self.evaluation
        if e is None:
            return
        for gallery in (self.wrong_gallery, self.cell_gallery):
            for i in range(gallery.count()):
                row = int(gallery.item(i).data(Qt.ItemDataRole.UserRole + 1))
                gallery.item(i).setText(self._item(row).caption)
