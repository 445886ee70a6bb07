"""File ▸ Import Backbone Weights…: use a ``.pth``/``.safetensors`` file as a backbone's pretrained weights.

The user picks the file, then the backbone it belongs to (guessed from the file name). Listing the
backbones and checking the file (safe loaders only, every tensor against the architecture, then a
pinned copy in the weights cache: :func:`engine.models.registry.import_weights`) import torch, so
both run off the GUI thread on a :class:`~gui.workers.task_runner.TaskRunner`, under a busy dialog.
A refused file is explained in one dialog; nothing is stored then.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QProgressDialog, QWidget

from gui.i18n import translate
from gui.widgets import dialogs
from gui.widgets.plain_text import rich_text
from gui.workers.task_runner import TaskRunner

WEIGHT_PATTERNS = "*.pth *.pt *.bin *.safetensors"
NamesFunction = Callable[[], list[str]]
ImportFunction = Callable[[str, str], Any]


def backbone_names() -> list[str]:
    """Every registered backbone name, the default first (imports torch: call off the GUI thread)."""
    from engine.models.registry import list_backbones

    return [spec.name for spec in list_backbones()]


def import_backbone_weights(path: str, name: str) -> Path:
    """Check and store ``path`` as backbone ``name``'s weights (imports torch: off the GUI thread)."""
    from engine.errors import WeightsError
    from engine.models.registry import import_weights

    try:
        return import_weights(path, name)
    except WeightsError as exc:
        if path in str(exc):
            raise
        raise WeightsError(f"{path}: {exc}") from exc  # the message names the file


def file_filter() -> str:
    """The file dialog's filter for weights files, in the interface language."""
    return ";;".join((translate("WeightsImportFlow", "Weights ({patterns})").format(patterns=WEIGHT_PATTERNS),
                      translate("WeightsImportFlow", "All files (*)")))


def title() -> str:
    """The title of every dialog of the flow, in the interface language."""
    return translate("WeightsImportFlow", "Import Backbone Weights")


def guess_backbone(file_name: str, names: list[str]) -> int:
    """Index in ``names`` of the longest name the file name contains (``resnet18-f37072fd.pth``), else 0."""
    stem = file_name.lower()
    matches = [(len(name), i) for i, name in enumerate(names) if name.lower() in stem]
    return max(matches)[1] if matches else 0


class WeightsImportFlow(QObject):
    """Runs the import from the menu; ``imported(path)`` or ``failed(message)`` tell how it ended."""

    imported = Signal(str)
    failed = Signal(str)

    def __init__(self, window: QWidget, names_fn: NamesFunction | None = None,
                 import_fn: ImportFunction | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._names_fn = names_fn or backbone_names
        self._import_fn = import_fn or import_backbone_weights
        self._runner = TaskRunner(self)
        self._runner.finished.connect(self._on_finished)
        self._runner.failed.connect(self._on_failed)
        self._runner.idle.connect(self._on_idle)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)  # never leave the check's thread running at exit
        self._source = ""
        self._backbone = ""
        self._stage = ""  # "names" while listing the backbones, "import" while checking the file
        self._names: list[str] = []
        self._busy: QProgressDialog | None = None

    def is_running(self) -> bool:
        """True while the backbones are listed or a file is checked."""
        return self._runner.is_running()

    @Slot()
    def ask(self) -> None:
        """Ask for the weights file, then for its backbone, then import it."""
        path, _ = QFileDialog.getOpenFileName(self._window, title(), "", file_filter())
        if path:
            self.start(path)

    def start(self, path: str) -> bool:
        """List the backbones off the GUI thread; the user then chooses one for ``path``."""
        if self._runner.is_running():
            return False
        self._source, self._stage, self._names = path, "names", []
        self._show_busy(translate("WeightsImportFlow", "Reading the list of backbones…"))
        self._runner.start(lambda _progress, _control: self._names_fn())
        return True

    def shutdown(self) -> None:
        """Wait for a running check to end (the app is closing)."""
        self._runner.shutdown()

    def _show_busy(self, text: str) -> None:
        if self._busy is None:
            self._busy = QProgressDialog(self._window)
            self._busy.setCancelButton(None)
            self._busy.setRange(0, 0)  # indeterminate: the check has no steps to count
            self._busy.setMinimumDuration(0)
            self._busy.setWindowModality(Qt.WindowModality.WindowModal)
        self._busy.setWindowTitle(title())
        self._busy.setLabelText(rich_text(text))  # file names are shown literally
        self._busy.show()

    def _hide_busy(self) -> None:
        if self._busy is not None:
            self._busy.hide()

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        if self._stage == "names":
            self._names = [str(name) for name in result] if isinstance(result, list) else []
            return
        self._hide_busy()
        self._stage = ""
        text = translate("WeightsImportFlow", "{file} is now the pretrained weights of {backbone}: training "
                         "with {backbone} uses it, offline too.\n\nA checked copy is kept at {copy}; its "
                         "SHA-256 is pinned and checked before every load.")
        QMessageBox.information(self._window, title(), rich_text(
            text.format(file=self._source, backbone=self._backbone, copy=result)))
        self.imported.emit(str(result))

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._hide_busy()
        self._stage = ""
        text = translate("WeightsImportFlow", "{reason}\n\nNothing was imported.").format(reason=message)
        dialogs.show_error(self._window, translate("WeightsImportFlow", "Cannot import the weights"), text)
        self.failed.emit(message)

    @Slot()
    def _on_idle(self) -> None:
        """After the backbones are listed (the runner is free again): ask for one and check the file."""
        names, self._names = self._names, []
        if self._stage != "names" or not names:
            return
        self._stage = ""
        self._hide_busy()
        file_name = Path(self._source).name
        prompt = translate("WeightsImportFlow", "Which backbone are the weights in {file} for?")
        prompt = prompt.format(file=file_name)
        name, ok = QInputDialog.getItem(self._window, title(), rich_text(prompt), names,
                                        guess_backbone(file_name, names), False)
        if not ok or not name:
            return
        self._backbone, self._stage = str(name), "import"
        self._show_busy(translate("WeightsImportFlow", "Checking {file} against {backbone}…")
                        .format(file=Path(self._source).name, backbone=self._backbone))
        source, backbone = self._source, self._backbone
        self._runner.start(lambda _progress, _control: self._import_fn(source, backbone))
