"""The status-bar strip that shows the running project job (import, export, re-check) with its cancel button.

The job itself runs on :class:`gui.workers.task_runner.TaskRunner`; this widget only draws the
``(done, total, message)`` reports it receives.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from gui.i18n import retranslate_on_change, translate
from gui.resources import icon
from gui.widgets.plain_text import set_tooltip


class JobProgressWidget(QWidget):
    """A compact "Importing… [=====   ] 40 % (x)" strip for the status bar; hidden when idle."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(6)
        self._title = ""
        self._done: int | None = None  # None: not counting yet
        self._total = 0
        self._cancelling = False
        self._label = QLabel(self)
        self._bar = QProgressBar(self)
        self._bar.setFixedWidth(160)
        self._bar.setMaximumHeight(14)
        self._bar.setTextVisible(False)
        self._cancel = QToolButton(self)
        self._cancel.setIcon(icon("close"))
        self._cancel.setAutoRaise(True)
        self._cancel.clicked.connect(self.cancel_requested)
        for widget in (self._label, self._bar, self._cancel):
            layout.addWidget(widget)
        self.hide()
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """The tooltip and the progress line in the interface language (the job's title as it was given)."""
        self._cancel.setToolTip(translate("JobProgressWidget", "Cancel"))
        self._show_text()

    def _show_text(self) -> None:
        if self._cancelling:
            text = translate("JobProgressWidget", "Cancelling…")
        elif self._done is None:
            text = translate("JobProgressWidget", "{job}…").format(job=self._title)
        elif self._total <= 0:
            text = translate("JobProgressWidget", "{job}… {count} found").format(job=self._title,
                                                                                count=f"{self._done:,}")
        else:
            text = translate("JobProgressWidget", "{job}… {done} / {total}").format(
                job=self._title, done=f"{self._done:,}", total=f"{self._total:,}")
        self._label.setText(text)

    def start(self, title: str) -> None:
        """Show the strip for a new job, indeterminate until the first progress report."""
        self._title, self._done, self._total, self._cancelling = title, None, 0, False
        self._show_text()
        self._bar.setRange(0, 0)
        self._bar.setToolTip("")
        self._cancel.setEnabled(True)
        self.show()

    def set_progress(self, done: int, total: int, message: str) -> None:
        """Show ``done`` of ``total`` (``total`` 0: still counting); ``message`` becomes the bar's tooltip."""
        set_tooltip(self._bar, message)
        self._done, self._total = done, total
        if total <= 0:
            self._bar.setRange(0, 0)
        else:
            self._bar.setRange(0, total)
            self._bar.setValue(done)
        self._show_text()

    def set_cancelling(self) -> None:
        """Show that a cancel is under way."""
        self._cancel.setEnabled(False)
        self._cancelling = True
        self._show_text()

    def finish(self) -> None:
        """Hide the strip."""
        self.hide()
