"""The Confidence tab's two plots: the reliability diagram and the rejection trade-off (pyqtgraph).

Both are drawn from the run's ``trust.json`` values (plain dicts and lists), so they need no model.
Titles, axis labels and legend entries follow the interface language: a language change redraws
the last values with the new words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QWidget

from gui.i18n import retranslate_on_change, translate
from gui.theme import ACCENT, WARNING_COLOR

BEFORE_COLOR = "#9aa0b0"
AFTER_COLOR = ACCENT
CHOSEN_THRESHOLD = 1.0


def _configure(widget: pg.PlotWidget, legend_at: tuple[int, int] = (8, 8)) -> None:
    item = widget.getPlotItem()
    item.showGrid(x=True, y=True, alpha=0.15)
    for axis in ("left", "bottom"):
        item.getAxis(axis).enableAutoSIPrefix(False)
    item.setMouseEnabled(x=False, y=False)
    item.hideButtons()
    widget.setMenuEnabled(False)
    item.addLegend(offset=legend_at, labelTextSize="8pt")


def _set_texts(widget: pg.PlotWidget, title: str, bottom: str, left: str) -> None:
    """The title and axis labels (their colours stay as :func:`follow_palette` set them)."""
    widget.setTitle(title, size="10pt")
    item = widget.getPlotItem()
    item.setLabel("bottom", bottom)
    item.setLabel("left", left)


def follow_palette(widget: pg.PlotWidget, palette: QPalette) -> None:
    """Give ``widget`` the window's background and text colours (light or dark)."""
    text = palette.color(QPalette.ColorRole.Text)
    widget.setBackground(palette.color(QPalette.ColorRole.Base))
    item = widget.getPlotItem()
    item.titleLabel.setText(item.titleLabel.text, color=text)
    for axis in ("left", "bottom"):
        item.getAxis(axis).setTextPen(text)
        item.getAxis(axis).setPen(text)
    if item.legend is not None:
        item.legend.setLabelTextColor(text)
        backdrop = QColor(palette.color(QPalette.ColorRole.Base))
        backdrop.setAlpha(220)
        item.legend.setBrush(backdrop)


class ReliabilityDiagram(pg.PlotWidget):
    """Accuracy per confidence bin before (grey) and after (blue) calibration, with each bin's count.

    A perfectly calibrated model's bars touch the dashed diagonal: among images answered with 80%
    confidence, 80% are right. The number above a bar is how many validation images fell in it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _configure(self)
        self.plot_item = self.getPlotItem()
        self.setMinimumHeight(280)
        self.count_labels: list[pg.TextItem] = []
        self._bins: tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]] | None = None
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Title, axis labels and legend in the interface language."""
        _set_texts(self, translate("ReliabilityDiagram", "Reliability: accuracy per confidence bin"),
                   translate("ReliabilityDiagram", "confidence"), translate("ReliabilityDiagram", "accuracy"))
        if self._bins is not None:
            self.set_bins(*self._bins)

    def set_bins(self, before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> None:
        """Draw the bins of a CalibrationReport (``low``, ``high``, ``accuracy``, ``count`` each)."""
        self._bins = (before, after)
        item = self.plot_item
        item.clear()
        self.count_labels = []
        item.plot([0, 1], [0, 1], pen=pg.mkPen("#8a90a2", width=1, style=Qt.PenStyle.DashLine),
                  name=translate("ReliabilityDiagram", "perfectly calibrated"))
        sets = ((before, BEFORE_COLOR, translate("ReliabilityDiagram", "before calibration"), -1),
                (after, AFTER_COLOR, translate("ReliabilityDiagram", "after calibration"), 1))
        for bins, color, name, side in sets:
            full = [b for b in bins if int(b.get("count", 0)) > 0]
            if not full:
                continue
            widths = [(float(b["high"]) - float(b["low"])) / 2 for b in full]
            xs = [float(b["low"]) + w * (1 + side) / 2 + w / 2 for b, w in zip(full, widths, strict=True)]
            heights = [float(b["accuracy"]) for b in full]
            bars = pg.BarGraphItem(x=xs, height=heights, width=[w * 0.9 for w in widths],
                                   brush=QColor(color), pen=pg.mkPen(None), name=name)
            item.addItem(bars)
            for x, h, b in zip(xs, heights, full, strict=True):
                self._count_label(x, h, int(b["count"]), color)
        item.setXRange(0, 1, padding=0.02)
        item.setYRange(0, 1.12, padding=0)

    def _count_label(self, x: float, height: float, count: int, color: str) -> None:
        label = pg.TextItem(f"{count}", color=QColor(color), anchor=(0.5, 1.0))
        font = QFont()
        font.setPointSizeF(7)
        label.setFont(font)
        label.setPos(x, height + 0.005)
        self.plot_item.addItem(label)
        self.count_labels.append(label)


class RejectionCurve(pg.PlotWidget):
    """The share of validation images rejected at each threshold, with the chosen one marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _configure(self, legend_at=(-8, 8))
        self.plot_item = self.getPlotItem()
        self.setMinimumHeight(220)
        self._curve: tuple[Sequence[Mapping[str, Any]], float | None] | None = None
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Title, axis labels and legend in the interface language."""
        _set_texts(self, translate("RejectionCurve", "Rejection trade-off on validation images"),
                   translate("RejectionCurve", "threshold on the unknown score"),
                   translate("RejectionCurve", "validation images rejected (%)"))
        if self._curve is not None:
            self.set_curve(*self._curve)

    def set_curve(self, curve: Sequence[Mapping[str, Any]], val_rejected: float | None) -> None:
        """Draw ``[{threshold, rejected}]`` and mark :data:`CHOSEN_THRESHOLD` with its rejection rate."""
        self._curve = (curve, val_rejected)
        item = self.plot_item
        item.clear()
        xs = [float(p["threshold"]) for p in curve]
        ys = [100 * float(p["rejected"]) for p in curve]
        item.plot(xs, ys, pen=pg.mkPen(AFTER_COLOR, width=2), symbol="o", symbolSize=4,
                  symbolBrush=AFTER_COLOR, symbolPen=None, name=translate("RejectionCurve", "rejected"))
        line = pg.InfiniteLine(CHOSEN_THRESHOLD, angle=90,
                               pen=pg.mkPen(WARNING_COLOR, width=2, style=Qt.PenStyle.DashLine))
        item.addItem(line)
        if val_rejected is not None:
            item.plot([CHOSEN_THRESHOLD], [100 * val_rejected], pen=None, symbol="o", symbolSize=10,
                      symbolBrush=WARNING_COLOR, symbolPen=None,
                      name=translate("RejectionCurve", "chosen threshold {threshold}: {rate} rejected")
                      .format(threshold=f"{CHOSEN_THRESHOLD:.1f}", rate=f"{val_rejected:.1%}"))
        item.setYRange(0, max([*ys, 10.0]) * 1.05, padding=0)
