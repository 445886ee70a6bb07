"""Live training curves: pyqtgraph plots redrawn by a ~10 Hz QTimer from growable numpy buffers.

Events only append to buffers and mark them dirty; the timer calls ``setData`` on the existing
curves when something changed, so a flood of events can never turn into a flood of repaints.
A finished run's history (``history.json`` rows) can be drawn, and a second one overlaid dashed.
Titles, axis labels and legend entries follow the interface language.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from engine.events import BatchEnded, BestImproved, EpochEnded, Event, RunStarted
from gui.i18n import retranslate_on_change, translate

REDRAW_MS = 100
PLOT_MIN_HEIGHT = 120  # three plots, an auto run's table and the log fit a 900-pixel screen
TRAIN_COLOR, VAL_COLOR, BATCH_COLOR, LR_COLOR, BEST_COLOR = (
    "#4e79a7",
    "#f28e2b",
    "#a0b4cc",
    "#59a14f",
    "#e15759",
)
SERIES = ("batch_x", "batch_loss", "lr", "epoch_x", "train_loss", "val_loss", "train_acc", "val_acc")
OVERLAID = ("val_loss", "val_acc", "train_acc")  # a second run's curves, dashed


class Series:
    """A growable float buffer; ``view()`` returns the filled part without copying."""

    def __init__(self, capacity: int = 256) -> None:
        self._data = np.empty(capacity, dtype=np.float64)
        self._n = 0

    def append(self, value: float) -> None:
        """Add one value (doubling the buffer when full)."""
        if self._n == len(self._data):
            self._data = np.resize(self._data, 2 * len(self._data))
        self._data[self._n] = value
        self._n += 1

    def clear(self) -> None:
        """Forget every value."""
        self._n = 0

    def view(self) -> np.ndarray:
        """The values so far."""
        return self._data[: self._n]

    def __len__(self) -> int:
        return self._n


def _plot(legend_at_bottom: bool = False) -> pg.PlotWidget:
    widget = pg.PlotWidget()
    item = widget.getPlotItem()
    item.showGrid(x=True, y=True, alpha=0.15)
    item.getAxis("left").enableAutoSIPrefix(False)  # "loss (x0.001)" confuses; show plain numbers
    item.setClipToView(True)
    item.setDownsampling(auto=True, mode="peak")
    item.addLegend(offset=(-8, -8 if legend_at_bottom else 8), labelTextSize="8pt")
    widget.setMenuEnabled(False)
    widget.setMinimumHeight(PLOT_MIN_HEIGHT)
    return widget


def _set_texts(widget: pg.PlotWidget, title: str, left: str) -> None:
    """A plot's title and axis labels (colours follow :meth:`TrainingPlots.apply_palette`)."""
    widget.setTitle(title, size="10pt")
    item = widget.getPlotItem()
    item.setLabel("bottom", translate("TrainingPlots", "epoch"))
    item.setLabel("left", left)


def _rename(widget: pg.PlotWidget, curve: pg.PlotDataItem, name: str) -> None:
    """Give ``curve`` a new name in its plot's legend."""
    curve.opts["name"] = name
    legend = widget.getPlotItem().legend
    label = legend.getLabel(curve) if legend is not None else None
    if label is not None:
        label.setText(name)


def overlay_name(run: str, key: str) -> str:
    """The legend entry of an overlaid run's curve ``key`` (one of :data:`OVERLAID`)."""
    if key == "val_loss":
        return translate("TrainingPlots", "{run} (validation loss)").format(run=run)
    if key == "val_acc":
        return translate("TrainingPlots", "{run} (validation accuracy)").format(run=run)
    return translate("TrainingPlots", "{run} (train accuracy)").format(run=run)


class TrainingPlots(QWidget):
    """Loss, accuracy and learning-rate plots for one live run (plus an optional overlay)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = _plot()
        self.acc_plot = _plot(legend_at_bottom=True)
        self.lr_plot = _plot()
        self.acc_plot.setYRange(0, 1.0, padding=0.02)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for plot, stretch in ((self.loss_plot, 3), (self.acc_plot, 3), (self.lr_plot, 2)):
            layout.addWidget(plot, stretch)
        self._buffers = {name: Series() for name in SERIES}
        self._dirty = False
        self._steps_per_epoch = 1
        self._make_curves()
        self._overlay: list[tuple[pg.PlotWidget, pg.PlotDataItem, str]] = []  # (plot, curve, key)
        self._overlay_run = ""
        self._best_lines = [
            pg.InfiniteLine(angle=90, pen=pg.mkPen(BEST_COLOR, width=1, style=Qt.PenStyle.DashLine))
            for _ in range(2)
        ]
        for plot, line in zip((self.loss_plot, self.acc_plot), self._best_lines, strict=True):
            line.setVisible(False)
            plot.addItem(line)
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self.redraw)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Titles, axis labels and legend entries in the interface language."""
        _set_texts(self.loss_plot, translate("TrainingPlots", "Loss"), translate("TrainingPlots", "loss"))
        _set_texts(self.acc_plot, translate("TrainingPlots", "Accuracy"),
                   translate("TrainingPlots", "accuracy"))
        _set_texts(self.lr_plot, translate("TrainingPlots", "Learning rate"),
                   translate("TrainingPlots", "learning rate"))
        names = {
            "batch_loss": translate("TrainingPlots", "batch loss"),
            "train_loss": translate("TrainingPlots", "train"),
            "val_loss": translate("TrainingPlots", "validation"),
            "train_acc": translate("TrainingPlots", "train"),
            "val_acc": translate("TrainingPlots", "validation"),
            "lr": translate("TrainingPlots", "learning rate"),
        }
        plots = {"batch_loss": self.loss_plot, "train_loss": self.loss_plot, "val_loss": self.loss_plot,
                 "train_acc": self.acc_plot, "val_acc": self.acc_plot, "lr": self.lr_plot}
        for key, curve in self.curves.items():
            _rename(plots[key], curve, names[key])
        _rename(self.acc_plot, self.best_marker, translate("TrainingPlots", "best"))
        for plot, curve, key in self._overlay:
            _rename(plot, curve, overlay_name(self._overlay_run, key))
        self.apply_palette()

    def legend_names(self) -> list[str]:
        """Every legend entry of the three plots, top to bottom (what a person reads)."""
        return [label.text for plot in (self.loss_plot, self.acc_plot, self.lr_plot)
                for _sample, label in plot.getPlotItem().legend.items]

    def _make_curves(self) -> None:
        pen = pg.mkPen
        loss, acc = self.loss_plot, self.acc_plot

        def per_epoch(plot: pg.PlotItem, name: str, color: str) -> pg.PlotDataItem:
            return plot.plot(
                name=name,
                pen=pen(color, width=2),
                symbol="o",
                symbolSize=5,
                symbolBrush=color,
                symbolPen=None,
                connect="finite",
            )

        self.curves = {  # named in retranslate_ui
            "batch_loss": loss.plot(name="batch_loss", pen=pen(BATCH_COLOR, width=1)),
            "train_loss": per_epoch(loss, "train_loss", TRAIN_COLOR),
            "val_loss": per_epoch(loss, "val_loss", VAL_COLOR),
            "train_acc": per_epoch(acc, "train_acc", TRAIN_COLOR),
            "val_acc": per_epoch(acc, "val_acc", VAL_COLOR),
            "lr": self.lr_plot.plot(name="lr", pen=pen(LR_COLOR, width=2)),
        }
        self.best_marker = acc.plot(
            name="best", pen=None, symbol="star", symbolSize=16, symbolBrush=BEST_COLOR, symbolPen=None
        )

    def apply_palette(self) -> None:
        """Follow the window's light or dark palette."""
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        for plot in (self.loss_plot, self.acc_plot, self.lr_plot):
            plot.setBackground(background)
            item = plot.getPlotItem()
            item.titleLabel.setText(item.titleLabel.text, color=text)
            for axis in ("left", "bottom"):
                item.getAxis(axis).setTextPen(text)
                item.getAxis(axis).setPen(QColor(text.red(), text.green(), text.blue(), 90))

    # ---------------------------------------------------------------- live run
    def start(self) -> None:
        """Forget the last run and start redrawing."""
        self.clear()
        self._timer.start()

    def stop(self) -> None:
        """Draw what is buffered and stop the timer."""
        self.redraw()
        self._timer.stop()

    def is_live(self) -> bool:
        """True while the redraw timer runs."""
        return self._timer.isActive()

    def clear(self) -> None:
        """Empty every buffer and curve, and the overlay."""
        for buffer in self._buffers.values():
            buffer.clear()
        self._best_lines[0].setVisible(False)
        self._best_lines[1].setVisible(False)
        self.best_marker.setData([], [])
        self.clear_overlay()
        self._dirty = True
        self.redraw()

    def add_event(self, event: Event) -> None:
        """Buffer what an event adds to the curves (cheap; drawing waits for the timer)."""
        b = self._buffers
        match event:
            case RunStarted():
                self._steps_per_epoch = max(1, event.steps_per_epoch)
            case BatchEnded():
                spe = max(1, event.steps_per_epoch or self._steps_per_epoch)
                b["batch_x"].append(event.epoch - 1 + event.step / spe)  # epochs count from 1
                b["batch_loss"].append(event.loss)
                b["lr"].append(event.lr)
            case EpochEnded():
                b["epoch_x"].append(event.epoch)
                for name in ("train_loss", "val_loss", "train_acc", "val_acc"):
                    b[name].append(float(getattr(event, name)))
            case BestImproved():
                self._mark_best(event.epoch, event.val_acc)
            case _:
                return
        self._dirty = True

    def _mark_best(self, x: float, val_acc: float) -> None:
        for line in self._best_lines:
            line.setValue(x)
            line.setVisible(True)
        self.best_marker.setData([x], [val_acc])

    @Slot()
    def redraw(self) -> None:
        """Push buffered values to the curves if anything changed."""
        if not self._dirty:
            return
        self._dirty = False
        b = {name: buffer.view() for name, buffer in self._buffers.items()}
        self.curves["batch_loss"].setData(b["batch_x"][: len(b["batch_loss"])], b["batch_loss"])
        self.curves["lr"].setData(b["batch_x"][: len(b["lr"])], b["lr"])
        for name in ("train_loss", "val_loss", "train_acc", "val_acc"):
            self.curves[name].setData(b["epoch_x"], b[name])

    def point_count(self, name: str) -> int:
        """How many values a series holds (for tests and the benchmark)."""
        return len(self._buffers[name])

    # ------------------------------------------------------------- finished runs
    def show_history(self, rows: Sequence[dict[str, float | None]], best_epoch: int = 0) -> None:
        """Draw a finished run from its ``history.json`` rows (epochs and ``best_epoch`` count from 1)."""
        self._timer.stop()
        self.clear()
        b = self._buffers
        for row in rows:
            x = float(row.get("epoch") or len(b["epoch_x"]) + 1)
            b["epoch_x"].append(x)
            for name in ("train_loss", "val_loss", "train_acc", "val_acc"):
                value = row.get(name)
                b[name].append(float("nan") if value is None else float(value))
            b["batch_x"].append(x)
            b["lr"].append(float(row.get("lr") or 0.0))
        best = next((row for row in rows if row.get("epoch") == best_epoch), None)
        if best_epoch >= 1 and best is not None:
            self._mark_best(best_epoch, float(best.get("val_acc") or 0.0))
        self._dirty = True
        self.redraw()

    def set_overlay(self, rows: Sequence[dict[str, float | None]], name: str) -> None:
        """Overlay a second run's validation loss and accuracy, dashed, to compare two runs."""
        self.clear_overlay()
        if not rows:
            return
        x = np.array([float(r.get("epoch") or i + 1) for i, r in enumerate(rows)])

        def column(key: str) -> np.ndarray:
            return np.array([float("nan") if r.get(key) is None else float(r[key]) for r in rows])

        dash = Qt.PenStyle.DashLine
        self._overlay_run = name
        for plot, key, color in (
            (self.loss_plot, "val_loss", VAL_COLOR),
            (self.acc_plot, "val_acc", VAL_COLOR),
            (self.acc_plot, "train_acc", TRAIN_COLOR),
        ):
            curve = plot.plot(
                x, column(key), name=overlay_name(name, key), pen=pg.mkPen(color, width=2, style=dash),
                connect="finite",
            )
            self._overlay.append((plot, curve, key))

    def clear_overlay(self) -> None:
        """Remove the overlaid run."""
        for plot, curve, _key in self._overlay:
            if curve in plot.getPlotItem().items:
                plot.removeItem(curve)
        self._overlay = []
