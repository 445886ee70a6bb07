"""The status bar: notes, the running job with its cancel button, counts and the save state."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Slot
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from gui.i18n import retranslate_on_change, translate
from gui.state.app_state import AppState
from gui.theme import ERROR_COLOR
from gui.widgets.icon_label import IconLabel
from gui.widgets.job_progress import JobProgressWidget
from gui.widgets.plain_text import set_tooltip

MESSAGE_MS = 8000
_SAVE_STATES = {  # save status → icon, its colour, text (translated on use)
    "saved": ("check", None, QT_TRANSLATE_NOOP("MainStatusBar", "All changes saved")),
    "saving": ("save", None, QT_TRANSLATE_NOOP("MainStatusBar", "Saving…")),
    "failed": ("warning", ERROR_COLOR, QT_TRANSLATE_NOOP("MainStatusBar", "Not saved")),
}


class MainStatusBar(QStatusBar):
    """Shows what the app is doing and that the work is safe on disk."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.job = JobProgressWidget(self)
        self.counts = QLabel(self)
        self.counts.setTextFormat(Qt.TextFormat.PlainText)
        self.counts.setObjectName("mutedLabel")
        self.save_icon = IconLabel("", 14, self)
        self.save_label = QLabel(self)
        self.save_label.setTextFormat(Qt.TextFormat.PlainText)
        for widget in (self.job, self.counts, self.save_icon, self.save_label):
            self.addPermanentWidget(widget)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self._update_counts)
        self.job.cancel_requested.connect(self._on_cancel)
        state.message.connect(self._show_message)
        state.save_status_changed.connect(self._on_save_status)
        state.job_started.connect(self.job.start)
        state.job_progress.connect(self.job.set_progress)
        state.job_finished.connect(self.job.finish)
        for signal in (state.project_changed, state.images_changed, state.labels_changed):
            signal.connect(self._schedule)
        state.project_changed.connect(self._on_project_changed)
        state.classes_changed.connect(self._schedule)
        self._save_status = ("idle", "")
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """The counts and the save state in the interface language."""
        self._update_counts()
        self._on_save_status(*self._save_status)

    @Slot(object)
    def _on_project_changed(self, project: object) -> None:
        self._on_save_status("saved" if project is not None else "idle", "")

    @Slot(str)
    def _show_message(self, text: str) -> None:
        self.showMessage(text, MESSAGE_MS)

    @Slot()
    def _on_cancel(self) -> None:
        self.job.set_cancelling()
        self._state.cancel_job()

    @Slot()
    def _schedule(self) -> None:
        self._timer.start()

    @Slot()
    def _update_counts(self) -> None:
        project = self._state.project
        if project is None:
            self.counts.clear()
            self._on_save_status("idle", "")
            return
        labelled = sum(1 for e in project.images if e.label is not None and not e.broken)
        text = translate("MainStatusBar", "{images} images · {labelled} labelled · {classes} classes")
        self.counts.setText(text.format(images=f"{len(project.images):,}", labelled=f"{labelled:,}",
                                        classes=len(project.classes)))

    @Slot(str, str)
    def _on_save_status(self, status: str, detail: str) -> None:
        self._save_status = (status, detail)
        project = self._state.project
        if project is None or status == "idle":
            self.save_icon.set_icon(None)
            self.save_label.setText(translate("MainStatusBar", "No project open") if project is None else "")
            self.save_label.setToolTip("")
            return
        name, color, text = _SAVE_STATES.get(status, _SAVE_STATES["saved"])
        self.save_icon.set_icon(name, color)
        self.save_label.setText(translate("MainStatusBar", text))
        set_tooltip(self.save_label, detail or str(project.file_path))
