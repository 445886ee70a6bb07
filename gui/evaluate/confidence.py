"""The Evaluate page's Confidence tab: how far a run's probabilities can be trusted, from ``trust.json``.

Shows the temperature and the calibration it bought (ECE and NLL before → after, the reliability
diagram with per-bin counts), the "none of my classes" trade-off (validation images rejected at
each threshold, the chosen one marked), leave-one-class-out AUROC per class and the share of
generated junk rejected. A run trained before calibration existed gets one calm line instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from engine.errors import TransferStudioError
from engine.trust.calibration import ECE_RELIABLE_N
from engine.trust.model import TrustModel, load_trust
from gui.evaluate.confidence_plots import (
    CHOSEN_THRESHOLD,
    RejectionCurve,
    ReliabilityDiagram,
    follow_palette,
)
from gui.train.wizard.pages import fit_rows, set_row, table
from gui.widgets.plain_text import plain_label, set_plain_text

NO_TRUST = "This run was trained before calibration; train again (or export it) to measure confidence."
HELD_OUT = {
    "validation": "the validation images",
    "out-of-fold": "out-of-fold predictions on the training images",
}
LOCO_HINT = (
    "How well the model notices a kind of image it never saw: each class in turn is left out and "
    "treated as unknown (1.00: always told apart, 0.50: chance)."
)


def calibration_lines(trust: TrustModel) -> list[str]:
    """The temperature, ECE and NLL before → after (and a warning when ECE means little)."""
    report = trust.calibration
    low, high = (float(v) for v in report.get("ece_after_interval", (0.0, 0.0)))
    fitted_on = HELD_OUT.get(trust.held_out, trust.held_out)
    lines = [
        f"Temperature T = {trust.temperature:.2f}, fitted on {fitted_on} "
        f"({int(report.get('n', 0)):,} images). "
        + ("T > 1 softens overconfident probabilities." if trust.temperature > 1
           else "T < 1 sharpens underconfident probabilities."),
        f"Expected calibration error {float(report['ece_before']):.1%} → {float(report['ece_after']):.1%} "
        f"(90% interval {low:.1%}–{high:.1%}) · negative log-likelihood "
        f"{float(report['nll_before']):.3f} → {float(report['nll_after']):.3f}. Accuracy is unchanged.",
    ]
    if not report.get("reliable", False):
        lines.append(
            f"ECE is unreliable with fewer than {ECE_RELIABLE_N} validation images "
            f"(this run has {int(report.get('n', 0)):,}): read the figures as rough."
        )
    return lines


def rejection_lines(report: Mapping[str, Any]) -> list[str]:
    """The validation false-reject rate at the chosen threshold and the junk rejection rate."""
    lines = []
    if report.get("val_rejected") is not None:
        lines.append(
            f"At the chosen threshold ({CHOSEN_THRESHOLD:.2f}, picked to accept 95% of the validation "
            f"images without any outlier data) {float(report['val_rejected']):.1%} of the validation "
            "images are answered 'none of my classes' (false rejects)."
        )
    if report.get("junk_count"):
        count = int(report["junk_count"])
        rejected = float(report.get("junk_rejected", 0.0))
        missed = sorted(set(report.get("junk_missed") or []))
        lines.append(
            f"Generated junk (noise, blank, solid colours, heavy blur) rejected: {rejected:.0%} of {count}"
            + (f"; accepted as a class: {', '.join(missed)}." if missed else ".")
        )
    return lines


class ConfidenceView(QWidget):
    """Calibration and rejection figures of one run; call :meth:`show_run`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trust: TrustModel | None = None
        self.message = plain_label(NO_TRUST, self, wrap=True)
        self.message.setObjectName("mutedLabel")
        self.calibration = plain_label("", self, wrap=True)
        self.warning = plain_label("", self, wrap=True)
        self.warning.setObjectName("mutedLabel")
        self.reliability = ReliabilityDiagram(self)
        self.rejection = RejectionCurve(self)
        self.rejection_text = plain_label("", self, wrap=True)
        self.loco_hint = plain_label(LOCO_HINT, self, wrap=True)
        self.loco_hint.setObjectName("mutedLabel")
        self.loco = table(["Class left out", "AUROC"], self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._message_page())
        self.pages.addWidget(self._figures_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._follow_palette()

    def _message_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(self.message)
        layout.addStretch(1)
        return page

    def _figures_page(self) -> QWidget:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        for widget in (self.calibration, self.warning, self.reliability, self.rejection,
                       self.rejection_text, self.loco_hint, self.loco):
            layout.addWidget(widget)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        return scroll

    def show_message(self, text: str) -> None:
        """Show one line instead of the figures."""
        self.trust = None
        set_plain_text(self.message, text)
        self.pages.setCurrentIndex(0)

    def show_run(self, run_dir: str | Path, classes: Sequence[str]) -> bool:
        """Show the trust figures of ``run_dir`` (class names from ``classes``); False when it has none."""
        try:
            trust = load_trust(run_dir)
        except TransferStudioError as exc:
            self.show_message(str(exc))
            return False
        if trust is None:
            self.show_message(NO_TRUST)
            return False
        self.trust = trust
        self._show_calibration(trust)
        self._show_rejection(trust.novelty_report, classes, trust.novelty is not None)
        self.pages.setCurrentIndex(1)
        return True

    def _show_calibration(self, trust: TrustModel) -> None:
        lines = calibration_lines(trust)
        set_plain_text(self.calibration, "\n".join(lines[:2]))
        set_plain_text(self.warning, lines[2] if len(lines) > 2 else "")
        self.warning.setVisible(len(lines) > 2)
        report = trust.calibration
        self.reliability.set_bins(report.get("bins_before", []), report.get("bins_after", []))

    def _show_rejection(self, report: Mapping[str, Any], classes: Sequence[str], has_novelty: bool) -> None:
        curve = report.get("rejection_curve") or []
        self.rejection.setVisible(bool(curve))
        if curve:
            value = report.get("val_rejected")
            self.rejection.set_curve(curve, None if value is None else float(value))
        lines = rejection_lines(report)
        if not has_novelty:
            lines = ["This run has no 'none of my classes' model (it had no training embeddings)."]
        elif not lines:
            lines = ["The rejection trade-off was not measured for this run; train again to measure it."]
        set_plain_text(self.rejection_text, "\n".join(lines))
        self._fill_loco(report.get("loco_auroc") or {}, classes)

    def _fill_loco(self, loco: Mapping[str, Any], classes: Sequence[str]) -> None:
        rows = []
        for key, value in loco.items():
            index = int(key)
            name = classes[index] if 0 <= index < len(classes) else f"class {index}"
            rows.append((name, float(value)))
        self.loco.setRowCount(len(rows))
        for r, (name, value) in enumerate(rows):
            set_row(self.loco, r, [name, f"{value:.2f}"])
        self.loco.setVisible(bool(rows))
        self.loco_hint.setVisible(bool(rows))
        fit_rows(self.loco, max_rows=12)

    def changeEvent(self, event: QEvent) -> None:
        """Follow the light or dark palette."""
        if event.type() == QEvent.Type.PaletteChange:
            self._follow_palette()
        super().changeEvent(event)

    def _follow_palette(self) -> None:
        for plot in (self.reliability, self.rejection):
            follow_palette(plot, self.palette())

