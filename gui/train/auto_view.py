"""What ``auto`` is doing, for the training panel: its steps, the strategy it chose and why, what it tried.

An ``auto`` run (:func:`engine.runs.launch.start_run`) first measures (the cached-feature head's
probe on a sample, then, when a fine-tune might pay, a short trial), reporting each step as a
``StageChanged``; then trains the chosen strategy, whose ``RunStarted`` carries the reason; its
``RunFinished`` lists every step tried with accuracy, seconds and why it stopped there. The view's
own words follow the interface language; the engine's reason and its notes on each step (what was
trained, why it stopped there) are shown as the engine wrote them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.events import RunFinished, RunStarted, RunStatus, StageChanged
from gui.i18n import retranslate_on_change, translate
from gui.train.run_texts import duration_text, stage_progress_text, stage_text
from gui.train.strategy_names import strategy_short, strategy_title
from gui.train.wizard.pages import plain_label, set_row, table

STEP_ROWS = 5  # the list of steps shows this many rows, then scrolls
TRIED_MAX_HEIGHT = 240  # pixels; the table of what auto tried scrolls beyond
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
TRIED_HEADERS = (  # translated where shown
    QT_TRANSLATE_NOOP("AutoRunView", "What was trained"),
    QT_TRANSLATE_NOOP("AutoRunView", "Strategy"),
    QT_TRANSLATE_NOOP("AutoRunView", "Validation accuracy"),
    QT_TRANSLATE_NOOP("AutoRunView", "Time"),
    QT_TRANSLATE_NOOP("AutoRunView", "Why it stopped there"),
)


def tried_row(step: dict[str, Any]) -> list[str]:
    """The table's cells for one entry of ``RunFinished.tried`` (what and why: the engine's words)."""
    accuracy, expected = step.get("accuracy"), step.get("expected_acc")
    seconds = step.get("seconds")
    if accuracy is None:
        accuracy_text = "—"
    elif expected:  # the run itself, beside the range the recommendation expected
        low, high = (float(x) for x in expected)
        accuracy_text = translate("AutoRunView", "{accuracy} (expected {low} to {high})").format(
            accuracy=f"{float(accuracy):.1%}", low=f"{low:.0%}", high=f"{high:.0%}")
    else:
        accuracy_text = f"{float(accuracy):.1%}"
    return [
        str(step.get("what") or ""),
        strategy_short(str(step.get("strategy") or "")),
        accuracy_text,
        duration_text(None if seconds is None else float(seconds)),
        str(step.get("stopped") or ""),
    ]


class AutoRunView(QFrame):
    """An ``auto`` run's steps as they happen, the choice and its reason, the table of what it tried."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("autoRunView")
        self._stages: list[str] = []
        self._progress: list[tuple[int, int]] = []  # each step's last (done, total)
        self._closed = 0  # how many steps are done (ticked)
        self._chosen: RunStarted | None = None
        self._ended: RunStatus | None = None  # how auto ended before it chose
        self._tried: tuple[dict[str, Any], ...] = ()
        self.heading = heading = plain_label("", self)
        heading.setObjectName("sectionTitle")
        self.steps = QListWidget(self)
        self.steps.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setWordWrap(True)
        self.choice = plain_label("", self)
        bold = QFont(self.choice.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self.choice.setFont(bold)
        self.choice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = plain_label("", self)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason.setProperty("untranslatedContent", True)  # the engine's reason, as it wrote it
        self.reason.hide()
        self.tried = table(list(TRIED_HEADERS), self)
        header = self.tried.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(TRIED_HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.tried.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tried.setWordWrap(True)
        self.tried.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # As tall as its rows (which wrap to the width), up to a limit; it scrolls beyond.
        self.tried.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.tried.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.tried.setMaximumHeight(TRIED_MAX_HEIGHT)
        self.tried.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tried.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(heading)
        layout.addWidget(self.steps)
        layout.addWidget(self.choice)
        layout.addWidget(self.reason)
        layout.addWidget(self.tried)
        self._fit_steps()
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """The heading, the steps, the choice and the table in the interface language."""
        self.heading.setText(translate("AutoRunView", "Auto: measure, then train the best"))
        self.tried.setHorizontalHeaderLabels([translate("AutoRunView", h) for h in TRIED_HEADERS])
        for row in range(self.steps.count()):
            self.steps.item(row).setText(self._step_text(row))
        self.choice.setText(self._choice_text())
        self._fill_tried()

    # ------------------------------------------------------------------ API
    def start(self) -> None:
        """Forget the previous run and show the view for a new ``auto`` run."""
        self._stages.clear()
        self._progress.clear()
        self._closed = 0
        self._chosen, self._ended, self._tried = None, None, ()
        self.steps.clear()
        self.steps.show()
        self.choice.setText(self._choice_text())
        self.reason.clear()
        self.reason.hide()
        self.tried.setRowCount(0)
        self.tried.hide()
        self._fit_steps()
        self.show()

    def step_names(self) -> list[str]:
        """The steps seen so far, in order."""
        return list(self._stages)

    def add_event(self, event: object) -> None:
        """Fold one engine event in; only the steps before training, the choice and the end matter."""
        match event:
            case StageChanged() if self._chosen is None:
                self._on_stage(event)
            case RunStarted():
                self._on_chosen(event)
            case RunFinished():
                self._on_finished(event)

    def _step_text(self, row: int) -> str:
        """One step as the list shows it: ticked when done, else how far it got."""
        if row < self._closed:
            return translate("AutoRunView", "✓ {step}").format(step=stage_text(self._stages[row]))
        return stage_progress_text(self._stages[row], *self._progress[row])

    def _choice_text(self) -> str:
        """What auto chose (or that it has not chosen yet, or never will)."""
        if self._chosen is not None:
            return translate("AutoRunView", "Auto chose {title} on {networks}.").format(
                title=strategy_title(self._chosen.strategy), networks=" + ".join(self._chosen.backbones))
        if self._ended is RunStatus.CANCELLED:
            return translate("AutoRunView", "Auto was cancelled before it chose a strategy.")
        if self._ended is not None:
            return translate("AutoRunView", "Auto stopped before it chose a strategy.")
        return translate("AutoRunView", "Measuring before choosing a strategy…")

    def tried_rows(self) -> list[list[str]]:
        """The tried table's cells, row by row (what a person reads)."""
        return [
            [self.tried.item(r, c).text() for c in range(self.tried.columnCount())]
            for r in range(self.tried.rowCount())
        ]

    # -------------------------------------------------------------- events
    def _on_stage(self, event: StageChanged) -> None:
        if self._stages and self._stages[-1] == event.stage:
            self._progress[-1] = (event.done, event.total)
            self.steps.item(self.steps.count() - 1).setText(self._step_text(len(self._stages) - 1))
            return
        self._close_last_step()
        self._stages.append(event.stage)
        self._progress.append((event.done, event.total))
        self.steps.addItem(QListWidgetItem(self._step_text(len(self._stages) - 1)))
        self.steps.scrollToBottom()
        self._fit_steps()

    def _on_chosen(self, event: RunStarted) -> None:
        self._chosen = event
        self._close_last_step()
        self.choice.setText(self._choice_text())
        self.reason.setText(event.reason)
        self.reason.setVisible(bool(event.reason))

    def _on_finished(self, event: RunFinished) -> None:
        self._close_last_step()
        if self._chosen is None:
            self._ended = event.status
            self.choice.setText(self._choice_text())
        if event.reason and not self.reason.text():
            self.reason.setText(event.reason)
            self.reason.show()
        if not event.tried:
            return
        self._tried = tuple(event.tried)
        self._fill_tried()
        self.steps.hide()  # the table says the same, with the figures
        self.tried.show()

    def _fill_tried(self) -> None:
        """The table of what auto tried, in the interface language."""
        self.tried.setRowCount(len(self._tried))
        for row, step in enumerate(self._tried):
            set_row(self.tried, row, tried_row(step))
            for column in (1, len(TRIED_HEADERS) - 1):  # words, not figures: aligned left
                self.tried.item(row, column).setTextAlignment(LEFT)

    def _close_last_step(self) -> None:
        if self._stages and self._closed < len(self._stages):
            self._closed = len(self._stages)
            self.steps.item(self.steps.count() - 1).setText(self._step_text(len(self._stages) - 1))

    def _fit_steps(self) -> None:
        """As tall as its rows, up to :data:`STEP_ROWS` (it scrolls beyond)."""
        row = self.steps.sizeHintForRow(0) if self.steps.count() else self.fontMetrics().height() + 4
        rows = min(max(self.steps.count(), 1), STEP_ROWS)
        self.steps.setFixedHeight(rows * row + 2 * self.steps.frameWidth() + 4)
