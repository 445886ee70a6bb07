"""Advanced settings, one click away: epochs, learning rate, batch size, augmentation, early stopping, k.

Every field starts at the chosen strategy's safe default (``engine.config.DEFAULTS``); k, the
number of frozen layer groups for ``partial``, is shown against the backbone's own groups, read
off the GUI thread (building the network takes a moment). Labels and notes follow the interface
language.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.config import AUGMENTATIONS, CPU_IMAGE_BATCH, DEFAULTS, FROZEN_BACKBONE
from gui.i18n import retranslate_on_change, translate
from gui.train.strategy_names import AUTO
from gui.workers.recommend_worker import layer_groups_task
from gui.workers.task_runner import TaskRunner

_GROUP_CACHE: dict[str, list[str]] = {}
AUGMENT_TEXT = {  # engine.config.AUGMENTATIONS → its name, translated where shown
    "none": QT_TRANSLATE_NOOP("AdvancedSettings", "None"),
    "light": QT_TRANSLATE_NOOP("AdvancedSettings", "Light (flips, small crops)"),
    "strong": QT_TRANSLATE_NOOP("AdvancedSettings", "Strong (more crops, colour)"),
}
FIELDS = (  # (attribute, label) of the form's rows, top to bottom
    ("epochs", QT_TRANSLATE_NOOP("AdvancedSettings", "Epochs")),
    ("lr", QT_TRANSLATE_NOOP("AdvancedSettings", "Learning rate")),
    ("batch", QT_TRANSLATE_NOOP("AdvancedSettings", "Batch size")),
    ("augment", QT_TRANSLATE_NOOP("AdvancedSettings", "Augmentation")),
    ("patience", QT_TRANSLATE_NOOP("AdvancedSettings", "Stop early after")),
    ("k", QT_TRANSLATE_NOOP("AdvancedSettings", "Frozen layer groups (k)")),
)


class AdvancedSettings(QWidget):
    """Editable training settings; :meth:`values` gives what goes into the ``TrainConfig``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strategy, self._backbone, self._groups = "features", "", []
        self._suggested_k: int | None = None
        self._loading, self._failed = "", set[str]()
        self._note: tuple[str, str] = ("", "")  # what the note beside the groups says: a kind and a value
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_groups)
        self.runner.failed.connect(self._on_groups_failed)
        self.runner.idle.connect(self._on_runner_idle)
        self.epochs = QSpinBox(self)
        self.epochs.setRange(1, 500)
        self.lr = QDoubleSpinBox(self)
        self.lr.setDecimals(5)
        self.lr.setRange(0.00001, 1.0)
        self.lr.setSingleStep(0.0001)
        self.batch = QSpinBox(self)
        self.batch.setRange(0, 1024)  # 0 shows "Auto": the engine picks for the device
        self.augment = QComboBox(self)
        for name in AUGMENTATIONS:
            self.augment.addItem(name, name)  # the data stays; retranslate_ui sets the texts
        self.patience = QSpinBox(self)
        self.patience.setRange(0, 500)  # 0 shows "Off": every epoch is trained
        self.k = QSpinBox(self)
        self.k.setRange(0, 0)
        self.k.valueChanged.connect(self._paint_groups)
        self.k_note = QLabel(self)
        self.k_note.setTextFormat(Qt.TextFormat.PlainText)
        self.k_note.setObjectName("mutedLabel")
        self.k_note.setWordWrap(True)
        self.groups = QListWidget(self)
        self.groups.setMaximumHeight(130)
        self.groups.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.reset_button = reset = QPushButton(self)
        reset.clicked.connect(self.reset)
        form = self._form = QFormLayout()
        for attribute, _label in FIELDS:
            form.addRow(QLabel(self), getattr(self, attribute))
        row = QHBoxLayout()
        row.addLayout(form, 1)
        side = QVBoxLayout()
        side.addWidget(self.k_note)
        side.addWidget(self.groups, 1)
        row.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(reset, 0, Qt.AlignmentFlag.AlignLeft)
        for box in (self.epochs, self.batch, self.patience, self.k):
            box.valueChanged.connect(self.changed)
        self.lr.valueChanged.connect(self.changed)
        self.augment.currentIndexChanged.connect(self.changed)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Labels, choices, tooltips, the note and the groups in the interface language."""
        for attribute, label in FIELDS:
            self._form.labelForField(getattr(self, attribute)).setText(translate("AdvancedSettings", label))
        self.batch.setSpecialValueText(translate("AdvancedSettings", "Auto"))
        self.batch.setToolTip(translate(
            "AdvancedSettings",
            "Auto: the strategy's batch size, or at most {batch} when a CPU trains on images "
            "(smaller batches run faster there).",
        ).format(batch=CPU_IMAGE_BATCH))
        for i in range(self.augment.count()):
            self.augment.setItemText(i, translate("AdvancedSettings", AUGMENT_TEXT[self.augment.itemData(i)]))
        self.patience.setSpecialValueText(translate("AdvancedSettings", "Off"))
        self.patience.setSuffix(translate("AdvancedSettings", " epochs"))
        self.patience.setToolTip(translate(
            "AdvancedSettings",
            "Stop once the validation loss has not improved for this many epochs; the best weights "
            "are kept and the run says it stopped early. Off trains every epoch.",
        ))
        self.reset_button.setText(translate("AdvancedSettings", "Reset to safe defaults"))
        self.k_note.setText(self._note_text())
        self._paint_groups()

    def _set_note(self, kind: str, value: str = "") -> None:
        self._note = (kind, value)
        self.k_note.setText(self._note_text())

    def _note_text(self) -> str:
        """The note beside the layer groups for the current strategy and backbone."""
        kind, value = self._note
        if kind == "reading":
            reading = translate("AdvancedSettings", "Reading the layer groups of {network}…")
            return reading.format(network=value)
        if kind == "failed":
            return translate("AdvancedSettings", "The layer groups could not be read: {reason}").format(
                reason=value)
        if kind == "auto":
            return translate(
                "AdvancedSettings",
                "Auto sets the epochs, learning rate, augmentation, early stopping and frozen layer groups "
                "of the strategy it chooses; the batch size is yours to set.",
            )
        if kind == "not partial":
            return translate(
                "AdvancedSettings",
                "k applies to the “partial” strategy only: these strategies freeze every "
                "group (features, linear, stack) or none (full, scratch).",
            )
        if kind == "groups":
            return translate(
                "AdvancedSettings",
                "{network} has {count} layer groups, input side first. The first k stay frozen; the "
                "others are fine-tuned.",
            ).format(network=self._backbone, count=len(self._groups))
        return ""

    # ------------------------------------------------------------------ API
    def configure(self, strategy: str, backbone: str, k: int | None = None) -> None:
        """Show the defaults of ``strategy`` on ``backbone`` (k suggested by the recommendation)."""
        self._strategy = strategy
        self._show_strategy_rows(strategy != AUTO)
        self.reset()
        if backbone != self._backbone:
            self._backbone, self._groups = backbone, []
            self._load_groups()
        self._suggested_k = k
        self._apply_groups()
        if k is not None and self._groups:
            self.k.setValue(min(k, len(self._groups)))

    @Slot()
    def reset(self) -> None:
        """Back to the strategy's defaults."""
        d = DEFAULTS.get(self._strategy, DEFAULTS["features"])
        self.epochs.setValue(d.epochs)
        self.lr.setValue(d.lr)
        self.batch.setValue(0)
        self.augment.setCurrentIndex(max(0, self.augment.findData(d.augment)))
        self.patience.setValue(d.early_stopping)
        if self._groups:
            self.k.setValue(self._suggested_k or max(1, len(self._groups) // 2))

    def values(self) -> dict[str, Any]:
        """The ``TrainConfig`` fields these settings decide."""
        out: dict[str, Any] = {
            "epochs": self.epochs.value(),
            "lr": float(self.lr.value()),
            "batch_size": self.batch.value() or None,
            "augment": str(self.augment.currentData()),
            "early_stopping": self.patience.value(),
        }
        if self._strategy == AUTO:  # the chosen strategy's own defaults; auto stops early
            return {"batch_size": out["batch_size"]}
        if self._strategy == "partial":
            out["freeze_k"] = self.k.value() if self._groups else self._suggested_k
        return out

    def _show_strategy_rows(self, shown: bool) -> None:
        """Show the settings that depend on the strategy (hidden for ``auto``, which picks them)."""
        for field in (self.epochs, self.lr, self.augment, self.patience, self.k):
            self._form.setRowVisible(field, shown)
        self.groups.setVisible(shown)

    def layer_group_names(self) -> list[str]:
        """The backbone's groups, input side first (empty until read)."""
        return list(self._groups)

    def shutdown(self) -> None:
        """Stop reading layer groups (wizard closing)."""
        self.runner.shutdown()

    # -------------------------------------------------------------- groups
    def _load_groups(self) -> None:
        cached = _GROUP_CACHE.get(self._backbone)
        if cached is not None:
            self._groups = cached
            return
        self._set_note("reading", self._backbone)
        if self.runner.start(layer_groups_task(self._backbone)):  # if busy, _on_runner_idle starts it
            self._loading = self._backbone

    @Slot(object)
    def _on_groups(self, result: tuple[str, list[str]]) -> None:
        name, groups = result
        _GROUP_CACHE[name] = groups
        if name == self._backbone:
            self._groups = groups
            self._apply_groups()
            self.reset()

    @Slot()
    def _on_runner_idle(self) -> None:
        wanted = self._backbone
        if wanted and wanted not in _GROUP_CACHE and wanted not in self._failed and not self._groups:
            self._load_groups()

    @Slot(str)
    def _on_groups_failed(self, message: str) -> None:
        self._failed.add(self._loading)
        lines = message.strip().splitlines()
        self._set_note("failed", lines[-1] if lines else "?")

    def _apply_groups(self) -> None:
        partial = self._strategy == "partial"
        self.k.setEnabled(partial and bool(self._groups))
        self.k.setRange(0, max(0, len(self._groups) - 1) if self._groups else 0)
        if self._strategy == AUTO:
            self._set_note("auto")
        elif not partial:
            self._set_note("not partial")
        elif self._groups:
            self._set_note("groups")
        self._paint_groups()

    @Slot()
    def _paint_groups(self) -> None:
        self.groups.clear()
        frozen_all = self._strategy in FROZEN_BACKBONE
        for i, name in enumerate(self._groups):
            frozen = i < self.k.value() if self._strategy == "partial" else frozen_all
            state = (translate("AdvancedSettings", "frozen") if frozen
                     else translate("AdvancedSettings", "trained"))
            item = QListWidgetItem(f"{i + 1:>2}. {name}  —  {state}")
            if frozen:
                item.setForeground(self.palette().placeholderText())
            self.groups.addItem(item)
