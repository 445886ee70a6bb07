"""The live view of a training run: headline, progress, pause/resume/cancel, speed, ETA, plots, log.

The panel listens to a :class:`~gui.train.controller.TrainingController` through bound
methods only. Events update cheap state (:class:`~gui.train.progress.RunProgress` and the plot
buffers); labels refresh on a 4 Hz timer and the plots on their own 10 Hz timer, so the GUI thread
does a bounded amount of work however fast the run goes.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
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
    BestImproved,
    EpochEnded,
    Event,
    Paused,
    Resumed,
    RunFinished,
    RunStarted,
    RunStatus,
    StageChanged,
)
from gui.train.controller import TrainingController
from gui.train.progress import RunProgress, format_duration, gpu_memory_mb, process_memory_mb

if TYPE_CHECKING:
    from gui.train.plots import TrainingPlots

STATS_MS = 250
LOG_LINES = 5000


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
        self._last_stage = ""
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

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.title = _plain_label("No training run yet", self, "pageTitle")
        font = self.title.font()
        font.setPointSizeF(max(font.pointSizeF(), 10) * 1.35)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.headline = _plain_label("Start a run with “New training run…”.", self, "pageHint")
        self.headline.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.pause_button = QPushButton("Pause", self)
        self.resume_button = QPushButton("Resume", self)
        self.cancel_button = QPushButton("Cancel", self)
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
        names = {
            "speed": "Speed",
            "eta": "Time left",
            "elapsed": "Elapsed",
            "best": "Best validation",
            "device": "Device",
            "memory": "Memory",
        }
        for i, (key, label) in enumerate(self.stats.items()):
            caption = _plain_label(names[key], self, "mutedLabel")
            grid.addWidget(caption, 0, i)
            grid.addWidget(label, 1, i)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        strip = QFrame(self)
        strip.setLayout(grid)
        self._plots: TrainingPlots | None = None
        self._plots_placeholder = QWidget(self)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_LINES)
        self.log.setPlaceholderText("The run's log appears here.")
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
            self.headline.setText("Cancelling… (the best weights so far are kept)")
            self.write_log("Cancel requested.")
            self._set_buttons(running=True)

    def show_finished_run(
        self, title: str, rows: list[dict[str, float | None]], best_epoch: int, summary: str
    ) -> None:
        """Show a finished run's curves (when no run is in progress)."""
        if self.controller.is_running():
            return
        self.title.setText(title)
        self.headline.setText(summary)
        self.bar.setValue(1000 if rows else 0)
        self.plots.show_history(rows, best_epoch)

    @Slot()
    def refresh_stats(self) -> None:
        """Refresh progress, speed, ETA and memory (timer-driven, 4 Hz)."""
        p = self.progress
        self.bar.setValue(int(p.fraction() * 1000))
        if not self.controller.is_cancelling():
            self.headline.setText(p.headline())
        self.stats["speed"].setText(f"{p.images_per_s:,.1f} images/s" if p.images_per_s else "—")
        self.stats["eta"].setText(format_duration(p.eta_seconds()))
        self.stats["elapsed"].setText(format_duration(time.monotonic() - self._started_wall))
        self.stats["best"].setText(
            f"{p.best_val_acc:.1%} (epoch {p.best_epoch})" if p.best_epoch >= 1 else "—"
        )
        self.stats["device"].setText(p.device or "—")
        rss, gpu = process_memory_mb(), gpu_memory_mb(p.device)
        text = f"{rss:,.0f} MB" if rss is not None else "—"
        self.stats["memory"].setText(text + (f", GPU {gpu:,.0f} MB" if gpu is not None else ""))

    # --------------------------------------------------------------------- slots
    @Slot(bool)
    def _on_running_changed(self, running: bool) -> None:
        if running:
            self.progress = RunProgress()
            self._started_wall, self._last_stage = time.monotonic(), ""
            self.title.setText("Training")
            self.log.clear()
            self.write_log("Run started.")
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
        match event:
            case StageChanged(stage=stage) if stage != self._last_stage:
                self._last_stage = stage
                self.write_log(f"{stage}…")
            case RunStarted():
                self.title.setText(f"Training: {event.strategy} on {' + '.join(event.backbones)}")
                self.write_log(
                    f"Training {event.train_images:,} images, validating on {event.val_images:,}; "
                    f"{event.epochs} epochs on {event.device}."
                )
                self.write_log(f"Run folder: {event.run_dir}")
            case EpochEnded():
                self.write_log(
                    f"Epoch {event.epoch}/{event.epochs}: train loss {event.train_loss:.3f}, "
                    f"accuracy {event.train_acc:.1%}; validation loss {event.val_loss:.3f}, "
                    f"accuracy {event.val_acc:.1%} ({event.seconds:.1f} s)"
                )
            case BestImproved():
                self.write_log(
                    f"  best so far: {event.val_acc:.1%} at epoch {event.epoch} (weights saved)"
                )
            case Paused():
                self.write_log(f"Paused at epoch {event.epoch}, batch {event.step}.")
            case Resumed():
                self.write_log("Resumed.")
            case RunFinished():
                self._log_finished(event)

    def _log_finished(self, event: RunFinished) -> None:
        words = {
            RunStatus.COMPLETED: "Finished",
            RunStatus.CANCELLED: "Cancelled",
            RunStatus.FAILED: "Failed",
        }
        best = (
            f"; best validation accuracy {event.best_val_acc:.1%} at epoch {event.best_epoch}"
            if event.best_epoch >= 1
            else ""
        )
        self.write_log(
            f"{words[event.status]} after {event.epochs_completed} epochs in "
            f"{format_duration(event.seconds)}{best}."
        )
        if event.message:
            self.write_log(event.message)
        if event.skipped:
            self.write_log(f"{len(event.skipped)} images were skipped:")
            for path, reason in event.skipped[:50]:
                self.write_log(f"  {path}: {reason}")

    @Slot(object)
    def _on_run_finished(self, result: object) -> None:
        status = getattr(result, "status", None)
        self.title.setText("Training cancelled" if status is RunStatus.CANCELLED else "Training finished")

    @Slot(str)
    def _on_run_failed(self, message: str) -> None:
        self.title.setText("Training failed")
        first = message.strip().splitlines()[-1] if message.strip() else "unknown error"
        self.headline.setText(first)
        self.write_log("Training failed:")
        self.write_log(message)

    @Slot()
    def _on_idle(self) -> None:
        self._stats_timer.stop()
        self.plots.stop()
        headline = self.headline.text()
        self.refresh_stats()
        if self.title.text() == "Training failed":
            self.headline.setText(headline)
        elif self.progress.finished:
            self.headline.setText(f"{self.progress.stage}. {self._best_text()}")
        self._set_buttons(running=False)

    def _best_text(self) -> str:
        p = self.progress
        if p.best_epoch < 1:
            return "No epoch finished, so no weights were kept."
        return f"Best validation accuracy {p.best_val_acc:.1%} at epoch {p.best_epoch}."
