"""One optimisation step and one evaluation pass, with AMP done right.

The loss and accuracy of predicted probabilities are computed in one place,
:func:`engine.runs.evaluation.loss_and_accuracy`, shared with the Evaluate stage.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch import nn

from engine.errors import TransferStudioError


class NonFiniteLossError(TransferStudioError):
    """The loss became NaN or infinite; the step was not applied."""


@dataclass
class Precision:
    """Autocast settings for a device: bf16 where supported on CUDA, fp16 with a scaler otherwise."""

    device: torch.device
    enabled: bool
    dtype: torch.dtype
    scaler: torch.amp.GradScaler | None

    @classmethod
    def for_device(cls, device: torch.device, amp: bool) -> Precision:
        """Mixed precision on CUDA only; CPUs here gain nothing from it."""
        if not (amp and device.type == "cuda"):
            return cls(device, False, torch.float32, None)
        if torch.cuda.is_bf16_supported():
            return cls(device, True, torch.bfloat16, None)
        return cls(device, True, torch.float16, torch.amp.GradScaler("cuda"))

    def autocast(self) -> contextlib.AbstractContextManager[object]:
        """The autocast context for a forward pass."""
        if not self.enabled:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)


def train_step(
    model: nn.Module,
    inputs: torch.Tensor,
    labels: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    criterion: nn.Module,
    precision: Precision,
) -> tuple[float, int]:
    """Forward, backward and step once; return the loss and the number of correct predictions.

    Raises:
        NonFiniteLossError: Before ``optimizer.step()`` when the loss is not finite, so the
            weights (and the last checkpoint) stay good.
    """
    optimizer.zero_grad(set_to_none=True)
    with precision.autocast():
        logits = model(inputs)
        loss = criterion(logits.float(), labels)
    if not torch.isfinite(loss):
        raise NonFiniteLossError(
            "the loss became NaN or infinite; try a lower learning rate or a smaller batch size"
        )
    if precision.scaler is not None:
        precision.scaler.scale(loss).backward()
        precision.scaler.step(optimizer)
        precision.scaler.update()
    else:
        loss.backward()
        optimizer.step()
    correct = int((logits.argmax(1) == labels).sum())
    return float(loss.detach()), correct


@torch.no_grad()
def predict_batch(model: nn.Module, inputs: torch.Tensor, precision: Precision) -> torch.Tensor:
    """Class probabilities for a batch, in float32."""
    with precision.autocast():
        logits = model(inputs)
    return torch.softmax(logits.float(), dim=1)
