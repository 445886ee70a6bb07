"""The dialogs around projects: new, open (a project or a dataset folder), import, export.

``open_path`` is the one entry point for a path from the command line, a drop, the recent list
or the Open dialog: a project folder opens; a folder of images (``DATA/<class>/`` or
``DATA/train|val/<class>/``) becomes a labelled project in one step, its project file written
beside the images (or in a folder the user picks when that one is read-only); images are never
moved or changed.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog, QWidget

from engine.imaging import IMAGE_EXTENSIONS, is_image_candidate
from engine.project.schema import PROJECT_FILE_NAME
from engine.project.store import Project
from gui.i18n import translate
from gui.state.app_state import AppState
from gui.widgets.dialogs import ask

_IMAGE_PATTERNS = " ".join(f"*{e}" for e in sorted(IMAGE_EXTENSIONS))


def image_filter() -> str:
    """The file dialog's filter for images, in the interface language."""
    return ";;".join((translate("ProjectFlows", "Images ({patterns})").format(patterns=_IMAGE_PATTERNS),
                      translate("ProjectFlows", "All files (*)")))


def has_images(folder: Path, depth: int = 3) -> bool:
    """Tell quickly whether ``folder`` holds images within ``depth`` levels (bounded scan)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    if any(e.is_file() and is_image_candidate(Path(e.path)) for e in entries):
        return True
    subdirs = [Path(e.path) for e in entries if e.is_dir() and not e.name.startswith(".")]
    return depth > 1 and any(has_images(d, depth - 1) for d in subdirs[:50])


class ProjectFlows(QObject):
    """Runs the file dialogs and hands the choices to the :class:`AppState`."""

    def __init__(self, window: QWidget, state: AppState) -> None:
        super().__init__(window)
        self._window, self._state = window, state

    def _start_dir(self) -> str:
        return str(self._state.setting("lastFolder", str(Path.home())))

    def _remember(self, path: str) -> None:
        self._state.set_setting("lastFolder", str(Path(path).parent if Path(path).is_file() else path))

    @Slot()
    def new_project(self) -> None:
        """Ask for a folder and create an empty project there (or open the one it holds)."""
        caption = translate("ProjectFlows", "Choose a folder for the new project")
        folder = QFileDialog.getExistingDirectory(self._window, caption, self._start_dir())
        if folder:
            self._remember(folder)
            self.open_path(folder, create=True)

    @Slot()
    def open_project(self) -> None:
        """Ask for a project folder, or a dataset folder to import."""
        caption = translate("ProjectFlows", "Open a project folder, or a folder of images")
        folder = QFileDialog.getExistingDirectory(self._window, caption, self._start_dir())
        if folder:
            self._remember(folder)
            self.open_path(folder)

    def open_path(self, path: str, create: bool = False) -> None:
        """Open a project file or folder; import a folder of images; or create a project."""
        target = Path(path).expanduser()
        if target.is_file() and target.name == PROJECT_FILE_NAME:
            target = target.parent
        if not target.is_dir():
            self._state.error.emit(translate("ProjectFlows", "Cannot open"),
                                   translate("ProjectFlows", "{path}: not a folder or a project file.")
                                   .format(path=target))
        elif Project.exists(target):
            self._state.open_project(target)
        elif has_images(target):
            self._import_dataset(target)
        elif create or ask(self._window, translate("ProjectFlows", "Create a project?"),
                           translate("ProjectFlows", "{path} holds no project and no images.\n\n"
                                     "Create a new, empty project there?").format(path=target)):
            self._state.create_project(target)

    def _import_dataset(self, folder: Path) -> None:
        project_folder = folder
        if not os.access(folder, os.W_OK):
            caption = translate("ProjectFlows", "{folder} is read-only: choose a folder for the project file")
            chosen = QFileDialog.getExistingDirectory(self._window, caption.format(folder=folder.name),
                                                      str(Path.home()))
            if not chosen:
                return
            project_folder = Path(chosen)
        self._state.import_dataset(folder, project_folder)

    @Slot()
    def import_files(self) -> None:
        """Ask for image files and import them unlabeled."""
        start = self._start_dir()
        caption = translate("ProjectFlows", "Import images")
        files, _ = QFileDialog.getOpenFileNames(self._window, caption, start, image_filter())
        if files:
            self._remember(files[0])
            self._state.import_paths(files)

    @Slot()
    def import_folder(self) -> None:
        """Ask for a folder and import its images (labelled by sub-folder when it is laid out so)."""
        caption = translate("ProjectFlows", "Import a folder of images")
        folder = QFileDialog.getExistingDirectory(self._window, caption, self._start_dir())
        if folder:
            self._remember(folder)
            self._state.import_paths([folder])

    @Slot()
    def export_dataset(self) -> None:
        """Ask for a destination and copy the labelled images into one folder per class."""
        if self._state.project is None:
            return
        caption = translate("ProjectFlows", "Export labelled images into this folder "
                            "(one sub-folder per class)")
        dest = QFileDialog.getExistingDirectory(self._window, caption, self._start_dir())
        if dest:
            self._state.export_dataset(dest)

    def handle_drop(self, paths: list[str], label: str | None = None) -> None:
        """Files or folders dropped on the window: open a project/dataset, or import."""
        if self._state.project is None:
            if len(paths) == 1 and Path(paths[0]).is_dir():
                self.open_path(paths[0])
            else:
                text = translate("ProjectFlows", "Drop a folder to start a project from it, or create a "
                                 "project first (File › New Project…).")
                self._state.error.emit(translate("ProjectFlows", "No project open"), text)
            return
        self._state.import_paths(paths, label)
