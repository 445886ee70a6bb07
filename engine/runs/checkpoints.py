"""The torch half of the run folder: ``best.pt`` and ``last.pt``.

Checkpoints hold the head and every backbone whose weights changed; a frozen pretrained backbone is
stored by reference (registry name + weights in ``run.json``) and rebuilt when loading. ``last.pt``
also holds the optimizer and schedule state, so that a run can be resumed. Loads use
``weights_only=True`` only.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch

from engine.errors import RunError
from engine.models.classifier import TransferModel
from engine.runs.files import BEST, INFO, LAST, RUN_FORMAT, RunInfo, read_info


def checkpoint_bytes(
    model: TransferModel,
    frozen_backbones: list[bool],
    epoch: int,
    val_acc: float,
    training: dict[str, Any] | None = None,
) -> bytes:
    """Serialise a checkpoint.

    Args:
        model: The network; frozen pretrained backbones are not stored (rebuilt by name).
        frozen_backbones: Per backbone, whether it is stored by reference.
        epoch: The epoch (counted from 1) these weights finished.
        val_acc: Their validation accuracy.
        training: Optimizer and schedule state, so that the run can be resumed (``last`` only).
    """
    state: dict[str, Any] = {
        "format": RUN_FORMAT,
        "epoch": epoch,
        "val_acc": val_acc,
        "head": model.head.state_dict(),
        "backbones": [
            None if frozen else backbone.state_dict()
            for backbone, frozen in zip(model.backbones, frozen_backbones, strict=True)
        ],
    }
    if training is not None:
        state["training"] = training
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def _one_line(exc: BaseException) -> str:
    """The first sentence of an exception's message (torch's run over many lines)."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return first.split(". ")[0].rstrip(".:")


def _tensors(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, torch.Tensor) for v in value.values())


def _load(path: Path) -> dict[str, Any]:
    """Load a checkpoint (weights only) and check its shape: a damaged file is named, in one line."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # torch raises many types for damaged or unsafe files
        raise RunError(
            f"{path}: cannot load the weights: the file is damaged or not plain weights ({_one_line(exc)})"
        ) from exc
    backbones = state.get("backbones") if isinstance(state, dict) else None
    if (
        not isinstance(state, dict)
        or not _tensors(state.get("head"))
        or not isinstance(backbones, list)
        or not all(b is None or _tensors(b) for b in backbones)
    ):
        raise RunError(f"{path}: the file is damaged (not a checkpoint of a head and backbones)")
    return state


def read_training_state(run_dir: str | Path) -> dict[str, Any]:
    """``last.pt`` in full (weights, epoch, optimizer and schedule state) to resume a run.

    Raises:
        RunError: When the run has no resumable state (no epoch finished, or an older run).
    """
    path = Path(run_dir) / LAST
    try:
        state = _load(path)
    except FileNotFoundError as exc:
        raise RunError(f"{run_dir}: cannot resume, no epoch finished ({LAST} is missing)") from exc
    training = state.get("training")
    if training is None:
        raise RunError(f"{path}: no optimizer state to resume from; fine-tune from the best weights instead")
    parts = ("optimizer", "scheduler")
    if not isinstance(training, dict) or not all(isinstance(training.get(k), dict) for k in parts):
        raise RunError(f"{path}: the file is damaged (its optimizer and schedule state is unreadable)")
    return state


def load_weights(model: TransferModel, state: dict[str, Any], path: Path | str = "") -> None:
    """Put a checkpoint's head and stored backbones into ``model``."""
    try:
        model.head.load_state_dict(state["head"])
        for backbone, saved in zip(model.backbones, state["backbones"], strict=True):
            if saved is not None:
                backbone.load_state_dict(saved)
    except (RuntimeError, ValueError, KeyError, TypeError) as exc:
        raise RunError(
            f"{path}: the weights do not fit the network recorded in {INFO} ({_one_line(exc)})"
        ) from exc


def restore_training(
    state: dict[str, Any],
    model: TransferModel,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> int:
    """Load ``last.pt``'s state into the model, optimizer and schedule; return epochs without improvement."""
    load_weights(model, state, LAST)
    try:
        optimizer.load_state_dict(state["training"]["optimizer"])
        scheduler.load_state_dict(state["training"]["scheduler"])
        return int(state["training"].get("stale", 0))
    except (RuntimeError, ValueError, KeyError, TypeError) as exc:
        raise RunError(f"{LAST}: the optimizer state does not fit this run ({_one_line(exc)})") from exc


def load_run_model(run_dir: str | Path, which: str = "best") -> tuple[TransferModel, RunInfo]:
    """Rebuild a run's network on the CPU in eval mode, with its best (or last) weights."""
    from engine.models.registry import build_backbone

    info = read_info(run_dir)
    path = Path(run_dir) / (BEST if which == "best" else LAST)
    if not path.exists():
        raise RunError(f"{path} is missing: the run ended before any weights were saved")
    state = _load(path)
    backbones = [
        build_backbone(name, pretrained=info.pretrained and frozen)
        for name, frozen in zip(info.backbones, info.frozen_backbones, strict=True)
    ]
    model = TransferModel(backbones, info.feature_dims, len(info.classes))
    load_weights(model, state, path)
    return model.eval(), info
