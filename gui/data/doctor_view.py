"""The Doctor view of the Data page: examine the labelled images, then triage the findings by keyboard.

"Examine" runs :func:`engine.doctor.examine.examine` on the project's labelled images off the GUI
thread (its own :class:`~gui.workers.task_runner.TaskRunner`, with progress and cancel). The
findings it lists are grouped by severity and kind, with both images side by side for duplicates
and leakage. Keys on the list: 1-9 relabel the finding's images to class N, X excludes them from
training, Enter applies the suggested fix, K keeps the data as it is, Z (or Ctrl+Z) undoes and
Shift+Z redoes, arrows move. Every decision is one undoable step that also remembers the finding
in the project (see :mod:`gui.data.doctor_actions`), so it does not come back on the next scan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine.control import RunControl
from engine.doctor.findings import Finding
from engine.progress import Progress
from gui.data import doctor_actions
from gui.data.doctor_delegate import FindingDelegate
from gui.data.doctor_model import DoctorListModel, kind_title
from gui.data.instant_head import SHUTDOWN_WAIT_MS
from gui.i18n import retranslate_on_change, translate
from gui.state.app_state import AppState
from gui.widgets.plain_text import set_tooltip
from gui.workers.task_runner import TaskFunction, TaskRunner

if TYPE_CHECKING:
    from engine.doctor.examine import DoctorReport

# Texts kept as sources and translated where shown (context "DoctorView").
KEY_HINT = QT_TRANSLATE_NOOP(
    "DoctorView", "1-9 relabel · X exclude · Enter apply the fix · K keep as is · Z undo · ↑↓ move")
INTRO = QT_TRANSLATE_NOOP(
    "DoctorView", "The doctor looks for duplicates, train/validation leakage, suspect labels, outliers, "
    "dark, blurry or tiny images and class imbalance in your labelled images. Press Examine to start.")
NOTHING_OPEN = QT_TRANSLATE_NOOP("DoctorView", "No open findings: every finding was handled or kept.")
CANCELLED = QT_TRANSLATE_NOOP("DoctorView", "Examination cancelled; nothing changed.")
_SUMMARIES = {  # (findings open?, findings handled before?): the summary of a report
    (True, False): QT_TRANSLATE_NOOP("DoctorView", "{count} open: {kinds}"),
    (True, True): QT_TRANSLATE_NOOP("DoctorView", "{count} open: {kinds} ({handled} handled before)"),
    (False, False): QT_TRANSLATE_NOOP(
        "DoctorView", "Nothing left to fix. Examine again after you change the data."),
    (False, True): QT_TRANSLATE_NOOP(
        "DoctorView", "Nothing left to fix. Examine again after you change the data. "
        "({handled} handled before)"),
}
# The examination's progress messages: the engine's stage texts (engine.doctor.examine.EMBEDDING,
# engine.doctor.pixels.CHECKING_PIXELS), translated where shown like every other message here.
ENGINE_STAGES = (
    QT_TRANSLATE_NOOP("DoctorView", "Embedding your images"),
    QT_TRANSLATE_NOOP("DoctorView", "Checking brightness, sharpness and size"),
)


class FindingListView(QListView):
    """The queue; turns triage keys into signals (the window's 1-9 shortcuts arrive through the page)."""

    number_key = Signal(int)
    decision_key = Signal(str)  # "exclude", "accept", "keep", "undo", "redo"

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Triage keys; arrows and the rest as usual."""
        key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and not mods:
            self.number_key.emit(key - Qt.Key.Key_0)
        elif key == Qt.Key.Key_Z and mods in (Qt.KeyboardModifier.NoModifier, ctrl):
            self.decision_key.emit("undo")
        elif (key == Qt.Key.Key_Z and mods in (shift, ctrl | shift)) or (key, mods) == (Qt.Key.Key_Y, ctrl):
            self.decision_key.emit("redo")
        elif not mods and key in _KEYS:
            self.decision_key.emit(_KEYS[key])
        else:
            super().keyPressEvent(event)


_KEYS = {Qt.Key.Key_X: "exclude", Qt.Key.Key_Return: "accept", Qt.Key.Key_Enter: "accept",
         Qt.Key.Key_K: "keep"}


class DoctorView(QWidget):
    """Examine button, progress, summary and the review queue."""

    closed = Signal()  # the user asked to go back to the images

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._report: DoctorReport | None = None
        self._scan_project: object = None
        self.model = DoctorListModel(state, self)
        self.view = FindingListView(self)
        self.view.setObjectName("doctorQueue")
        self.view.setModel(self.model)
        self.view.setItemDelegate(FindingDelegate(state.thumbnails, self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.examine_button = QPushButton(self)
        self.cancel_button = QPushButton(self)
        self.back_button = QPushButton(self)
        self.progress = QProgressBar(self)
        self.progress.setFixedWidth(220)
        self.summary = QLabel(self)
        self.summary.setObjectName("mutedLabel")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.hint = QLabel(self)
        self.hint.setObjectName("mutedLabel")
        self._message: tuple[str, dict[str, object]] | None = None  # shown instead of the report's summary
        self._empty_text = INTRO
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)
        self._build_layout()
        self._runner = TaskRunner(self)
        self._runner.progress.connect(self._on_progress)
        self._runner.finished.connect(self._on_finished)
        self._runner.cancelled.connect(lambda: self._set_message(CANCELLED))
        self._runner.failed.connect(self._on_failed)
        self._runner.idle.connect(self._update_controls)
        self.examine_button.clicked.connect(self.examine)
        self.cancel_button.clicked.connect(self._runner.cancel)
        self.back_button.clicked.connect(self.closed)
        self.view.number_key.connect(self.relabel_key)
        self.view.decision_key.connect(self.decide)
        self.model.modelReset.connect(self._update_summary)
        state.project_changed.connect(self._on_project_changed)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Set every text in the interface language."""
        self.title.setText(translate("DoctorView", "Dataset doctor"))
        self.examine_button.setToolTip(
            translate("DoctorView", "Check the labelled images for problems (uses the cached features)"))
        self.cancel_button.setText(translate("DoctorView", "Cancel"))
        self.back_button.setText(translate("DoctorView", "Back to images"))
        self.hint.setText(translate("DoctorView", KEY_HINT))
        self.empty.setText(translate("DoctorView", self._empty_text))
        self._show_summary()
        self._update_controls()

    def _build_layout(self) -> None:
        bar = QFrame(self)
        bar.setObjectName("browserBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(16, 10, 12, 10)
        row.setSpacing(10)
        self.title = title = QLabel(bar)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setWeight(QFont.Weight.DemiBold)
        title.setFont(font)
        row.addWidget(title)
        row.addWidget(self.summary, 1)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        row.addWidget(self.examine_button)
        row.addWidget(self.back_button)
        hint_row = QHBoxLayout()
        hint_row.setContentsMargins(16, 4, 12, 4)
        hint_row.addWidget(self.hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addLayout(hint_row)
        layout.addWidget(self.stack, 1)

    # ------------------------------------------------------------ examine
    @property
    def busy(self) -> bool:
        """True while an examination runs."""
        return self._runner.is_running()

    @Slot()
    def examine(self) -> None:
        """Examine the project's labelled images in the background."""
        project = self._state.project
        if project is None or self._runner.is_running():
            return
        index = project.to_dataset_index()
        if len(index.classes) < 2:
            self._set_message(QT_TRANSLATE_NOOP(
                "DoctorView", "Label images of two classes first; the doctor checks labelled images."))
            return
        self._scan_project = project
        self._runner.start(_examine_job(index, tuple(project.dismissed_findings)))
        self.progress.setRange(0, 0)
        self._set_message(QT_TRANSLATE_NOOP("DoctorView", "Examining your images…"))
        self._update_controls()

    def shutdown(self) -> None:
        """Cancel a running examination and wait for its thread (before the window goes)."""
        self._runner.shutdown(SHUTDOWN_WAIT_MS)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(min(done, total) if total else 0)
        self._set_message(message)  # an engine stage: translated when it is one of ENGINE_STAGES

    @Slot(object)
    def _on_finished(self, report: object) -> None:
        from engine.doctor.examine import DoctorReport  # loaded by the job already (it imports torch)

        if self._state.project is not self._scan_project or not isinstance(report, DoctorReport):
            return
        self._report = report
        self.model.set_findings(list(report.findings))
        self._update_summary()
        self.select_row(0)
        self.view.setFocus()

    # ------------------------------------------------------------ triage
    def current_finding(self) -> Finding | None:
        """The finding under the cursor."""
        index = self.view.currentIndex()
        return self.model.finding(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        """Make ``row`` (clamped) current and visible."""
        count = self.model.rowCount()
        if count:
            index = self.model.index(max(0, min(row, count - 1)))
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    @Slot(int)
    def relabel_key(self, number: int) -> None:
        """Relabel the current finding's images to class ``number`` (1-based, as in the sidebar)."""
        finding, classes = self.current_finding(), self._state.project.classes if self._state.project else []
        if finding is None:
            return
        if not 1 <= number <= len(classes):
            text = translate("DoctorView", "There is no class {number}; create it in the sidebar first.")
            self._state.message.emit(text.format(number=number))
            return
        self._after(doctor_actions.relabel(self._state, finding, classes[number - 1]))

    @Slot(str)
    def decide(self, decision: str) -> None:
        """Apply ``exclude``, ``accept`` or ``keep`` to the current finding, or ``undo``/``redo``."""
        if decision in ("undo", "redo"):
            self._undo_redo(decision)
            return
        finding = self.current_finding()
        if finding is None:
            return
        actions = {"exclude": doctor_actions.exclude, "accept": doctor_actions.accept}
        act = actions.get(decision, doctor_actions.keep)
        self._after(act(self._state, finding))

    def _after(self, message: str) -> None:
        """Keep the cursor where the handled finding was: the next one has taken its place."""
        row = self.view.currentIndex().row()
        self._state.message.emit(message)
        self.select_row(row)

    def _undo_redo(self, which: str) -> None:
        """Undo or redo, then put the cursor on the finding that came back (if one did)."""
        before = {self.model.finding(r).key for r in range(self.model.rowCount())}
        row = self.view.currentIndex().row()
        stack = self._state.undo_stack
        text = stack.undoText() if which == "undo" else stack.redoText()
        if not text:
            return
        stack.undo() if which == "undo" else stack.redo()
        back = [r for r in range(self.model.rowCount()) if self.model.finding(r).key not in before]
        self.select_row(back[0] if back else row)
        done = translate("DoctorView", "Undone: {action}") if which == "undo" else \
            translate("DoctorView", "Redone: {action}")
        self._state.message.emit(done.format(action=text.replace("&&", "&")))

    # ------------------------------------------------------------- display
    @Slot()
    def _update_summary(self) -> None:
        """Show the report's summary (and the queue, or why it is empty)."""
        self._message = None
        if self._report is not None:
            self._set_empty_text(NOTHING_OPEN)
        self._show_summary()
        shown = self._report is not None and self.model.rowCount() > 0
        self.stack.setCurrentWidget(self.view if shown else self.empty)

    def _report_summary(self) -> str:
        """"5 open: 1 train/validation leakage, 4 too dark (2 handled before)", in the interface language."""
        if self._report is None:
            return ""
        counts, handled = self.model.counts(), self._report.dismissed
        part = translate("DoctorView", "{count} {kind}")
        kinds = translate("DoctorView", ", ").join(part.format(count=n, kind=kind_title(kind).lower())
                                                   for kind, n in counts.items())
        text = translate("DoctorView", _SUMMARIES[(bool(counts), bool(handled))])
        return text.format(count=sum(counts.values()), kinds=kinds, handled=handled)

    def _set_message(self, source: str, **values: object) -> None:
        """Show ``source`` (translated, then filled with ``values``) instead of the report's summary."""
        self._message = (source, values)
        self._show_summary()

    def _show_summary(self) -> None:
        if self._message is None:
            self.summary.setText(self._report_summary())
            return
        source, values = self._message
        text = translate("DoctorView", source)
        self.summary.setText(text.format(**values) if values else text)

    def _set_empty_text(self, source: str) -> None:
        self._empty_text = source
        self.empty.setText(translate("DoctorView", source))

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        lines = text.strip().splitlines() or [translate("DoctorView", "unknown error")]
        self._set_message(QT_TRANSLATE_NOOP("DoctorView", "The examination failed: {error}"), error=lines[-1])
        set_tooltip(self.summary, text)  # the whole message, shown literally

    @Slot()
    def _update_controls(self) -> None:
        running = self._runner.is_running()
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.examine_button.setEnabled(not running and self._state.project is not None)
        self.examine_button.setText(translate("DoctorView", "Examine again") if self._report is not None else
                                    translate("DoctorView", "Examine"))

    @Slot(object)
    def _on_project_changed(self, _project: object) -> None:
        self._runner.cancel()  # its result, if it still comes, belongs to the old project and is dropped
        self._report = None
        self.model.set_findings([])
        self._set_empty_text(INTRO)
        self._update_summary()
        self._update_controls()


def _examine_job(index: object, dismissed: tuple[str, ...]) -> TaskFunction:
    def run(progress: Progress, control: RunControl) -> object:
        from engine.doctor.examine import examine

        return examine(index, dismissed=dismissed, progress=progress, control=control)

    return run
