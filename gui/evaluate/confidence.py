"""The Evaluate page's Confidence tab: how far a run's probabilities can be trusted, from ``trust.json``.

Shows the temperature and the calibration it bought (ECE and NLL before → after, the reliability
diagram with per-bin counts), the "none of my classes" trade-off (validation images rejected at
each threshold, the chosen one marked), leave-one-class-out AUROC per class and the share of
generated junk rejected. A run trained before calibration existed gets one calm line instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent
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
from gui.i18n import retranslate_on_change, translate
from gui.train.wizard.pages import fit_rows, set_row, table
from gui.widgets.plain_text import plain_label, set_plain_text

NO_TRUST = QT_TRANSLATE_NOOP(
    "ConfidenceView",
    "This run was trained before calibration; train again (or export it) to measure confidence.",
)
HELD_OUT = {
    "validation": QT_TRANSLATE_NOOP("ConfidenceView", "the validation images"),
    "out-of-fold": QT_TRANSLATE_NOOP("ConfidenceView", "out-of-fold predictions on the training images"),
}
LOCO_HINT = QT_TRANSLATE_NOOP(
    "ConfidenceView",
    "How well the model notices a kind of image it never saw: each class in turn is left out and "
    "treated as unknown (1.00: always told apart, 0.50: chance).",
)
JUNK_KINDS = {  # the kinds engine.trust.junk generates
    "noise": QT_TRANSLATE_NOOP("ConfidenceView", "noise {number}"),
    "blur": QT_TRANSLATE_NOOP("ConfidenceView", "blurred photo {number}"),
    "black": QT_TRANSLATE_NOOP("ConfidenceView", "black"),
    "white": QT_TRANSLATE_NOOP("ConfidenceView", "white"),
    "grey": QT_TRANSLATE_NOOP("ConfidenceView", "grey"),
    "red": QT_TRANSLATE_NOOP("ConfidenceView", "red"),
    "green": QT_TRANSLATE_NOOP("ConfidenceView", "green"),
    "blue": QT_TRANSLATE_NOOP("ConfidenceView", "blue"),
}


def calibration_lines(trust: TrustModel) -> list[str]:
    """The temperature, ECE and NLL before → after (and a warning when ECE means little)."""
    report = trust.calibration
    low, high = (float(v) for v in report.get("ece_after_interval", (0.0, 0.0)))
    held_out = trust.held_out
    fitted_on = translate("ConfidenceView", HELD_OUT[held_out]) if held_out in HELD_OUT else held_out
    if trust.temperature > 1:
        temperature = translate("ConfidenceView", "Temperature T = {temperature}, fitted on {held_out} "
                                "({count} images). T > 1 softens overconfident probabilities.")
    else:
        temperature = translate("ConfidenceView", "Temperature T = {temperature}, fitted on {held_out} "
                                "({count} images). T < 1 sharpens underconfident probabilities.")
    n = f"{int(report.get('n', 0)):,}"
    lines = [
        temperature.format(temperature=f"{trust.temperature:.2f}", held_out=fitted_on,
                           count=f"{int(report.get('fitted_n') or report.get('n', 0)):,}"),
        translate("ConfidenceView", "Expected calibration error on the {count} validation images "
                  "{ece_before} → {ece_after} (90% interval {low}–{high}) · negative log-likelihood "
                  "{nll_before} → {nll_after}. Accuracy is unchanged.").format(
            count=n, ece_before=f"{float(report['ece_before']):.1%}",
            ece_after=f"{float(report['ece_after']):.1%}", low=f"{low:.1%}", high=f"{high:.1%}",
            nll_before=f"{float(report['nll_before']):.3f}", nll_after=f"{float(report['nll_after']):.3f}"),
    ]
    if not report.get("reliable", False):
        lines.append(translate("ConfidenceView", "ECE is unreliable with fewer than {minimum} validation "
                               "images (this run has {count}): read the figures as rough.").format(
            minimum=ECE_RELIABLE_N, count=n))
    return lines


def rejection_lines(report: Mapping[str, Any]) -> list[str]:
    """The validation false-reject rate at the chosen threshold and the junk rejection rate."""
    lines = []
    if report.get("val_rejected") is not None:
        lines.append(translate(
            "ConfidenceView",
            "At the chosen threshold ({threshold}, picked to accept 95% of the validation images without "
            "any outlier data) {rate} of the validation images are answered 'none of my classes' "
            "(false rejects).",
        ).format(threshold=f"{CHOSEN_THRESHOLD:.2f}", rate=f"{float(report['val_rejected']):.1%}"))
    if report.get("junk_count"):
        count = int(report["junk_count"])
        rejected = f"{float(report.get('junk_rejected', 0.0)):.0%}"
        missed = sorted(set(report.get("junk_missed") or []))
        if missed:
            text = translate("ConfidenceView", "Generated junk (noise, blank, solid colours, heavy blur) "
                             "rejected: {rate} of {count}; accepted as a class: {missed}.")
        else:
            text = translate("ConfidenceView", "Generated junk (noise, blank, solid colours, heavy blur) "
                             "rejected: {rate} of {count}.")
        names = translate("ConfidenceView", ", ").join(junk_name(kind) for kind in missed)
        lines.append(text.format(rate=rejected, count=count, missed=names))
    return lines


def junk_name(kind: str) -> str:
    """A generated junk image's kind (``noise-2``, ``black``, ``blur-0``: engine.trust.junk) in words."""
    base, _, number = kind.partition("-")
    text = JUNK_KINDS.get(base)
    return translate("ConfidenceView", text).format(number=number) if text else kind


class ConfidenceView(QWidget):
    """Calibration and rejection figures of one run; call :meth:`show_run`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trust: TrustModel | None = None
        self._classes: list[str] = []
        self._message: Callable[[], str] = lambda: translate("ConfidenceView", NO_TRUST)
        self.message = plain_label("", self, wrap=True)
        self.message.setObjectName("mutedLabel")
        self.calibration = plain_label("", self, wrap=True)
        self.warning = plain_label("", self, wrap=True)
        self.warning.setObjectName("mutedLabel")
        self.reliability = ReliabilityDiagram(self)
        self.rejection = RejectionCurve(self)
        self.rejection_text = plain_label("", self, wrap=True)
        self.loco_hint = plain_label("", self, wrap=True)
        self.loco_hint.setObjectName("mutedLabel")
        self.loco = table(["", ""], self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._message_page())
        self.pages.addWidget(self._figures_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._follow_palette()
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Every text in the interface language, the shown run's figures included."""
        set_plain_text(self.message, self._message())
        set_plain_text(self.loco_hint, translate("ConfidenceView", LOCO_HINT))
        self.loco.setHorizontalHeaderLabels(
            [translate("ConfidenceView", "Class left out"), translate("ConfidenceView", "AUROC")]
        )
        if self.trust is not None:
            self._show_trust(self.trust)

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

    def show_message(self, text: Callable[[], str]) -> None:
        """Show one line instead of the figures; ``text`` gives it in the interface language."""
        self.trust = None
        self._message = text
        set_plain_text(self.message, text())
        self.pages.setCurrentIndex(0)

    def show_run(self, run_dir: str | Path, classes: Sequence[str]) -> bool:
        """Show the trust figures of ``run_dir`` (class names from ``classes``); False when it has none."""
        try:
            trust = load_trust(run_dir)
        except TransferStudioError as exc:
            reason = str(exc)  # the engine's words, naming the file
            self.show_message(lambda: translate(
                "ConfidenceView", "The confidence figures cannot be shown: {reason}").format(reason=reason))
            return False
        if trust is None:
            self.show_message(lambda: translate("ConfidenceView", NO_TRUST))
            return False
        self.trust = trust
        self._classes = list(classes)
        self._show_trust(trust)
        self.pages.setCurrentIndex(1)
        return True

    def _show_trust(self, trust: TrustModel) -> None:
        self._show_calibration(trust)
        self._show_rejection(trust.novelty_report, self._classes, trust.novelty is not None)

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
            lines = [translate("ConfidenceView",
                               "This run has no 'none of my classes' model (it had no training embeddings).")]
        elif not lines:
            lines = [translate("ConfidenceView", "The rejection trade-off was not measured for this run; "
                               "train again to measure it.")]
        set_plain_text(self.rejection_text, "\n".join(lines))
        self._fill_loco(report.get("loco_auroc") or {}, classes)

    def _fill_loco(self, loco: Mapping[str, Any], classes: Sequence[str]) -> None:
        rows = []
        for key, value in loco.items():
            index = int(key)
            name = classes[index] if 0 <= index < len(classes) else translate(
                "ConfidenceView", "class {index}").format(index=index)
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

