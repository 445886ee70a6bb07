"""AppState: the single source of truth of the GUI (current project, undo stack, autosave, jobs).

Panels read ``state.project`` and listen to the signals; every change goes through a method
here (pushed on the undo stack when it is a labelling action) and is autosaved at once on a
worker thread, so a crash or a kill loses nothing. Later stages plug in through
``project_changed``, ``labels_changed``, ``classes_changed``, :meth:`AppState.dataset_index`
and :meth:`AppState.add_run`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QThreadPool, Signal, Slot
from PySide6.QtGui import QUndoStack

from engine.control import RunControl
from engine.data.scan import DatasetIndex
from engine.progress import Progress
from engine.project.exporting import FolderExportResult, export_labeled_folders
from engine.project.importing import ImportPlan, project_from_plan, recheck_files, scan_import
from engine.project.schema import ProjectFileError
from engine.project.store import Project, validate_class_name
from gui.data.thumbnails import ThumbnailCache
from gui.i18n import language_notifier, translate
from gui.state import commands, job_messages
from gui.state.autosave import ProjectSaver, save_error_text
from gui.workers.task_runner import TaskFunction, TaskRunner

log = logging.getLogger(__name__)
MAX_RECENT = 8


class AppState(QObject):
    """The open project and everything that changes it."""

    project_changed = Signal(object)  # Project | None
    images_changed = Signal()  # images were added or removed
    labels_changed = Signal(object)  # image indices whose label/split/broken/excluded changed; None: all
    classes_changed = Signal()  # classes created, renamed, merged or deleted
    dismissed_changed = Signal()  # doctor findings were dismissed or brought back (undo)
    runs_changed = Signal()
    save_status_changed = Signal(str, str)
    message = Signal(str)  # a short note for the status bar
    error = Signal(str, str)  # title, text: shown as a dialog by the main window
    job_started = Signal(str)
    job_progress = Signal(int, int, str)  # done, total, message
    job_finished = Signal()
    recent_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.undo_stack = QUndoStack(self)
        self.thumbnails = ThumbnailCache(self)
        self.thumbnails.failed.connect(self._on_thumbnail_failed)
        self.saver = ProjectSaver(self)
        self.saver.status_changed.connect(self.save_status_changed)
        self.saver.failed.connect(self._on_save_failed)
        self._jobs = TaskRunner(self)  # imports, exports and re-checks, one at a time
        self._jobs.progress.connect(self.job_progress)
        self._jobs.finished.connect(self._on_job_finished)
        self._jobs.cancelled.connect(self._on_job_cancelled)
        self._jobs.failed.connect(self._on_job_failed)
        self._jobs.idle.connect(self.job_finished)
        self._job_kind = ""
        self._job_args: dict[str, Any] = {}
        self._closing = False
        language_notifier().changed.connect(self._on_language_changed)

    @Slot()
    def _on_language_changed(self) -> None:
        commands.retranslate_commands(self.undo_stack)  # Edit ▸ Undo names them in the new language

    # ----------------------------------------------------------- lifecycle
    def open_project(self, path: str | Path) -> bool:
        """Open the project in folder (or file) ``path``; on error the current one stays open."""
        try:
            project = Project.load(path)
        except ProjectFileError as exc:
            self.error.emit(translate("AppState", "Cannot open the project"),
                            translate("AppState", "{reason}\n\nNothing was changed.").format(reason=exc))
            return False
        return self._set_project(project)

    def create_project(self, folder: str | Path) -> bool:
        """Create an empty project in ``folder``, or open the one already there."""
        if Project.exists(folder):
            return self.open_project(folder)
        try:
            project = Project.create(folder)
        except OSError as exc:
            self.error.emit(translate("AppState", "Cannot create the project"),
                            save_error_text(Path(folder), exc))
            return False
        return self._set_project(project)

    def import_dataset(self, root: str | Path, project_folder: str | Path) -> None:
        """Create a labelled project from a dataset folder, scanning off the GUI thread."""
        self._run_job("dataset", _scan_job([str(root)], None, ()), folder=str(project_folder))

    def close_project(self) -> bool:
        """Save and close; False (and the project stays open) if the last save failed."""
        if self.project is None:
            return True
        error = self.saver.flush()
        if error:
            self.error.emit(translate("AppState", "Cannot save the project"), error)
            return False
        self.project = None
        self.saver.set_project(None)
        self.undo_stack.clear()
        self.thumbnails.clear_pending()
        self.project_changed.emit(None)
        return True

    def save_now(self) -> bool:
        """Write the project file now (autosave does it anyway); report a failure."""
        error = self.saver.flush()
        if error:
            self.error.emit(translate("AppState", "Cannot save the project"), error)
        elif self.project is not None:
            self.message.emit(translate("AppState", "Saved {path}").format(path=self.project.file_path))
        return not error

    def shutdown(self) -> None:
        """Stop jobs and workers; call once before the app quits (after :meth:`close_project`)."""
        self._closing = True  # results still queued from workers are dropped
        self._jobs.shutdown()
        QThreadPool.globalInstance().waitForDone(10_000)  # autosave writes
        self.thumbnails.shutdown()

    def _set_project(self, project: Project) -> bool:
        if not self.close_project():
            return False
        # A project holds ~10 objects per image; frozen, they are no longer scanned by every full
        # garbage collection, which otherwise pauses the GUI for tens of ms with 20,000 images.
        gc.unfreeze()
        gc.freeze()
        self.project = project
        self.saver.set_project(project)
        self._remember(project.folder)
        self.project_changed.emit(project)
        return True

    # ------------------------------------------------------------ labelling
    def label_images(self, indices: Sequence[int], label: str | None) -> None:
        """Label (or with None, unlabel) images as one undoable step."""
        if self.project is None or (label is not None and label not in self.project.classes):
            return
        todo = [i for i in indices if self.project.images[i].label != label]
        if todo:
            command = commands.SetLabelsCommand(self, todo, label)
            self.undo_stack.push(command)
            self.message.emit(job_messages.undo_hint(command.text().replace("&&", "&")))

    def add_class(self, name: str) -> str | None:
        """Create a class; return the error text if the name is not valid."""
        clean, error = self._validate_class(name)
        if clean:
            self.undo_stack.push(commands.AddClassCommand(self, clean))
        return error

    def rename_class(self, old: str, new: str) -> str | None:
        """Rename a class; return the error text if the new name is not valid."""
        clean, error = self._validate_class(new, ignore=old)
        if clean and clean != old:
            self.undo_stack.push(commands.RenameClassCommand(self, old, clean))
        return error

    def delete_class(self, name: str) -> None:
        """Delete a class; its images become unlabeled (undoable)."""
        if self.project is not None and name in self.project.classes:
            self.undo_stack.push(commands.DeleteClassCommand(self, name))

    def merge_classes(self, source: str, target: str) -> None:
        """Move all images of ``source`` into ``target`` and delete ``source`` (undoable)."""
        if self.project is not None and source != target and {source, target} <= set(self.project.classes):
            self.undo_stack.push(commands.MergeClassesCommand(self, source, target))

    def _validate_class(self, name: str, ignore: str | None = None) -> tuple[str | None, str | None]:
        if self.project is None:
            return None, translate("AppState", "Open or create a project first.")
        try:
            return validate_class_name(name, [c for c in self.project.classes if c != ignore]), None
        except ValueError as exc:
            return None, str(exc)

    def import_paths(self, paths: Sequence[str], label: str | None = None) -> None:
        """Import dropped or chosen files and folders (with ``label``), scanning off the GUI thread."""
        if self.project is None:
            self.error.emit(translate("AppState", "No project open"),
                            translate("AppState", "Create or open a project first (File › New Project…), "
                                      "then drop the images again."))
            return
        known = tuple(e.path for e in self.project.images)
        self._run_job("import", _scan_job(list(paths), label, known))

    def export_dataset(self, dest: str | Path) -> None:
        """Copy the labelled images into ``dest/<class>/`` off the GUI thread."""
        if self.project is not None:
            project = Project(self.project.folder)
            project.classes, project.images = list(self.project.classes), list(self.project.images)
            self._run_job("export", _export_job(project, str(dest)), dest=str(dest))

    def recheck_broken(self) -> None:
        """Decode-check the unreadable files again, off the GUI thread (after the user fixed them)."""
        if self.project is not None and self.project.count_broken():
            paths = [e.path for e in self.project.images if e.broken]
            self._run_job("recheck", _recheck_job(paths))

    def mark_broken(self, failures: Sequence[tuple[str, str]]) -> None:
        """Record the loader's reasons for files that failed to decode (not undoable: they are facts)."""
        changed = []
        for path, reason in failures:
            index = self.project.index_of(path) if self.project is not None else None
            if index is not None and self.project.images[index].broken != reason:
                self.project.set_broken(index, reason)
                changed.append(index)
        if changed:
            self.notify_labels(changed)

    def add_run(self, info: dict[str, Any]) -> None:
        """Record a finished training run in the project (autosaved)."""
        if self.project is None:
            raise RuntimeError("no project is open")
        self.project.add_run(info)
        self.runs_changed.emit()
        self.saver.schedule()

    def dataset_index(self) -> DatasetIndex | None:
        """Return the labelled, readable images for training, or None without a project."""
        return self.project.to_dataset_index() if self.project is not None else None

    # ---------------------------------------------- notifications (commands)
    def notify_labels(self, indices: Sequence[int] | None) -> None:
        """Tell the views that these images changed, and autosave."""
        self.labels_changed.emit(list(indices) if indices is not None else None)
        self.saver.schedule()

    def notify_images(self) -> None:
        """Tell the views that images were added or removed, and autosave."""
        self.images_changed.emit()
        self.classes_changed.emit()
        self.saver.schedule()

    def notify_classes(self, relabeled: bool = False) -> None:
        """Tell the views that classes changed (and labels with them), and autosave."""
        self.classes_changed.emit()
        if relabeled:
            self.labels_changed.emit(None)
        self.saver.schedule()

    # ----------------------------------------------------------------- jobs
    @property
    def busy(self) -> bool:
        """True while an import or export runs."""
        return self._jobs.is_running()

    def cancel_job(self) -> None:
        """Ask the running job to stop (it ends within a fraction of a second)."""
        self._jobs.cancel()

    def _run_job(self, kind: str, fn: TaskFunction, **args: Any) -> None:
        if self._jobs.is_running():
            self.error.emit(translate("AppState", "Please wait"),
                            translate("AppState", "Another import or export is still running; wait for it or "
                                      "cancel it in the status bar."))
            return
        self._job_kind, self._job_args = kind, args
        self.job_started.emit(job_messages.job_title(kind))
        self._jobs.start(fn)

    @Slot(object)
    def _on_job_finished(self, result: object) -> None:
        if self._closing:
            return
        if self._job_kind == "recheck":
            self._apply_recheck(result)
            return
        if self._job_kind == "export":
            assert isinstance(result, FolderExportResult)
            self._report_export(result)
            return
        assert isinstance(result, ImportPlan)
        if self._job_kind == "dataset":
            self._create_from_plan(result)
        elif self.project is not None:
            command = commands.ImportImagesCommand(self, result.entries, result.classes)
            self.undo_stack.push(command)
            self.message.emit(job_messages.import_summary(result, command.added))
        self._report_import_warnings(result)

    @Slot()
    def _on_job_cancelled(self) -> None:
        if self._closing:
            return
        self.message.emit(job_messages.cancelled_text(self._job_kind, self._job_args.get("dest", "")))

    def _apply_recheck(self, result: object) -> None:
        assert isinstance(result, dict)
        fixed = 0
        for path, reason in result.items():
            index = self.project.index_of(path) if self.project is not None else None
            if index is not None and self.project.images[index].broken != reason:
                self.thumbnails.forget(path)
                self.project.set_broken(index, reason)
                fixed += reason is None
        self.notify_labels(None)
        self.message.emit(job_messages.recheck_summary(fixed, len(result)))

    def _create_from_plan(self, plan: ImportPlan) -> None:
        try:
            project = project_from_plan(plan, self._job_args["folder"])
        except (OSError, ValueError) as exc:
            self.error.emit(translate("AppState", "Cannot create the project"),
                            save_error_text(Path(self._job_args["folder"]), exc))
            return
        if self._set_project(project):
            self.message.emit(job_messages.import_summary(plan, len(project.images)))

    def _report_export(self, result: FolderExportResult) -> None:
        dest = self._job_args.get("dest", "")
        self.message.emit(job_messages.export_summary(result.copied, dest))
        if result.failed:
            self.error.emit(translate("AppState", "Some images were not exported"),
                            job_messages.export_failures(result.failed, dest))

    def _report_import_warnings(self, plan: ImportPlan) -> None:
        if plan.warnings:
            title = translate("AppState", "Check the imported folder")
            self.error.emit(title, job_messages.import_warnings(plan.warnings))

    @Slot(str)
    def _on_job_failed(self, text: str) -> None:
        self.error.emit(translate("AppState", "The import or export failed"), text)

    @Slot(object)
    def _on_thumbnail_failed(self, failures: list[tuple[str, str]]) -> None:
        if not self._closing:
            self.mark_broken(failures)

    @Slot(str)
    def _on_save_failed(self, text: str) -> None:
        self.error.emit(translate("AppState", "Autosave failed"), text)

    # ------------------------------------------------------------- settings
    def setting(self, key: str, default: Any = None) -> Any:
        """Read a GUI preference from QSettings."""
        return QSettings().value(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        """Write a GUI preference to QSettings."""
        QSettings().setValue(key, value)

    def recent_projects(self) -> list[str]:
        """Return recently opened project folders that still exist, newest first."""
        value = QSettings().value("recentProjects", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [p for p in items if Project.exists(p)]

    def _remember(self, folder: Path) -> None:
        items = [str(folder)] + [p for p in self.recent_projects() if p != str(folder)]
        QSettings().setValue("recentProjects", items[:MAX_RECENT])
        self.recent_changed.emit()


def _scan_job(paths: list[str], label: str | None, known: tuple[str, ...]) -> TaskFunction:
    def run(progress: Progress, control: RunControl) -> ImportPlan:
        return scan_import(paths, label, known, progress=progress, control=control)

    return run


def _recheck_job(paths: list[str]) -> TaskFunction:
    def run(progress: Progress, control: RunControl) -> dict[str, str | None]:
        return recheck_files(paths, progress=progress, control=control)

    return run


def _export_job(project: Project, dest: str) -> TaskFunction:
    def run(progress: Progress, control: RunControl) -> FolderExportResult:
        return export_labeled_folders(project, dest, progress=progress, control=control)

    return run
