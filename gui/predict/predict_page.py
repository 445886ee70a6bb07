"""The Predict stage: open any exported ``.onnx`` of ours and drop images or a folder on it.

Works without a project and without torch (onnxruntime is imported inside the task). Dropped
images become cards with the image and its top-k bars; a dropped folder becomes a sortable table
with thumbnails that can be saved as CSV. An image the model rejects is shown as "Unknown: none
of my classes" (its own colour and badge, with its score and nearest classes); the *Unknowns*
setting (Auto, Off or a custom threshold, remembered) applies to the next drop and re-judges the
shown results at once. A model exported before rejection existed says so once, under the model line.
Every text follows the interface language, the model line and the shown results included.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.data.thumbnail_waiter import ThumbnailWaiter
from gui.i18n import retranslate_on_change, translate
from gui.predict.cards import PredictionCard
from gui.predict.rejection import RejectionSetting
from gui.predict.results_table import ResultsTable
from gui.widgets import dialogs
from gui.widgets.drops import accept_file_drops
from gui.widgets.plain_text import plain_label, set_plain_text
from gui.workers.prediction_workers import (
    LoadedModel,
    PredictionBatch,
    describe_model,
    load_model_task,
    predict_task,
    with_threshold,
)
from gui.workers.task_runner import TaskRunner

NO_MODEL = QT_TRANSLATE_NOOP("PredictPage", "No model open. Open an exported .onnx file, or drop one here.")
CARD_COLUMNS = 2


class PredictPage(QWidget):
    """Model chooser, drop zone, and the results (cards or table)."""

    model_loaded = Signal(str)
    predictions_ready = Signal(object)  # PredictionBatch

    def __init__(self, thumbnails: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.model: LoadedModel | None = None
        self.batch: PredictionBatch | None = None
        self._pending: list[str] = []
        self._cards: dict[str, list[PredictionCard]] = {}
        self._model_line: Callable[[], str] = lambda: translate("PredictPage", NO_MODEL)
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_result)
        self.runner.failed.connect(self._on_failed)
        self.runner.progress.connect(self._on_progress)
        self.runner.idle.connect(self._on_idle)
        self._waiter = ThumbnailWaiter(thumbnails, self)
        self._waiter.arrived.connect(self._on_thumbnail)
        accept_file_drops(self, self.predict)  # images, folders, or an .onnx to open
        self._build()
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Every text of the page in the interface language (cards and table translate themselves)."""
        self.open_button.setText(translate("PredictPage", "Open model…"))
        self.top_k.setPrefix(translate("PredictPage", "top "))
        self.csv_button.setText(translate("PredictPage", "Save as CSV…"))
        self.drop_hint.setText(
            translate("PredictPage", "Drop images here for their top classes, or a folder for a table.")
        )
        set_plain_text(self.model_label, self._model_line())
        if self.model is not None:
            self._show_note(self.model)

    def _set_model_line(self, text: Callable[[], str]) -> None:
        """Show the model line; ``text`` gives it in the interface language."""
        self._model_line = text
        set_plain_text(self.model_label, text())

    def _build(self) -> None:
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self.ask_model)
        self.model_label = plain_label("", self, wrap=True)
        self.rejection = RejectionSetting(self)
        self.rejection.changed.connect(self._on_rejection_changed)
        self.top_k = QSpinBox(self)
        self.top_k.setRange(1, 10)
        self.top_k.setValue(3)
        self.csv_button = QPushButton(self)
        self.csv_button.clicked.connect(self.ask_csv)
        self.csv_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.model_label, 1)
        top.addWidget(self.rejection)
        top.addWidget(self.top_k)
        top.addWidget(self.csv_button)
        self.note = plain_label("", self, wrap=True)
        self.note.setObjectName("mutedLabel")
        self.note.hide()
        self.drop_hint = QLabel(self)
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setObjectName("dropZone")
        self.drop_hint.setStyleSheet(
            "QLabel#dropZone { border: 2px dashed palette(mid); border-radius: 10px; }"
        )
        self.drop_hint.setMinimumHeight(70)
        self.progress = QProgressBar(self)
        self.progress.setMaximumHeight(10)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.cards_box = QWidget(self)
        self.cards_layout = QGridLayout(self.cards_box)
        self.cards_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.cards_box)
        self.table = ResultsTable(self)
        self.results = QStackedWidget(self)
        self.results.addWidget(scroll)
        self.results.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.drop_hint)
        layout.addWidget(self.progress)
        layout.addWidget(self.results, 1)

    # ------------------------------------------------------------------ model
    @Slot()
    def ask_model(self) -> None:
        """Choose an .onnx file."""
        path, _ = QFileDialog.getOpenFileName(self, translate("PredictPage", "Open an exported model"), "",
                                              translate("PredictPage", "ONNX model (*.onnx)"))
        if path:
            self.load_model(path)

    @Slot(str)
    def load_model(self, path: str) -> bool:
        """Open ``path`` in the background; False while another task runs."""
        if not self.runner.start(load_model_task(path, self.rejection.reject())):
            return False
        self._set_model_line(lambda: translate("PredictPage", "Opening {path}…").format(path=path))
        return True

    def predict(self, paths: list[str]) -> None:
        """Classify the images among ``paths`` (folders are searched); an .onnx among them is opened first."""
        models = [p for p in paths if p.lower().endswith(".onnx")]
        if models:
            self.load_model(models[0])
            paths = [p for p in paths if p not in models]
            if not paths:
                return
        if self.runner.is_running():
            self._pending = list(paths)
            return
        if self.model is None:
            QMessageBox.information(
                self, translate("PredictPage", "Open a model first"),
                translate("PredictPage", "Open an exported .onnx model, then drop the images again."),
            )
            return
        self.runner.start(predict_task(self.model, paths, self.top_k.value(), self.rejection.threshold()))
        self.progress.setRange(0, 0)
        self.progress.show()

    # ---------------------------------------------------------------- results
    @Slot(object)
    def _on_result(self, result: object) -> None:
        if isinstance(result, LoadedModel):
            self.model = result
            self._set_model_line(lambda: translate("PredictPage", "Model: {description}").format(
                description=describe_model(result.path, result.classes, result.predictor)))
            self.top_k.setMaximum(max(1, len(result.classes)))
            self._show_note(result)
            self.model_loaded.emit(result.path)
        elif isinstance(result, PredictionBatch):
            self.batch = result
            self._show_batch(result)
            self.csv_button.setEnabled(bool(result.rows))
            self.predictions_ready.emit(result)

    def _show_batch(self, batch: PredictionBatch) -> None:
        if batch.folder:
            self._show_table(batch)
        else:
            self._show_cards(batch)

    def _show_note(self, model: LoadedModel) -> None:
        """Say once, for a model exported before rejection, that it gives every image a class."""
        note = translate(
            "PredictPage", "{name} was exported before 'none of my classes' existed: every image gets one "
            "of its classes. Export the run again to add rejection.",
        ).format(name=Path(model.path).name) if model.note else ""
        self.rejection.set_available(model.has_novelty, note)
        set_plain_text(self.note, note)
        self.note.setVisible(bool(note))

    def _threshold(self) -> float | None:
        """The threshold the shown verdicts use (None: rejection off or not in the model)."""
        return self.rejection.threshold() if self.model is not None and self.model.has_novelty else None

    @Slot()
    def _on_rejection_changed(self) -> None:
        """Take the shown verdicts again at the new threshold (the next drop uses it too)."""
        if self.batch is None or self.model is None or not self.model.has_novelty:
            return
        threshold = self._threshold()
        rows = [with_threshold(r, threshold) for r in self.batch.rows]
        self.batch = PredictionBatch(rows, self.batch.folder)
        self._show_batch(self.batch)

    def _show_cards(self, batch: PredictionBatch) -> None:
        self._clear_cards()
        for i, row in enumerate(batch.rows):
            card = PredictionCard(row, self.cards_box, self._threshold())
            self.cards_layout.addWidget(card, i // CARD_COLUMNS, i % CARD_COLUMNS, Qt.AlignmentFlag.AlignTop)
            self._cards.setdefault(row.path, []).append(card)
        rows = (len(batch.rows) + CARD_COLUMNS - 1) // CARD_COLUMNS
        for row in range(self.cards_layout.rowCount()):
            self.cards_layout.setRowStretch(row, 1 if row == rows else 0)
        if rows >= self.cards_layout.rowCount():
            self.cards_layout.setRowStretch(rows, 1)
        self._waiter.clear()
        self._waiter.want(list(self._cards))
        self.results.setCurrentIndex(0)

    def _clear_cards(self) -> None:
        for cards in self._cards.values():
            for card in cards:
                card.deleteLater()
        self._cards = {}

    def _show_table(self, batch: PredictionBatch) -> None:
        self.table.show_results(batch.rows)
        self._waiter.clear()
        self._waiter.want(self.table.paths())
        self.results.setCurrentIndex(1)

    @Slot(object, QPixmap)
    def _on_thumbnail(self, path: str, pixmap: QPixmap) -> None:
        for card in self._cards.get(path, []):
            card.set_pixmap(pixmap)
        self.table.set_icon(path, pixmap)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, _text: str) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        dialogs.show_error(self, translate("PredictPage", "Prediction failed"), message)
        if self.model is None:
            self._set_model_line(lambda: translate("PredictPage", NO_MODEL))

    @Slot()
    def _on_idle(self) -> None:
        self.progress.hide()
        pending, self._pending = self._pending, []
        if pending:
            self.predict(pending)

    # -------------------------------------------------------------------- CSV
    @Slot()
    def ask_csv(self) -> None:
        """Save the last results as CSV."""
        title, kinds = translate("PredictPage", "Save predictions"), translate("PredictPage", "CSV (*.csv)")
        path, _ = QFileDialog.getSaveFileName(self, title, "predictions.csv", kinds)
        if path:
            self.save_csv(path)

    def save_csv(self, path: str) -> None:
        """Write the last results to ``path``."""
        if self.batch is None:
            return
        from engine.inference.report import write_predictions_csv  # loads onnx: only when saving

        try:
            write_predictions_csv(self.batch.rows, path, self.top_k.value())
        except OSError as exc:
            dialogs.show_error(self, translate("PredictPage", "Could not save the predictions"),
                               f"{path}: {exc.strerror or exc}")

    def shutdown(self) -> None:
        """Cancel and wait for a running task."""
        self.runner.shutdown()
