"""The Train stage: the project's runs on the left, the live (or selected) run on the right.

The page owns the :class:`TrainingController`; it opens the strategy wizard for a new run,
records every run that produced weights in the project (``AppState.add_run``) from its
``RunFinished`` event, resumes a run or continues one into a fine-tune (the rules of
:mod:`engine.runs.followup`, shared with ``main.py resume``/``finetune``), and exports a run to
ONNX with its parity report.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMessageBox, QSplitter, QWidget

from engine.config import TrainConfig
from engine.data.scan import DatasetIndex
from engine.errors import TransferStudioError
from engine.events import EpochEnded, Event, RunFinished, RunStarted
from engine.runs.files import now_iso
from engine.runs.followup import FINETUNE, RESUME, follow_up
from gui.i18n import retranslate_on_change, translate
from gui.train.controller import TrainingController
from gui.train.export_flow import ExportReport, export_task, report_text
from gui.train.job_flow import JobActions
from gui.train.run_texts import stage_progress_text
from gui.train.runs_panel import RunsPanel
from gui.train.strategy_names import status_text
from gui.train.training_panel import TrainingPanel
from gui.widgets import dialogs
from gui.workers.recommend_worker import RecommendFunction
from gui.workers.task_runner import TaskRunner
from gui.workers.training_worker import FitFunction

RUNS_FOLDER = "runs"


def project_entry(finished: RunFinished) -> dict[str, Any]:
    """The summary :meth:`engine.project.store.Project.add_run` keeps for a finished run."""
    return {
        "run_dir": finished.run_dir,
        "strategy": finished.strategy,
        "backbones": list(finished.backbones),
        "best_val_acc": finished.best_val_acc,
        "created": finished.created,
        "status": finished.status.value,
        "epochs_completed": finished.epochs_completed,
    }


class TrainPage(QWidget):
    """Runs list + training panel over the project of ``state`` (an :class:`gui.state.app_state.AppState`)."""

    evaluate_requested = Signal(str)  # run folder
    exported = Signal(str)  # path of a new .onnx file

    def __init__(
        self,
        state: Any = None,
        parent: QWidget | None = None,
        fit_fn: FitFunction | None = None,
        recommend_fn: RecommendFunction | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.recommend_fn = recommend_fn
        self.controller = TrainingController(self, fit_fn)
        self.panel = TrainingPanel(self.controller, self)
        self.runs = RunsPanel(self)
        self.export_runner = TaskRunner(self)
        self.export_runner.finished.connect(self._on_exported)
        self.export_runner.failed.connect(self._on_export_failed)
        self.export_runner.progress.connect(self._on_export_progress)
        self.export_runner.cancelled.connect(self._on_export_cancelled)
        self.wizard: QWidget | None = None
        self._started: RunStarted | None = None
        self._showing: list[str] | None = None  # what the page put on the panel: run folders ([]: none)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.runs)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 1000])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.runs.new_run_requested.connect(self.new_run)
        self.runs.selection_changed.connect(self._on_runs_selected)
        self.runs.resume_requested.connect(self.resume_run)
        self.runs.finetune_requested.connect(self.finetune_run)
        self.runs.export_requested.connect(self.ask_export)
        self.runs.evaluate_requested.connect(self.evaluate_requested)
        self.jobs = JobActions(self)  # export as a torchrun job, import a finished one
        self.runs.export_job_requested.connect(self.jobs.ask_export)
        self.runs.import_run_requested.connect(lambda: self.jobs.ask_import(self.runs_parent()))
        self.jobs.message.connect(self.runs.show_message)
        self.jobs.imported.connect(self._on_run_imported)
        self.controller.event.connect(self._on_event)
        self.controller.running_changed.connect(self.runs.set_busy)
        self.controller.running_changed.connect(self._on_running_changed)
        if state is not None:
            state.project_changed.connect(self._on_project_changed)
            state.runs_changed.connect(self.refresh_runs)
        self._on_project_changed(self.project())
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Show again, in the interface language, what the page put on the training panel."""
        if self._showing is not None and not self.controller.is_running():
            if self._showing and all(d in self.runs.records for d in self._showing):
                self._show_runs(self._showing)
            else:
                self._show_empty()

    # ------------------------------------------------------------------ project
    def project(self) -> Any:
        """The open :class:`engine.project.store.Project`, or None."""
        return getattr(self.state, "project", None)

    def runs_parent(self) -> str | None:
        """Where new run folders go: ``<project>/runs``."""
        project = self.project()
        return str(Path(project.folder) / RUNS_FOLDER) if project is not None else None

    @Slot()
    def refresh_runs(self) -> None:
        """Relist the project's runs."""
        project = self.project()
        self.runs.set_runs([str(r.get("run_dir")) for r in (project.runs if project is not None else [])])

    @Slot(object)
    def _on_project_changed(self, project: Any) -> None:
        self.refresh_runs()
        self.runs.new_button.setEnabled(project is not None and not self.controller.is_running())
        if not self.controller.is_running():
            self._show_empty()

    def _show_empty(self) -> None:
        """The panel with no run: how to start one (or to open a project first)."""
        self._showing = []
        if self.project() is None:
            self.panel.show_finished_run(
                translate("TrainPage", "No project open"), [], 0,
                translate("TrainPage", "Open or create a project with labelled images, then start a run."),
            )
        else:  # a project opened (or was imported from a dataset folder)
            hint = translate("TrainPage", "Start a run with “New training run…”.")
            self.panel.show_finished_run(translate("TrainPage", "No training run yet"), [], 0, hint)

    @Slot(bool)
    def _on_running_changed(self, running: bool) -> None:
        if running:
            self._showing = None  # the panel shows the run in progress, then how it ended

    # --------------------------------------------------------------- new runs
    @Slot()
    def new_run(self) -> None:
        """Open the strategy wizard on the project's labelled images."""
        from gui.train.wizard.strategy_wizard import StrategyWizard

        if self.wizard is not None and shiboken6.isValid(self.wizard) and self.wizard.isVisible():
            self.wizard.raise_()
            return
        project = self.project()
        index = project.to_dataset_index() if project is not None else None
        if index is None or len(index.classes) < 2:
            QMessageBox.information(
                self,
                translate("TrainPage", "Label some images first"),
                translate(
                    "TrainPage",
                    "Training needs at least two classes with labelled images. "
                    "Label images in the Data stage, then come back.",
                ),
            )
            return
        wizard = StrategyWizard(index, str(project.folder), self, recommend_fn=self.recommend_fn)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.config_ready.connect(self.start_training)
        self.wizard = wizard
        wizard.open()

    @Slot(object)
    def start_training(self, config: TrainConfig, index: DatasetIndex | None = None) -> bool:
        """Start a run of ``config`` on ``index`` (default: the project's labels); False if one is running."""
        if self.controller.is_running():
            QMessageBox.information(
                self, translate("TrainPage", "A run is in progress"),
                translate("TrainPage", "Wait for the current run to finish, or cancel it, first."),
            )
            return False
        project = self.project()
        if index is None:
            index = project.to_dataset_index() if project is not None else None
        self.runs.tree.clearSelection()
        self.controller.start(config, index, self.runs_parent())
        return True

    @Slot(str)
    def resume_run(self, run_dir: str) -> None:
        """Continue a cancelled or interrupted run where it stopped, in its own folder."""
        self._follow_up(run_dir, RESUME)

    @Slot(str)
    def finetune_run(self, run_dir: str) -> None:
        """Continue a run into a fine-tune of the upper layers (``partial``, ``init_from=run_dir``)."""
        self._follow_up(run_dir, FINETUNE)

    def _follow_up(self, run_dir: str, kind: str) -> None:
        """Start the follow-up on the run's own dataset (its ``dataset.json``), as the CLI does."""
        try:
            plan = follow_up(run_dir, kind)
        except TransferStudioError as exc:
            title = (translate("TrainPage", "Cannot resume this run") if kind == RESUME
                     else translate("TrainPage", "Cannot fine-tune this run"))
            dialogs.show_error(self, title, str(exc))
            return
        if self.start_training(plan.config, plan.index):
            line = (translate("TrainPage", "Continuing from {folder} (resume).") if kind == RESUME
                    else translate("TrainPage", "Continuing from {folder} (fine-tune)."))
            self.panel.write_log(line.format(folder=run_dir))
            for note in plan.notes:
                self.panel.write_log(note)

    # ---------------------------------------------------------------- events
    @Slot(object)
    def _on_event(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._started = event
        elif isinstance(event, EpochEnded) and self._started is not None:
            self._list_running(self._started, event)
            self._started = None  # listed once, at its first epoch
        elif isinstance(event, RunFinished):
            self._record(event)

    def _list_running(self, started: RunStarted, first: EpochEnded) -> None:
        """List a run in the project once it has weights, so that a killed run shows as interrupted."""
        if self.state is None or self.project() is None:
            return
        entry = {
            "run_dir": started.run_dir,
            "strategy": started.strategy,
            "backbones": list(started.backbones),
            "best_val_acc": first.val_acc,
            "created": now_iso(),
            "status": "running",
            "epochs_completed": first.epoch,
        }
        self.state.add_run(entry)  # replaced by the finished run's entry (the same run_dir)

    def _record(self, event: RunFinished) -> None:
        """Keep a run that finished an epoch in the project, from the event itself (not re-read)."""
        if self.state is None or self.project() is None or event.epochs_completed <= 0:
            return
        self.state.add_run(project_entry(event))  # a resumed run updates its entry
        self.runs.select_run(event.run_dir)

    @Slot(object)
    def _on_runs_selected(self, run_dirs: list[str]) -> None:
        if self.controller.is_running() or not run_dirs:
            if run_dirs and len(run_dirs) > 1:
                record = self.runs.records[run_dirs[1]]
                self.panel.plots.set_overlay(record.history(), record.name)
            return
        self._show_runs(run_dirs)

    def _show_runs(self, run_dirs: list[str]) -> None:
        """The first run's curves and summary on the panel, the second's overlaid."""
        self._showing = list(run_dirs)
        record = self.runs.records[run_dirs[0]]
        best = record.best_val_acc
        status = status_text(record.status).capitalize()
        summary = (
            translate("TrainPage", "{status}: {epochs} epochs, best validation accuracy {accuracy}.").format(
                status=status, epochs=record.number("epochs_completed"), accuracy=f"{best:.1%}")
            if best is not None
            else status
        )
        if record.info.get("message"):  # the engine's own words
            summary += f" {record.info['message']}"
        self.panel.show_finished_run(
            translate("TrainPage", "Run {name}").format(name=record.name), record.history(),
            record.best_epoch, summary,
        )
        if len(run_dirs) > 1:
            other = self.runs.records[run_dirs[1]]
            self.panel.plots.set_overlay(other.history(), other.name)

    # ---------------------------------------------------------------- export
    @Slot(str)
    def ask_export(self, run_dir: str) -> None:
        """Ask where to save the ONNX file, then export in the background."""
        default = str(Path(run_dir) / "model.onnx")
        path, _ = QFileDialog.getSaveFileName(
            self, translate("TrainPage", "Export the model as ONNX"), default,
            translate("TrainPage", "ONNX model (*.onnx)"),
        )
        if path:
            self.export_run(run_dir, path)

    def export_run(self, run_dir: str, path: str) -> bool:
        """Export ``run_dir``'s best weights to ``path``; the parity report follows."""
        if not self.export_runner.start(export_task(run_dir, path)):
            return False
        line = translate("TrainPage", "Exporting {run} to {path}…")
        self.panel.write_log(line.format(run=run_dir, path=path))
        self.runs.export_button.setEnabled(False)
        return True

    @Slot(object)
    def _on_run_imported(self, entry: dict[str, Any]) -> None:
        if self.state is not None and self.project() is not None:
            self.state.add_run(entry)
            self.runs.select_run(entry["run_dir"])

    @Slot(object)
    def _on_exported(self, report: ExportReport) -> None:
        self.runs.export_button.setEnabled(True)
        self.runs.show_message(
            translate("TrainPage", "Exported {path}").format(path=report.path) if report.ok
            else translate("TrainPage", "Export failed its parity check.")
        )
        text = report_text(report)
        self.panel.write_log(text)
        box = QMessageBox(
            QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Warning,
            translate("TrainPage", "Model exported") if report.ok
            else translate("TrainPage", "Export failed its parity check"),
            text,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()
        self.last_export_box = box
        if report.ok:
            self.exported.emit(report.path)

    @Slot(int, int, str)
    def _on_export_progress(self, done: int, total: int, stage: str) -> None:
        self.runs.show_message(
            translate("TrainPage", "Exporting: {stage}").format(
                stage=stage_progress_text(stage, done, total if total > 1 else 0))
        )

    @Slot()
    def _on_export_cancelled(self) -> None:
        self.runs.export_button.setEnabled(True)
        self.runs.show_message(translate("TrainPage", "Export cancelled; nothing was written."))

    @Slot(str)
    def _on_export_failed(self, message: str) -> None:
        self.runs.export_button.setEnabled(True)
        self.runs.show_message(translate("TrainPage", "Export failed."))
        self.panel.write_log(translate("TrainPage", "Export failed: {message}").format(message=message))
        dialogs.show_error(self, translate("TrainPage", "Export failed"), message)

    # -------------------------------------------------------------- shutdown
    def is_busy(self) -> bool:
        """True while training or exporting."""
        return self.controller.is_running() or self.export_runner.is_running()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel and wait for training and export; deliver the last events so the run is recorded."""
        if self.wizard is not None:
            with contextlib.suppress(RuntimeError):  # already deleted
                self.wizard.close()
        ok = self.controller.shutdown(timeout_ms) and self.export_runner.shutdown(timeout_ms)
        QCoreApplication.sendPostedEvents(self.controller)
        return ok
