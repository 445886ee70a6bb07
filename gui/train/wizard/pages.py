"""Steps 1 and 2 of the strategy wizard: the data, then the measured similarity to ImageNet.

Both pages do their work in a :class:`~gui.workers.task_runner.TaskRunner` started when the page is
shown; the page is complete when the result arrived (step 2 also when the user cancelled: step 3
then falls back to the size rule).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from engine.data.scan import TRAIN, DatasetIndex
from gui.i18n import retranslate_on_change, translate
from gui.theme import WARNING_COLOR
from gui.train.run_texts import stage_progress_text
from gui.train.wizard.data_summary import DataSummary, summarize
from gui.workers.recommend_worker import RecommendationView, RecommendFunction, recommend_task
from gui.workers.task_runner import TaskRunner

SummarizeFunction = Callable[..., DataSummary]
OK_COLOR = "#3a9a4f"


def plain_label(text: str = "", parent: QWidget | None = None, wrap: bool = True) -> QLabel:
    """A label that never interprets user-supplied names as rich text."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


def table(headers: list[str], parent: QWidget) -> QTableWidget:
    """A read-only, compact table whose first column stretches (``headers`` may be set again later)."""
    widget = QTableWidget(0, len(headers), parent)
    widget.setHorizontalHeaderLabels(headers)
    widget.verticalHeader().setVisible(False)
    widget.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    widget.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
    widget.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, len(headers)):
        widget.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return widget


def fit_rows(widget: QTableWidget, max_rows: int = 10) -> None:
    """Make a table exactly as tall as its rows (up to ``max_rows``; it scrolls beyond)."""
    rows = min(widget.rowCount(), max_rows)
    height = widget.horizontalHeader().height() + 2 * widget.frameWidth()
    height += (
        sum(widget.rowHeight(r) for r in range(rows))
        if rows
        else widget.verticalHeader().defaultSectionSize()
    )
    widget.setFixedHeight(height + 2)


def set_row(widget: QTableWidget, row: int, values: list[Any]) -> None:
    """Fill one row; numbers are right-aligned."""
    for column, value in enumerate(values):
        item = QTableWidgetItem(str(value))
        if column:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        widget.setItem(row, column, item)


class DataStepPage(QWizardPage):
    """Step 1: images per class, balance, image sizes and broken files, with plain warnings."""

    def __init__(
        self,
        index: DatasetIndex,
        summarize_fn: SummarizeFunction | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._index = index
        self._summarize = summarize_fn or summarize
        self.summary: DataSummary | None = None
        self._progress: tuple[int, int, str] | None = None  # the check's last report
        self._failure = ""  # why the check failed
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_summary)
        self.runner.failed.connect(self._on_failed)
        self.runner.progress.connect(self._on_progress)
        self.classes = table(["", "", "", "", ""], self)
        header = self.classes.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 220)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.overview = plain_label("", self)
        self.sizes = plain_label("", self)
        self.warnings = plain_label("", self)
        self.warnings.setStyleSheet(f"color: {WARNING_COLOR};")
        self.broken = QPlainTextEdit(self)
        self.broken.setReadOnly(True)
        self.broken.setMaximumHeight(90)
        self.broken.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.overview)
        layout.addWidget(self.classes)
        layout.addSpacing(6)
        layout.addWidget(self.sizes)
        layout.addSpacing(6)
        layout.addWidget(self.warnings)
        layout.addWidget(self.broken)
        layout.addStretch(1)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Title, headers and what was found, in the interface language."""
        self.setTitle(translate("DataStepPage", "1 · Your data"))
        self.setSubTitle(
            translate("DataStepPage", "What the wizard found among the labelled images of this project.")
        )
        self.classes.setHorizontalHeaderLabels([
            translate("DataStepPage", "Class"), translate("DataStepPage", "Training"),
            translate("DataStepPage", "Validation"), translate("DataStepPage", "Total"),
            translate("DataStepPage", "Images per class"),
        ])
        if self.summary is not None:
            self._describe(self.summary)
        elif self._failure:
            text = translate("DataStepPage", "The images could not be checked: {reason}")
            self.overview.setText(text.format(reason=self._failure))
        elif self._progress is not None:
            self.overview.setText(stage_progress_text(self._progress[2], *self._progress[:2]))
        else:
            self.overview.setText(translate("DataStepPage", "Checking the images…"))

    def initializePage(self) -> None:
        """Count and check in the background the first time the page is shown."""
        if self.summary is None and not self.runner.is_running():
            index, fn = self._index, self._summarize
            self.runner.start(lambda progress, control: fn(index, progress=progress, control=control))

    def isComplete(self) -> bool:
        """Ready when the summary is in and at least two classes have images."""
        return self.summary is not None and sum(1 for n in self.summary.counts.values() if n) >= 2

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        self._progress = (done, total, text)
        self.overview.setText(stage_progress_text(text, done, total))

    @Slot(object)
    def _on_summary(self, summary: DataSummary) -> None:
        self.summary = summary
        self.classes.setRowCount(len(summary.classes))
        for row, name in enumerate(summary.classes):
            train, val = summary.train_counts.get(name, 0), summary.val_counts.get(name, 0)
            set_row(self.classes, row, [name, f"{train:,}", f"{val:,}", f"{train + val:,}"])
        largest = max(summary.counts.values(), default=0) or 1
        for row, name in enumerate(summary.classes):
            bar = QProgressBar(self.classes)
            bar.setRange(0, largest)
            bar.setValue(summary.counts[name])
            bar.setTextVisible(False)
            bar.setMaximumHeight(12)
            cell = QWidget(self.classes)
            box = QVBoxLayout(cell)
            box.setContentsMargins(8, 0, 8, 0)
            box.addWidget(bar)
            self.classes.setCellWidget(row, 4, cell)
        fit_rows(self.classes)
        self._describe(summary)
        if summary.broken:
            self.broken.setPlainText("\n".join(f"{p}: {r}" for p, r in summary.broken))
            self.broken.show()
        self.completeChanged.emit()

    def _describe(self, summary: DataSummary) -> None:
        """The overview, sizes and warnings of ``summary`` in the interface language."""
        ratio = summary.balance_ratio()
        if ratio < 1.5:
            text = translate("DataStepPage", "{count} usable images in {classes} classes; "
                                             "largest / smallest class = {ratio} (balanced).")
        elif ratio < 3:
            text = translate("DataStepPage", "{count} usable images in {classes} classes; "
                                             "largest / smallest class = {ratio} (somewhat unbalanced).")
        else:
            text = translate("DataStepPage", "{count} usable images in {classes} classes; "
                                             "largest / smallest class = {ratio} (unbalanced).")
        ratio_text = "∞" if ratio == float("inf") else f"{ratio:.1f}×"
        self.overview.setText(text.format(count=f"{summary.total:,}", classes=len(summary.classes),
                                          ratio=ratio_text))
        sizes = translate("DataStepPage", "Image sizes: {sizes}.")
        self.sizes.setText(sizes.format(sizes=summary.size_text()))
        warnings = summary.warnings
        self.warnings.setText(
            "\n\n".join(f"⚠  {w}" for w in warnings) or translate("DataStepPage", "✓  No problems found.")
        )
        if not warnings:
            self.warnings.setStyleSheet(f"color: {OK_COLOR};")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._failure = message
        self.overview.setText(
            translate("DataStepPage", "The images could not be checked: {reason}").format(reason=message)
        )

    def shutdown(self) -> None:
        """Stop the background check (wizard closing)."""
        self.runner.shutdown()


SCORE_COLUMNS = (  # (score key, column title translated where shown)
    ("knn", QT_TRANSLATE_NOOP("SimilarityStepPage", "kNN accuracy")),
    ("probe", QT_TRANSLATE_NOOP("SimilarityStepPage", "Linear probe")),
    ("logme", QT_TRANSLATE_NOOP("SimilarityStepPage", "LogME")),
    ("imagenet_confidence", QT_TRANSLATE_NOOP("SimilarityStepPage", "ImageNet-like")),
)


def _score_text(key: str, value: object) -> str:
    if not isinstance(value, int | float):
        return "—"
    return f"{value:.2f}" if key == "logme" else f"{value:.0%}"


def verdict_text(view: RecommendationView) -> str:
    """One plain sentence on what the best probe accuracy means."""
    probes = [v.get("probe") or v.get("knn") for v in view.scores.values()]
    best = max((p for p in probes if isinstance(p, int | float)), default=None)
    if best is None:
        return ""
    if best >= 0.9:
        text = translate("SimilarityStepPage", "A simple classifier on the best network's features reaches "
                         "{accuracy}: the pretrained features already separate your classes very well.")
    elif best >= 0.7:
        text = translate("SimilarityStepPage", "A simple classifier on the best network's features reaches "
                         "{accuracy}: the pretrained features separate your classes fairly well; training "
                         "will improve on this.")
    else:
        text = translate("SimilarityStepPage", "A simple classifier on the best network's features reaches "
                         "{accuracy}: your images look unlike what the networks were trained on, so "
                         "fine-tuning will be needed.")
    return text.format(accuracy=f"{best:.0%}")


class SimilarityStepPage(QWizardPage):
    """Step 2: embed a capped sample per class with each pretrained network and score the features."""

    def __init__(
        self,
        index: DatasetIndex,
        recommend_fn: RecommendFunction | None = None,
        backbones: list[str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._index, self._recommend, self._backbones = index, recommend_fn, backbones
        self._status: tuple[str, Any] = ("", None)  # what the status line says: a kind and its values
        self._measured: RecommendationView | None = None  # the last measurement (the verdict's)
        self.result: RecommendationView | None = None
        self.runner = TaskRunner(self)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_result)
        self.runner.cancelled.connect(self._on_cancelled)
        self.runner.failed.connect(self._on_failed)
        self.status = plain_label("", self)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.cancel)
        self.again_button = QPushButton(self)
        self.again_button.clicked.connect(self.measure)
        self.again_button.hide()
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.again_button)
        self.scores = table(["", *("" for _ in SCORE_COLUMNS)], self)
        self.explain = explain = plain_label("", self)
        explain.setObjectName("mutedLabel")
        self.verdict = plain_label("", self)
        fit_rows(self.scores)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(row)
        layout.addWidget(self.scores)
        layout.addWidget(self.verdict)
        layout.addStretch(1)
        layout.addWidget(explain)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Title, buttons, headers, the status line and the verdict in the interface language."""
        self.setTitle(
            translate("SimilarityStepPage", "2 · How well do pretrained networks see your classes?")
        )
        self.setSubTitle(translate(
            "SimilarityStepPage",
            "Each pretrained network turns up to 60 images per class into features; quick "
            "classifiers on those features predict how well training will go.",
        ))
        self.cancel_button.setText(translate("SimilarityStepPage", "Cancel"))
        self.again_button.setText(translate("SimilarityStepPage", "Measure again"))
        self.scores.setHorizontalHeaderLabels([
            translate("SimilarityStepPage", "Pretrained network"),
            *(translate("SimilarityStepPage", title) for _, title in SCORE_COLUMNS),
        ])
        self.explain.setText(translate(
            "SimilarityStepPage",
            "kNN and linear probe: accuracy of simple classifiers on the features, checked "
            "on images they did not see. LogME: how much class information the features "
            "hold (higher is better). ImageNet-like: how confidently the network recognises "
            "ImageNet objects in your images.",
        ))
        self.status.setText(self._status_text())
        if self._measured is not None:
            self.verdict.setText(verdict_text(self._measured))

    def _set_status(self, kind: str, values: Any = None) -> None:
        self._status = (kind, values)
        self.status.setText(self._status_text())

    def _status_text(self) -> str:
        """The status line for the current state of the measurement."""
        kind, values = self._status
        if kind == "measuring":
            return translate("SimilarityStepPage", "Measuring… this takes seconds to a minute; the features "
                             "are cached for training.")
        if kind == "cancelling":
            return translate("SimilarityStepPage", "Cancelling…")
        if kind == "progress":
            done, total, text = values
            return stage_progress_text(text, done, total)
        if kind == "done":
            return translate("SimilarityStepPage", "Done. The recommendation is on the next page.")
        if kind == "cancelled":
            return translate("SimilarityStepPage", "Cancelled. Measure again, or go on: the recommendation "
                             "will use the data size only.")
        if kind == "failed":
            return translate("SimilarityStepPage", "Measuring failed ({reason}). You can go on without it.")\
                .format(reason=values)
        return ""

    def initializePage(self) -> None:
        """Start measuring the first time the page is shown."""
        if self.result is None and not self.runner.is_running():
            self.measure()

    @Slot()
    def measure(self) -> None:
        """Start (or restart) the measurement."""
        if self.runner.is_running():
            return
        self.result = None
        self.bar.setRange(0, 0)
        self._set_status("measuring")
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.again_button.hide()
        self.runner.start(recommend_task(self._index, self._backbones, recommend_fn=self._recommend))
        self.completeChanged.emit()

    @Slot()
    def cancel(self) -> None:
        """Stop measuring; the wizard can still go on with the size rule."""
        self.runner.cancel()
        self.cancel_button.setEnabled(False)
        self._set_status("cancelling")

    def isComplete(self) -> bool:
        """Ready once measured, or once the user gave up on measuring."""
        return self.result is not None

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self._set_status("progress", (done, total, text))

    @Slot(object)
    def _on_result(self, view: RecommendationView) -> None:
        self.result = view
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self._set_status("done")
        self.cancel_button.hide()
        self.again_button.show()
        self.scores.setRowCount(len(view.scores))
        for row, (name, values) in enumerate(view.scores.items()):
            set_row(self.scores, row, [name, *(_score_text(k, values.get(k)) for k, _ in SCORE_COLUMNS)])
        fit_rows(self.scores)
        self._measured = view
        self.verdict.setText(verdict_text(view))
        self.completeChanged.emit()

    def _fall_back(self, kind: str, values: Any = None) -> None:
        self.result = RecommendationView.fallback(len(self._index.subset(TRAIN)), len(self._index.classes))
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self._set_status(kind, values)
        self.cancel_button.hide()
        self.again_button.show()
        self.completeChanged.emit()

    @Slot()
    def _on_cancelled(self) -> None:
        self._fall_back("cancelled")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        lines = message.strip().splitlines()
        self._fall_back("failed", lines[-1] if lines else "?")

    def shutdown(self) -> None:
        """Stop measuring (wizard closing)."""
        self.runner.shutdown()
