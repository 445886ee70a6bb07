"""Export a run as a distributed ``torchrun`` job, and import a finished job as a run, off the GUI thread.

The work is :func:`engine.jobs.export_job.export_job` and :func:`engine.jobs.import_run.import_run`, run
by the one :class:`~gui.workers.task_runner.TaskRunner`; an imported run joins the project's runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from engine.control import RunControl
from engine.progress import Progress
from gui.i18n import translate
from gui.train.run_texts import stage_progress_text
from gui.workers.task_runner import TaskFunction, TaskRunner

if TYPE_CHECKING:
    from engine.jobs.export_job import ExportedJob


def export_job_task(run_dir: str, out_dir: str) -> TaskFunction:
    """A task writing the job folder of ``run_dir``; returns the engine's ``ExportedJob``."""

    def run(progress: Progress, control: RunControl) -> ExportedJob:
        from engine.jobs.export_job import export_job

        return export_job(out_dir, run_dir, progress=progress, control=control)

    return run


def exported_text(job: ExportedJob) -> str:
    """Where the job is and what to do with it (its notes are the engine's own words)."""
    text = translate(
        "JobActions",
        "The job is in {folder} ({count} images, copied). Copy the folder to the cluster and run "
        "launch_single_node.sh (torchrun --standalone) or launch_multi_node.sh; then use "
        "“Import run…” on the folder.",
    ).format(folder=job.job_dir, count=f"{job.images:,}")
    for note in job.notes:
        text += "\n" + translate("JobActions", "Note: {note}").format(note=note)
    return text


def import_run_task(job_dir: str, runs_parent: str) -> TaskFunction:
    """A task importing the job's run into ``runs_parent``; returns the project's entry for it."""

    def run(progress: Progress, control: RunControl) -> dict[str, Any]:
        from engine.jobs.import_run import import_run
        from engine.runs.files import read_info

        imported = import_run(job_dir, runs_parent, progress=progress, control=control)
        info = read_info(imported.run_dir)
        return {
            "run_dir": str(imported.run_dir.resolve()),
            "strategy": info.strategy,
            "backbones": list(info.backbones),
            "best_val_acc": info.best_val_acc,
            "created": info.created,
            "status": info.status,
            "epochs_completed": info.epochs_completed,
        }

    return run


class JobActions(QObject):
    """The runs panel's "Export as job…" and "Import run…": dialogs, the background task, the outcome."""

    imported = Signal(object)  # the project entry of the imported run
    message = Signal(str)  # a short line for the runs panel's hint

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.window = parent
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(lambda: self.message.emit(translate("JobActions", "Cancelled.")))
        self.runner.progress.connect(self._on_progress)
        self.last_box: QMessageBox | None = None

    def ask_export(self, run_dir: str) -> None:
        """Ask for a folder to put the job in (a new ``<run>-job`` folder), then export it."""
        start = str(Path(run_dir).parent)
        parent = QFileDialog.getExistingDirectory(
            self.window, translate("JobActions", "Put the job folder in"), start
        )
        if parent:
            self.export(run_dir, str(Path(parent) / f"{Path(run_dir).name}-job"))

    def export(self, run_dir: str, out_dir: str) -> bool:
        """Write the job folder of ``run_dir`` at ``out_dir`` in the background."""
        return self.runner.start(export_job_task(run_dir, out_dir))

    def ask_import(self, runs_parent: str | None) -> None:
        """Ask for a job folder, then import its run into the project's runs."""
        if not runs_parent:
            self._show(translate("JobActions", "No project open"),
                       translate("JobActions", "Open the project to import the run into first."), ok=False)
            return
        job_dir = QFileDialog.getExistingDirectory(
            self.window, translate("JobActions", "The job folder to import")
        )
        if job_dir:
            self.import_job(job_dir, runs_parent)

    def import_job(self, job_dir: str, runs_parent: str) -> bool:
        """Import ``job_dir``'s run into ``runs_parent`` in the background."""
        return self.runner.start(import_run_task(job_dir, runs_parent))

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, stage: str) -> None:
        self.message.emit(stage_progress_text(stage, done, total if total > 1 else 0))

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        self._show(translate("JobActions", "The job action failed"), text, ok=False)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        if isinstance(result, dict):
            self.imported.emit(result)
            text = translate("JobActions", "Imported as {folder}.").format(folder=result["run_dir"])
            self._show(translate("JobActions", "Run imported"), text, ok=True)
        else:
            self._show(translate("JobActions", "Job exported"), exported_text(result), ok=True)

    def _show(self, title: str, text: str, ok: bool) -> None:
        self.message.emit(translate("JobActions", "{title}.").format(title=title))
        box = QMessageBox(
            QMessageBox.Icon.Information if ok else QMessageBox.Icon.Warning,
            title,
            text,
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()
        self.last_box = box
