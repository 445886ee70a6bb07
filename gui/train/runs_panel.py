"""The project's runs: a list (select one to see its curves, a second to overlay it) and run actions."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.runs.files import RunRecord, read_run
from engine.runs.followup import finetune_problem, resume_problem
from gui.i18n import retranslate_on_change, translate
from gui.train.strategy_names import status_text, strategy_short, strategy_title
from gui.widgets.plain_text import tooltip_text

RUN_ROLE = Qt.ItemDataRole.UserRole


class RunsPanel(QWidget):
    """Lists runs newest first; emits what the user asks for with the run folder."""

    new_run_requested = Signal()
    selection_changed = Signal(object)  # list[str] of run folders, at most two (shown, overlaid)
    resume_requested = Signal(str)
    finetune_requested = Signal(str)
    export_requested = Signal(str)
    evaluate_requested = Signal(str)
    export_job_requested = Signal(str)  # run folder: write it as a torchrun job (gui.train.job_flow)
    import_run_requested = Signal()  # bring a finished job folder back as a run

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: dict[str, RunRecord] = {}
        self._busy = False
        self._message = ""  # what the hint says instead of how to use the list (an export's outcome)
        self.new_button = QPushButton(self)
        self.new_button.setObjectName("primaryButton")
        self.new_button.clicked.connect(self.new_run_requested)
        self.title = QLabel(self)
        self.title.setObjectName("sectionTitle")
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for column in (1, 2):
            self.tree.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemSelectionChanged.connect(self._on_selection)
        self.hint = QLabel(self)
        self.hint.setObjectName("mutedLabel")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)  # it shows export paths: never rich text
        self.hint.setWordWrap(True)
        self.resume_button = QPushButton(self)
        self.finetune_button = QPushButton(self)
        self.export_button = QPushButton(self)
        self.evaluate_button = QPushButton(self)
        self.resume_button.clicked.connect(self._on_resume)
        self.finetune_button.clicked.connect(self._on_finetune)
        self.export_button.clicked.connect(self._on_export)
        self.evaluate_button.clicked.connect(self._on_evaluate)
        self.export_job_button = QPushButton(self)
        self.export_job_button.clicked.connect(self._on_export_job)
        self.import_run_button = QPushButton(self)
        self.import_run_button.clicked.connect(self.import_run_requested)
        actions = QGridLayout()
        actions.addWidget(self.resume_button, 0, 0)
        actions.addWidget(self.finetune_button, 0, 1)
        actions.addWidget(self.evaluate_button, 1, 0)
        actions.addWidget(self.export_button, 1, 1)
        actions.addWidget(self.export_job_button, 2, 0)
        actions.addWidget(self.import_run_button, 2, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.new_button)
        layout.addSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.hint)
        layout.addLayout(actions)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Every text of the panel, the rows included, in the interface language."""
        self.new_button.setText(translate("RunsPanel", "New training run…"))
        self.title.setText(translate("RunsPanel", "RUNS"))
        self.tree.setHeaderLabels(
            [translate("RunsPanel", "Run"), translate("RunsPanel", "Best"), translate("RunsPanel", "Status")]
        )
        self.hint.setText(self._message or translate(
            "RunsPanel", "Select a run to see its curves; select a second one (Ctrl+click) to compare."
        ))
        self.resume_button.setText(translate("RunsPanel", "Resume"))
        self.resume_button.setToolTip(translate(
            "RunsPanel",
            "Continue a cancelled run where it stopped: same folder, weights, optimizer and schedule.",
        ))
        self.finetune_button.setText(translate("RunsPanel", "Fine-tune further"))
        self.finetune_button.setToolTip(translate(
            "RunsPanel",
            "Start from this run's classifier and fine-tune the upper layers (strategy “{name}”).",
        ).format(name=strategy_title("partial")))
        self.export_button.setText(translate("RunsPanel", "Export ONNX…"))
        self.export_button.setToolTip(
            translate("RunsPanel", "Save the best weights as an .onnx file, checked against PyTorch.")
        )
        self.evaluate_button.setText(translate("RunsPanel", "Evaluate"))
        self.evaluate_button.setToolTip(
            translate("RunsPanel", "Confusion matrix, per-class metrics and the misclassified images.")
        )
        self.export_job_button.setText(translate("RunsPanel", "Export as job…"))
        self.export_job_button.setToolTip(
            translate("RunsPanel", "Write a folder that trains this run with torchrun elsewhere.")
        )
        self.import_run_button.setText(translate("RunsPanel", "Import run…"))
        self.import_run_button.setToolTip(
            translate("RunsPanel", "Bring a finished job folder back as a run of this project.")
        )
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            record = self.records.get(str(item.data(0, RUN_ROLE)))
            if record is not None:
                for column, text in enumerate(self._row(record)):
                    item.setText(column, text)
                item.setToolTip(0, self._tooltip(record))
        self._update_actions()

    def show_message(self, text: str) -> None:
        """Say ``text`` (already in the interface language) where the hint was."""
        self._message = text
        self.hint.setText(text)

    def set_runs(self, run_dirs: Iterable[str]) -> None:
        """List these run folders (newest first), keeping the selection where possible."""
        selected = self.selected_runs()
        self.tree.blockSignals(True)
        self.tree.clear()
        self.records = {d: read_run(d) for d in dict.fromkeys(run_dirs)}
        ordered = sorted(self.records.values(), key=lambda r: str(r.info.get("created", "")), reverse=True)
        for record in ordered:
            item = QTreeWidgetItem(self._row(record))
            item.setData(0, RUN_ROLE, record.run_dir)
            item.setToolTip(0, self._tooltip(record))
            for column in (1,):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
            item.setSelected(record.run_dir in selected)
        self.tree.blockSignals(False)
        self._on_selection()

    def select_run(self, run_dir: str) -> None:
        """Select only ``run_dir``."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, RUN_ROLE) == run_dir:
                # Explicit flags: the default command depends on the keyboard modifiers held right now.
                self.tree.setCurrentItem(item, 0, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def selected_runs(self) -> list[str]:
        """Selected run folders, the current item first."""
        items = self.tree.selectedItems()
        current = self.tree.currentItem()
        if current in items:
            items.remove(current)
            items.insert(0, current)
        return [str(item.data(0, RUN_ROLE)) for item in items]

    def set_busy(self, busy: bool) -> None:
        """Disable starting runs while one is in progress."""
        self.new_button.setEnabled(not busy)
        self._busy = busy
        self._update_actions()

    @staticmethod
    def _row(record: RunRecord) -> list[str]:
        info = record.info
        created = str(info.get("created", ""))[5:16].replace("T", " ")
        strategy = strategy_short(str(info.get("strategy", "?")))
        best = record.best_val_acc
        return [
            f"{strategy}  {created}" if created else record.name,  # the strategy survives elision
            f"{best:.1%}" if best is not None else "—",
            status_text(record.status),
        ]

    @staticmethod
    def _tooltip(record: RunRecord) -> str:
        """The run's networks and folder, and why it cannot be read (the engine's words)."""
        networks = " + ".join(record.info.get("backbones", []))
        lines = [translate("RunsPanel", "Networks: {networks}").format(networks=networks or "?"),
                 translate("RunsPanel", "Folder: {folder}").format(folder=record.run_dir)]
        if record.error:
            lines.append(translate("RunsPanel", "Cannot be read: {reason}").format(reason=record.error))
        return tooltip_text("\n".join(lines))

    @Slot()
    def _on_selection(self) -> None:
        self._update_actions()
        self.selection_changed.emit(self.selected_runs()[:2])

    def _update_actions(self) -> None:
        runs = self.selected_runs()
        record = self.records.get(runs[0]) if runs else None
        has_weights = record is not None and not record.error and record.best_val_acc is not None
        busy = self._busy
        none = translate("RunsPanel", "no run selected")
        for button, problem in (
            (self.resume_button, resume_problem(record) if record is not None else none),
            (self.finetune_button, finetune_problem(record) if record is not None else none),
        ):
            button.setEnabled(not busy and not problem)  # the same rules as main.py resume/finetune
            button.setStatusTip(problem)
        self.export_button.setEnabled(has_weights)
        self.evaluate_button.setEnabled(has_weights)
        self.export_job_button.setEnabled(record is not None and not record.error)

    def _current(self) -> str:
        runs = self.selected_runs()
        return runs[0] if runs else ""

    @Slot()
    def _on_resume(self) -> None:
        if self._current():
            self.resume_requested.emit(self._current())

    @Slot()
    def _on_finetune(self) -> None:
        if self._current():
            self.finetune_requested.emit(self._current())

    @Slot()
    def _on_export(self) -> None:
        if self._current():
            self.export_requested.emit(self._current())

    @Slot()
    def _on_export_job(self) -> None:
        if self._current():
            self.export_job_requested.emit(self._current())

    @Slot()
    def _on_evaluate(self) -> None:
        if self._current():
            self.evaluate_requested.emit(self._current())
