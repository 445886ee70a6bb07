"""The Predict page's "none of my classes" setting: Auto, Off or a custom threshold, kept in QSettings.

Auto is the threshold chosen at export (1.0 on ``unknown_score``: it accepts 95% of the
validation images); a higher custom threshold rejects fewer images, a lower one more.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings, Signal, Slot
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QWidget

from engine.inference.results import rejection_threshold
from gui.i18n import retranslate_on_change, translate
from gui.widgets.plain_text import set_tooltip

MODE_KEY = "predict/reject"
THRESHOLD_KEY = "predict/reject_threshold"
MODES = ("auto", "off", "custom")
MODE_NAMES = (
    QT_TRANSLATE_NOOP("RejectionSetting", "Auto"),
    QT_TRANSLATE_NOOP("RejectionSetting", "Off"),
    QT_TRANSLATE_NOOP("RejectionSetting", "Custom"),
)
DEFAULT_CUSTOM = 1.0
AUTO_TIP = QT_TRANSLATE_NOOP(
    "RejectionSetting",
    "Auto: an image is 'none of my classes' when its unknown score is above 1.00, the threshold "
    "that accepts 95% of the validation images. Custom: a higher threshold rejects fewer images.",
)


class RejectionSetting(QWidget):
    """``Unknowns: [Auto|Off|Custom] [1.00]``; emits :attr:`changed` when the threshold changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._unavailable: str | None = None  # why a model cannot reject (None: it can)
        self.mode = QComboBox(self)
        self.mode.addItems(["" for _ in MODES])  # texts in retranslate_ui; the index is the mode
        self.custom = QDoubleSpinBox(self)
        self.custom.setRange(0.1, 5.0)
        self.custom.setSingleStep(0.05)
        self.custom.setDecimals(2)
        self.label = QLabel(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.mode)
        layout.addWidget(self.custom)
        self._restore()
        self.mode.currentIndexChanged.connect(self._on_changed)
        self.custom.valueChanged.connect(self._on_changed)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """The label, the modes and the tooltips in the interface language."""
        self.label.setText(translate("RejectionSetting", "Unknowns:"))
        for i, name in enumerate(MODE_NAMES):
            self.mode.setItemText(i, translate("RejectionSetting", name))
        self.custom.setToolTip(
            translate("RejectionSetting", "The unknown score above which an image is 'none of my classes'.")
        )
        why_not = self._unavailable
        set_tooltip(self.mode, translate("RejectionSetting", AUTO_TIP) if why_not is None else why_not)

    def _restore(self) -> None:
        settings = QSettings()
        mode = str(settings.value(MODE_KEY, "auto"))
        self.mode.setCurrentIndex(MODES.index(mode) if mode in MODES else 0)
        try:
            value = float(settings.value(THRESHOLD_KEY, DEFAULT_CUSTOM))
        except (TypeError, ValueError):
            value = DEFAULT_CUSTOM
        self.custom.setValue(value)
        self.custom.setEnabled(self.mode_name() == "custom")

    def mode_name(self) -> str:
        """``"auto"``, ``"off"`` or ``"custom"``."""
        return MODES[max(0, self.mode.currentIndex())]

    def reject(self) -> str | float:
        """What ``OnnxPredictor(reject=...)`` takes: ``"auto"``, ``"off"`` or the custom threshold."""
        mode = self.mode_name()
        return self.custom.value() if mode == "custom" else mode

    def threshold(self) -> float | None:
        """The threshold on ``unknown_score`` (None: rejection off)."""
        return rejection_threshold(self.reject())

    def set_available(self, available: bool, reason: str = "") -> None:
        """Enable the setting for a model with rejection; otherwise disable it and say why (``reason``)."""
        self.mode.setEnabled(available)
        self.custom.setEnabled(available and self.mode_name() == "custom")
        self._unavailable = None if available else reason
        self.retranslate_ui()

    @Slot()
    def _on_changed(self) -> None:
        self.custom.setEnabled(self.mode.isEnabled() and self.mode_name() == "custom")
        settings = QSettings()
        settings.setValue(MODE_KEY, self.mode_name())
        settings.setValue(THRESHOLD_KEY, self.custom.value())
        self.changed.emit()
