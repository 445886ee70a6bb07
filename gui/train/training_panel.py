"""The live view of a training run: headline, progress, pause/resume/cancel, speed, ETA, plots, log.

The panel listens to a :class:`~gui.train.controller.TrainingController` through bound
methods only. Events update cheap state (:class:`~gui.train.progress.RunProgress` and the plot
buffers); labels refresh on a 4 Hz timer and the plots on their own 10 Hz timer, so the GUI thread
does a bounded amount of work however fast the run goes. The panel's words follow the interface
language (what it shows is kept as state and put into words again on a language change); log lines
are written in the language of the moment.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from engine.events import (
    Event,
    RunFinished,
    RunStarted,
    RunStatus,
    StageChanged,
)
from gui.i18n import retranslate_on_change, translate
from gui.train.auto_view import AutoRunView
from gui.train.controller import TrainingController
from gui.train.progress import RunProgress, gpu_memory_mb, process_memory_mb
from gui.train.run_log import best_sentence, event_lines, tried_lines
from gui.train.run_texts import duration_text, run_headline, stage_progress_text
from gui.train.strategy_names import AUTO, strategy_title

if TYPE_CHECKING:
    from gui.train.plots import TrainingPlots

STATS_MS = 250
LOG_LINES = 5000
CAPTIONS = {  # the figures under the progress bar, translated where shown
    "speed": QT_TRANSLATE_NOOP("TrainingPanel", "Speed"),
    "eta": QT_TRANSLATE_NOOP("TrainingPanel", "Time left"),
    "elapsed": QT_TRANSLATE_NOOP("TrainingPanel", "Elapsed"),
    "best": QT_TRANSLATE_NOOP("TrainingPanel", "Best validation"),
    "device": QT_TRANSLATE_NOOP("TrainingPanel", "Device"),
    "memory": QT_TRANSLATE_NOOP("TrainingPanel", "Memory"),
}


def _plain_label(text: str = "", parent: QWidget | None = None, name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    return label


class TrainingPanel(QWidget):
    """Shows the run in progress (or a finished run's curves) and its controls."""

    log_line = Signal(str)  # every line written to the log pane

    def __init__(self, controller: TrainingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.progress = RunProgress()
        self._started_wall = time.monotonic()
        self._elapsed: float | None = None  # the last run's time, once it ended
        self._last_stage = ""
        self._stage_fraction: float | None = None  # of the stage before training; None: not known
        # What the title and the headline say, as (kind, values): put into words by _title_text/_headline_text
        self._title: tuple[str, object] = ("none", None)
        self._headline: tuple[str, object] = ("waiting", None)
        self._build()
        self._stats_timer = QTimer(self)
        self._stats_timer.setInterval(STATS_MS)
        self._stats_timer.timeout.connect(self.refresh_stats)
        controller.event.connect(self._on_event)
        controller.running_changed.connect(self._on_running_changed)
        controller.paused_changed.connect(self._on_paused_changed)
        controller.run_finished.connect(self._on_run_finished)
        controller.run_failed.connect(self._on_run_failed)
        controller.idle.connect(self._on_idle)
        self._set_buttons(running=False)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Buttons, captions, the title, the headline and the figures in the interface language."""
        self.pause_button.setText(translate("TrainingPanel", "Pause"))
        self.resume_button.setText(translate("TrainingPanel", "Resume"))
        self.cancel_button.setText(translate("TrainingPanel", "Cancel"))
        for key, caption in self.captions.items():
            caption.setText(translate("TrainingPanel", CAPTIONS[key]))
        self.log.setPlaceholderText(translate("TrainingPanel", "The run's log appears here."))
        self.title.setText(self._title_text())
        self.headline.setText(self._headline_text())
        if self.controller.is_running() or self.progress.finished:
            self._show_stats()

    def _set_title(self, kind: str, values: object = None) -> None:
        self._title = (kind, values)
        self.title.setText(self._title_text())

    def _set_headline(self, kind: str, values: object = None) -> None:
        self._headline = (kind, values)
        self.headline.setText(self._headline_text())

    def _title_text(self) -> str:
        """The title for what the panel shows now."""
        kind, values = self._title
        if kind == "training":
            return translate("TrainingPanel", "Training")
        if kind == "training_on":
            strategy, networks = values
            return translate("TrainingPanel", "Training: {strategy} on {networks}").format(
                strategy=strategy_title(strategy), networks=" + ".join(networks))
        if kind == "cancelled":
            return translate("TrainingPanel", "Training cancelled")
        if kind == "finished":
            return translate("TrainingPanel", "Training finished")
        if kind == "failed":
            return translate("TrainingPanel", "Training failed")
        if kind == "none":
            return translate("TrainingPanel", "No training run yet")
        return str(values or "")  # given: the caller's words, already in the interface language

    def _headline_text(self) -> str:
        """The line under the title for what the panel shows now."""
        kind, values = self._headline
        if kind == "progress":
            return run_headline(self.progress)
        if kind == "cancelling":
            return translate("TrainingPanel", "Cancelling… (the best weights so far are kept)")
        if kind == "ended":
            return translate("TrainingPanel", "{status}. {best}").format(
                status=run_headline(self.progress), best=self._best_text())
        if kind == "failed":
            return str(values) if values else translate("TrainingPanel", "unknown error")
        if kind == "waiting":
            return translate("TrainingPanel", "Start a run with “New training run…”.")
        return str(values or "")

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.title = _plain_label("", self, "pageTitle")
        font = self.title.font()
        font.setPointSizeF(max(font.pointSizeF(), 10) * 1.35)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.headline = _plain_label("", self, "pageHint")
        self.headline.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.pause_button = QPushButton(self)
        self.resume_button = QPushButton(self)
        self.cancel_button = QPushButton(self)
        self.pause_button.clicked.connect(self.controller.pause)
        self.resume_button.clicked.connect(self.controller.resume)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.headline, 1)
        for button in (self.pause_button, self.resume_button, self.cancel_button):
            buttons.addWidget(button)
        self.stats = {
            key: _plain_label("—", self) for key in ("speed", "eta", "elapsed", "best", "device", "memory")
        }
        grid = QGridLayout()
        self.captions: dict[str, QLabel] = {}
        for i, (key, label) in enumerate(self.stats.items()):
            caption = self.captions[key] = _plain_label("", self, "mutedLabel")
            grid.addWidget(caption, 0, i)
            grid.addWidget(label, 1, i)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        strip = QFrame(self)
        strip.setLayout(grid)
        self._plots: TrainingPlots | None = None
        self._plots_placeholder = QWidget(self)
        self.auto_view = AutoRunView(self)
        self.auto_view.hide()
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_LINES)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        splitter = self._splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self._plots_placeholder)
        splitter.addWidget(self.log)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(buttons)
        layout.addWidget(self.bar)
        layout.addWidget(strip)
        layout.addWidget(self.auto_view)
        layout.addWidget(splitter, 1)

    def _set_buttons(self, running: bool) -> None:
        paused = self.controller.is_paused()
        cancelling = self.controller.is_cancelling()
        self.pause_button.setVisible(not paused)
        self.resume_button.setVisible(paused)
        self.pause_button.setEnabled(running and not cancelling)
        self.resume_button.setEnabled(running and not cancelling)
        self.cancel_button.setEnabled(running and not cancelling)

    @property
    def plots(self) -> TrainingPlots:
        """The curves; built on first use, so pyqtgraph is imported when the Train stage is first needed."""
        if self._plots is None:
            from gui.train.plots import TrainingPlots

            self._plots = TrainingPlots(self)
            self._splitter.replaceWidget(0, self._plots)
            self._plots_placeholder.deleteLater()
        return self._plots

    def showEvent(self, event: QShowEvent) -> None:
        """Build the plots the first time the panel is shown."""
        _ = self.plots
        super().showEvent(event)

    # --------------------------------------------------------------- public API
    def write_log(self, text: str) -> None:
        """Append a plain-text line to the log pane."""
        self.log.appendPlainText(text)
        self.log_line.emit(text)

    @Slot()
    def cancel(self) -> None:
        """Cancel the run; the panel shows "Cancelling…" until the thread ends."""
        if self.controller.is_running():
            self.controller.cancel()
            self._set_headline("cancelling")
            self.write_log(translate("TrainingPanel", "Cancel requested."))
            self._set_buttons(running=True)

    def show_finished_run(
        self, title: str, rows: list[dict[str, float | None]], best_epoch: int, summary: str
    ) -> None:
        """Show a finished run's curves (when no run is in progress); ``title`` and ``summary`` as given."""
        if self.controller.is_running():
            return
        self._set_title("given", title)
        self._set_headline("given", summary)
        self.auto_view.hide()
        self.bar.setRange(0, 1000)
        self.bar.setValue(1000 if rows else 0)
        self.plots.show_history(rows, best_epoch)

    @Slot()
    def refresh_stats(self) -> None:
        """Refresh progress, speed, ETA and memory (timer-driven, 4 Hz)."""
        self._show_fraction()
        if not self.controller.is_cancelling():
            self._set_headline("progress")
        self._show_stats()

    def _show_stats(self) -> None:
        """Speed, time left, time spent, best accuracy, device and memory in words."""
        p = self.progress
        speed = translate("TrainingPanel", "{speed} images/s").format(speed=f"{p.images_per_s:,.1f}")
        self.stats["speed"].setText(speed if p.images_per_s else "—")
        self.stats["eta"].setText(duration_text(p.eta_seconds()))
        elapsed = time.monotonic() - self._started_wall if self.controller.is_running() else self._elapsed
        self.stats["elapsed"].setText(duration_text(elapsed))
        best = translate("TrainingPanel", "{accuracy} (epoch {epoch})")
        self.stats["best"].setText(
            best.format(accuracy=f"{p.best_val_acc:.1%}", epoch=p.best_epoch) if p.best_epoch >= 1 else "—"
        )
        self.stats["device"].setText(p.device or "—")
        rss, gpu = process_memory_mb(), gpu_memory_mb(p.device)
        if rss is None:
            text = "—"
        elif gpu is None:
            text = translate("TrainingPanel", "{memory} MB").format(memory=f"{rss:,.0f}")
        else:
            text = translate("TrainingPanel", "{memory} MB, GPU {gpu} MB").format(
                memory=f"{rss:,.0f}", gpu=f"{gpu:,.0f}")
        self.stats["memory"].setText(text)

    def _show_fraction(self) -> None:
        """Training's share done; before training, the stage's (moving, when its length is unknown)."""
        p = self.progress
        preparing = p.train_started is None and not p.finished and self.controller.is_running()
        if preparing and self._stage_fraction is None:
            self.bar.setRange(0, 0)  # busy: measuring, with no count to show
            return
        self.bar.setRange(0, 1000)
        fraction = self._stage_fraction if preparing else p.fraction()
        self.bar.setValue(int((fraction or 0.0) * 1000))

    # --------------------------------------------------------------------- slots
    @Slot(bool)
    def _on_running_changed(self, running: bool) -> None:
        if running:
            self.progress = RunProgress()
            self._started_wall, self._last_stage, self._stage_fraction = time.monotonic(), "", None
            config = self.controller.config
            if config is not None and config.strategy == AUTO:
                self.auto_view.start()
            else:
                self.auto_view.hide()
            self._set_title("training")
            self.log.clear()
            self.write_log(translate("TrainingPanel", "Run started."))
            self.plots.start()
            self._stats_timer.start()
            self.refresh_stats()
        self._set_buttons(running)

    @Slot(bool)
    def _on_paused_changed(self, _paused: bool) -> None:
        self._set_buttons(self.controller.is_running())

    @Slot(object)
    def _on_event(self, event: Event) -> None:
        self.progress.on_event(event)
        self.plots.add_event(event)
        if not self.auto_view.isHidden():  # an auto run
            self.auto_view.add_event(event)
        if isinstance(event, StageChanged):
            self._on_stage(event)
        if isinstance(event, RunStarted):
            self._set_title("training_on", (event.strategy, tuple(event.backbones)))
        for line in event_lines(event):
            self.write_log(line)

    def _on_stage(self, event: StageChanged) -> None:
        """Log each new stage once; keep its share done (None: the bar moves, busy, rather than sit at 0).

        A stage that stops counting for a moment (a trial between its batches) keeps its last share.
        """
        if event.total > 0 and event.done > 0:
            self._stage_fraction = min(1.0, event.done / event.total)
        elif event.total > 0 or event.stage != self._last_stage:
            self._stage_fraction = None
        if event.stage != self._last_stage:
            self._last_stage = event.stage
            self.write_log(stage_progress_text(event.stage, 0, 0))

    @Slot(object)
    def _on_run_finished(self, result: object) -> None:
        status = getattr(result, "status", None)
        self._set_title("cancelled" if status is RunStatus.CANCELLED else "finished")
        if isinstance(result, RunFinished) and result.tried:  # the result, not the event, lists them
            self.auto_view.add_event(result)
            for line in tried_lines(result.tried):
                self.write_log(line)

    @Slot(str)
    def _on_run_failed(self, message: str) -> None:
        self._set_title("failed")
        self._set_headline("failed", message.strip().splitlines()[-1] if message.strip() else "")
        self.write_log(translate("TrainingPanel", "Training failed:"))
        self.write_log(message)

    @Slot()
    def _on_idle(self) -> None:
        self._stats_timer.stop()
        self.plots.stop()
        headline = self._headline
        self._elapsed = time.monotonic() - self._started_wall
        self.refresh_stats()
        if self._title[0] == "failed":
            self._set_headline(*headline)
        elif self.progress.finished:
            self._set_headline("ended")
        self._set_buttons(running=False)

    def _best_text(self) -> str:
        p = self.progress
        if p.best_epoch < 1:
            return translate("TrainingPanel", "No epoch finished, so no weights were kept.")
        return best_sentence(p.best_val_acc, p.best_epoch)
