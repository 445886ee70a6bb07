"""Early stopping: end a run once the validation loss has stopped going down.

The best weights are chosen by validation accuracy elsewhere (``best.pt``); this only decides
when further epochs are no longer worth their time. Validation *loss* is watched because it
keeps improving (or starts rising) long after the accuracy of a small validation set has
settled on a plateau, so it says more reliably whether the model still learns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

MIN_DELTA = 1e-4  # a lower loss by less than this is noise, not progress


@dataclass
class EarlyStopping:
    """Counts the epochs since the validation loss last improved.

    Attributes:
        patience: Epochs without improvement before the run stops; 0 never stops.
        best_loss: The lowest validation loss so far.
        best_epoch: The epoch (counted from 1) that reached it; 0 before any.
        stale: Epochs since then.
    """

    patience: int
    best_loss: float = math.inf
    best_epoch: int = 0
    stale: int = 0

    def update(self, epoch: int, val_loss: float) -> bool:
        """Record an epoch's validation loss; True when the run should stop now.

        A loss that could not be computed (no validation image: NaN) says nothing either way
        and is not counted against the run.
        """
        if not math.isfinite(val_loss):
            return False
        if val_loss < self.best_loss - MIN_DELTA:
            self.best_loss, self.best_epoch, self.stale = val_loss, epoch, 0
            return False
        self.stale += 1
        return self.patience > 0 and self.stale >= self.patience

    @property
    def reason(self) -> str:
        """Why the run stopped, in the words ``run.json`` and the app show."""
        return (
            f"validation loss did not improve for {self.stale} epochs "
            f"(lowest {self.best_loss:.4f} at epoch {self.best_epoch})"
        )

    def state_dict(self) -> dict[str, Any]:
        """What ``last.pt`` keeps so that a resumed run counts on from here."""
        return {"best_loss": self.best_loss, "best_epoch": self.best_epoch, "stale": self.stale}

    def load_state_dict(self, state: dict[str, Any] | None) -> None:
        """Continue from :meth:`state_dict` (a run saved before early stopping existed starts afresh)."""
        if not state:
            return
        self.best_loss = float(state.get("best_loss", math.inf))
        self.best_epoch = int(state.get("best_epoch", 0))
        self.stale = int(state.get("stale", 0))
