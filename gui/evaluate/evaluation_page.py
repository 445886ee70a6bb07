"""The Evaluate stage: confusion matrix, per-class metrics, misclassified images, confidence.

The Confidence tab says how far the run's probabilities can be trusted (calibration and "none of
my classes"). A misclassified image whose label was wrong can be relabelled in place; the change
goes through the project's undo stack (``AppState.label_images``), so Ctrl+Z or the Undo button
reverts it. Every text follows the interface language (``retranslate_ui``), the state-dependent
ones (summary, cell title, captions, the relabel note) recomputed from what is shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal, Slot
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
from gui.evaluate.gallery import ROW_ROLE, GalleryItem, ImageGallery
from gui.i18n import retranslate_on_change, translate
from gui.train.strategy_names import strategy_title
from gui.train.wizard.pages import plain_label, set_row, table
from gui.widgets.plain_text import set_tooltip

METRIC_COLUMNS = (
    QT_TRANSLATE_NOOP("EvaluationPage", "Class"),
    QT_TRANSLATE_NOOP("EvaluationPage", "Precision"),
    QT_TRANSLATE_NOOP("EvaluationPage", "Recall"),
    QT_TRANSLATE_NOOP("EvaluationPage", "F1"),
    QT_TRANSLATE_NOOP("EvaluationPage", "Images"),
)
NO_RUN = QT_TRANSLATE_NOOP("EvaluationPage", "Train a model first; its validation results appear here.")
CLICK_A_CELL = QT_TRANSLATE_NOOP("EvaluationPage", "Click a cell of the matrix to see its images.")


def run_title(run: dict[str, Any]) -> str:
    """One line for a project's run entry; a damaged field shows as "?" instead of failing."""
    best = run.get("best_val_acc")
    valid = isinstance(best, (int, float)) and not isinstance(best, bool) and math.isfinite(best)
    accuracy = f"{best:.1%}" if valid else translate("EvaluationPage", "accuracy ?")
    created = str(run.get("created", ""))[:16].replace("T", " ")
    return f"{created}  {strategy_title(str(run.get('strategy', '')))}  ({accuracy})"


class EvaluationPage(QWidget):
    """Shows one run's validation results; ``state`` is the ``AppState`` (optional)."""

    run_loaded = Signal(str)

    def __init__(self, state: Any = None, thumbnails: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.evaluation: Evaluation | None = None
        # texts that depend on what is shown, as functions: a language change calls them again
        self._summary: Callable[[], str] = lambda: translate("EvaluationPage", NO_RUN)
        self._cell_title: Callable[[], str] = lambda: translate("EvaluationPage", CLICK_A_CELL)
        self._note: Callable[[], str] = str
        self.run_combo = QComboBox(self)
        self.run_combo.setMinimumContentsLength(28)
        self.run_combo.activated.connect(self._on_run_chosen)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self.ask_run_folder)
        self.run_label = QLabel(self)
        self.summary = plain_label("", self)
        self.matrix = ConfusionMatrixWidget(self)
        self.matrix.cell_clicked.connect(self.show_cell)
        self.metrics = table(list(METRIC_COLUMNS), self)
        self.cell_title = plain_label("", self)
        self.cell_gallery = ImageGallery(thumbnails, self)
        self.wrong_gallery = ImageGallery(thumbnails, self)
        self.wrong_gallery.itemSelectionChanged.connect(self._update_relabel)
        self.relabel_button = QToolButton(self)
        self.relabel_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.relabel_menu = QMenu(self)
        self.relabel_menu.triggered.connect(self._on_relabel_action)
        self.relabel_button.setMenu(self.relabel_menu)
        self.undo_button = QPushButton(self)
        self.relabel_note = plain_label("", self)
        self.relabel_note.setObjectName("mutedLabel")
        self.wrong_hint = plain_label("", self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.metrics, "")
        self.tabs.addTab(self._cell_tab(), "")
        self.tabs.addTab(self._wrong_tab(), "")
        self.confidence = ConfidenceView(self)
        self.tabs.addTab(self.confidence, "")
        self._layout()
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
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Every text of the page in the interface language, the shown run's included."""
        self.run_label.setText(translate("EvaluationPage", "Run:"))
        self.open_button.setText(translate("EvaluationPage", "Open run folder…"))
        self.metrics.setHorizontalHeaderLabels([translate("EvaluationPage", c) for c in METRIC_COLUMNS])
        self.relabel_button.setText(translate("EvaluationPage", "Relabel as"))
        self.undo_button.setText(translate("EvaluationPage", "Undo"))
        self.wrong_hint.setText(translate(
            "EvaluationPage",
            "Wrong predictions, the most confidently wrong first. If the label was the mistake, "
            "select the image and relabel it."))
        self.tabs.setTabText(0, translate("EvaluationPage", "Per class"))
        self.tabs.setTabText(1, translate("EvaluationPage", "Selected cell"))
        wrong = len(self.evaluation.misclassified()) if self.evaluation is not None else None
        self.tabs.setTabText(2, translate("EvaluationPage", "Misclassified") if wrong is None
                             else translate("EvaluationPage", "Misclassified ({count})").format(count=wrong))
        self.tabs.setTabText(3, translate("EvaluationPage", "Confidence"))
        self.summary.setText(self._summary())
        self.cell_title.setText(self._cell_title())
        self.relabel_note.setText(self._note())
        self._retitle_runs()
        self._update_relabel()
        self._recaption()

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.run_label)
        top.addWidget(self.run_combo, 1)
        top.addWidget(self.open_button)
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
        row = QHBoxLayout()
        row.addWidget(self.relabel_button)
        row.addWidget(self.undo_button)
        row.addWidget(self.relabel_note, 1)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.wrong_hint)
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

    def _retitle_runs(self) -> None:
        """Title the listed project runs again (a run opened from elsewhere keeps its folder name)."""
        project = getattr(self.state, "project", None)
        runs = {str(r.get("run_dir")): r for r in (project.runs if project is not None else [])}
        for i in range(self.run_combo.count()):
            run = runs.get(str(self.run_combo.itemData(i)))
            if run is not None:
                self.run_combo.setItemText(i, run_title(run))

    @Slot()
    def ask_run_folder(self) -> None:
        """Open any run folder, in or outside the project."""
        folder = QFileDialog.getExistingDirectory(self, translate("EvaluationPage", "Open a run folder"))
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
            reason = str(exc)  # the engine's words, naming the file
            self._summary = lambda: translate(
                "EvaluationPage", "This run's validation results cannot be shown: {reason}"
            ).format(reason=reason)
            self.summary.setText(self._summary())
            return False
        self.evaluation = evaluation
        if self.run_combo.findData(run_dir) < 0:
            self.run_combo.addItem(read_run(run_dir).name, run_dir)
        self.run_combo.setCurrentIndex(self.run_combo.findData(run_dir))
        changed = evaluation.changed_images()  # checked against the run's dataset.json
        self._summary = lambda: summary_text(evaluation, changed)
        self._cell_title = lambda: translate("EvaluationPage", CLICK_A_CELL)
        self._note = str
        self.matrix.set_matrix(evaluation.confusion(), evaluation.classes)
        self._fill_metrics(evaluation)
        self.cell_gallery.set_items([])
        self.wrong_gallery.set_items([self._item(r) for r in evaluation.misclassified()])
        self.confidence.show_run(run_dir, evaluation.classes)
        self.retranslate_ui()
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
        self._cell_title = lambda: cell_text(len(rows), e.classes[true], e.classes[predicted])
        self.cell_title.setText(self._cell_title())
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
        caption = translate("EvaluationPage", "{true} → {predicted}\n{probability} sure").format(
            true=e.classes[true], predicted=e.classes[pred], probability=f"{p:.0%}")
        now = self._current_label(path)
        if now is not None and now != e.classes[true]:
            caption += "\n" + translate("EvaluationPage", "now labelled {label}").format(label=now)
        tooltip = translate(
            "EvaluationPage", "{path}\nlabelled {true}, predicted {predicted} ({probability}), loss {loss}"
        ).format(path=path, true=e.classes[true], predicted=e.classes[pred], probability=f"{p:.1%}",
                 loss=f"{float(e.losses[row]):.2f}")
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
                set_tooltip(action, name)  # the default tooltip is the text, which Qt may take for HTML
        enabled = project is not None and bool(selected)
        self.relabel_button.setEnabled(enabled)
        hint = translate("EvaluationPage", "Open the run's project to relabel images.")
        self.relabel_button.setToolTip("" if project is not None else hint)

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
            self._note = lambda: translate("EvaluationPage", "These images are no longer in the project.")
        else:
            self.state.label_images(indices, label)
            count = len(indices)
            self._note = lambda: (
                translate("EvaluationPage", "Relabelled 1 image as “{label}”. Retrain to use the new label.")
                if count == 1 else
                translate("EvaluationPage",
                          "Relabelled {count} images as “{label}”. Retrain to use the new labels.")
            ).format(label=label, count=count)
        self.relabel_note.setText(self._note())
        return len(indices)

    @Slot(object)
    def _on_labels_changed(self, _indices: object) -> None:
        self._recaption()

    def _recaption(self) -> None:
        """Captions and tooltips of the shown tiles again (labels or the language changed)."""
        if self.evaluation is None:
            return
        for gallery in (self.wrong_gallery, self.cell_gallery):
            for i in range(gallery.count()):
                entry = self._item(int(gallery.item(i).data(ROW_ROLE)))
                gallery.item(i).setText(entry.caption)
                set_tooltip(gallery.item(i), entry.tooltip)


def summary_text(evaluation: Evaluation, changed: dict[str, str]) -> str:
    """The line above the matrix: accuracy, how many wrong, and images changed since the run."""
    text = translate(
        "EvaluationPage",
        "Accuracy {accuracy} on {count} validation images (from the best epoch, {epoch}); {wrong} wrong. "
        "Click a cell to see its images.",
    ).format(accuracy=f"{evaluation.accuracy():.1%}", count=f"{len(evaluation.paths):,}",
             epoch=evaluation.epoch, wrong=f"{len(evaluation.misclassified()):,}")
    first = next(iter(changed.items()), None)
    if first is None:
        return text
    note = (translate("EvaluationPage", "1 image changed or gone: {path}: {reason}.") if len(changed) == 1
            else translate("EvaluationPage", "{count} images changed or gone, e.g. {path}: {reason}."))
    note = note.format(count=len(changed), path=first[0], reason=first[1])
    return text + " " + note


def cell_text(count: int, true: str, predicted: str) -> str:
    """The title above one cell's images."""
    if true == predicted:
        text = translate("EvaluationPage", "{count} images of “{true}” predicted as “{predicted}” (correct).")
    else:
        text = translate("EvaluationPage", "{count} images of “{true}” predicted as “{predicted}” (wrong).")
    return text.format(count=f"{count:,}", true=true, predicted=predicted)
