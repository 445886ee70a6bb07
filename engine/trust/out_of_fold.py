"""Out-of-fold logits of a head-only run: what its temperature is fitted on.

A head trained on cached features is cheap to train again, so T need not be fitted on the
validation images (which then also measure it): the training vectors are dealt into 5 folds
stratified by class, a fresh head is trained on four of them with the run's own recipe (the
head-fitting code of :mod:`engine.training.head_fit`, the run's optimiser, schedule, batch size
and class weights, for as many epochs as the run's kept weights had), and it predicts the fifth.
Every training image then has one logit vector from a head that never saw it. The fold heads
start from a fresh initialisation (a run continued from another run's head did not) and train on
the un-augmented vectors only (a run with cached augmented views also saw those).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from engine.config import TrainConfig
from engine.control import RunControl
from engine.progress import Progress, no_progress
from engine.training.head_fit import threads_for, train_head_epoch
from engine.training.optim import class_weights, make_optimizer, make_scheduler
from engine.training.step import Precision

FOLDS = 5
OUT_OF_FOLD = "Calibrating confidence (out-of-fold)"


@dataclass(frozen=True)
class HeadRecipe:
    """How a run trained its head: its resolved configuration and the epoch of the weights it kept."""

    config: TrainConfig
    epochs: int


def stratified_folds(labels: np.ndarray, folds: int = FOLDS, seed: int = 0) -> np.ndarray:
    """The fold of each row: each class, in a seeded random order, dealt round-robin over the folds."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(labels), dtype=np.int64)
    dealt = 0
    for c in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == c))
        fold[rows] = (dealt + np.arange(len(rows))) % folds  # carry on where the last class stopped
        dealt += len(rows)
    return fold


def can_fold(labels: np.ndarray, folds: int = FOLDS) -> bool:
    """Whether every class has at least one image per fold (and there are two classes or more)."""
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return len(counts) >= 2 and int(counts.min()) >= folds


def train_fresh_head(
    head: nn.Sequential,
    x: torch.Tensor,
    y: torch.Tensor,
    recipe: HeadRecipe,
    seed: int,
    control: RunControl | None = None,
) -> nn.Sequential:
    """A re-initialised copy of ``head`` trained on ``(x, y)`` as the run trained its own.

    Raises:
        RunCancelled: If ``control`` is cancelled (checked before every scripted call).
        NonFiniteLossError: If the loss stops being finite.
    """
    cfg = recipe.config.resolved(on_cpu=x.device.type == "cpu")  # a stored run's is already resolved
    fresh = copy.deepcopy(head).to(x.device)
    weights = class_weights(y.cpu().numpy(), int(fresh[-1].out_features)) if cfg.class_weights else None
    criterion = nn.CrossEntropyLoss(weight=None if weights is None else weights.to(x.device))
    batch = int(cfg.batch_size or 64)
    rows_macs = batch * sum(p.numel() for p in fresh.parameters())

    def checkpoint(_: int) -> None:
        if control is not None:
            control.raise_if_cancelled()

    with torch.random.fork_rng(devices=[]), threads_for(rows_macs):  # the run's RNG is left as it was
        torch.manual_seed(seed)
        for module in fresh.modules():
            if isinstance(module, nn.Linear):
                module.reset_parameters()
        params = [p for p in fresh.parameters() if p.requires_grad]
        optimizer = make_optimizer(cfg, [{"params": params, "lr": float(cfg.lr or 1e-3), "name": "head"}])
        scheduler = make_scheduler(cfg, optimizer)
        generator = torch.Generator().manual_seed(seed)
        precision = Precision.for_device(x.device, cfg.amp)
        for _ in range(max(1, recipe.epochs)):
            train_head_epoch(fresh, (x, y), optimizer, criterion, precision, batch, generator, checkpoint)
            scheduler.step()
    return fresh.eval()


def out_of_fold_logits(
    head: nn.Sequential,
    features: np.ndarray,
    labels: np.ndarray,
    recipe: HeadRecipe,
    device: torch.device | None = None,
    folds: int = FOLDS,
    progress: Progress = no_progress,
    control: RunControl | None = None,
) -> np.ndarray:
    """One logit vector per training row, each from a head trained without that row's fold.

    Args:
        head: The run's head, dropout then linear (copied and re-initialised: its weights are not used).
        features: The training images' cached feature vectors, one row each.
        labels: Their classes (every class needs at least ``folds`` rows: see :func:`can_fold`).
        recipe: The run's configuration and kept epoch.
        device: Where to train the fold heads (the CPU when None).
        folds: How many folds.
        progress: Reports fold by fold.
        control: Cancels between steps.
    """
    device = device or torch.device("cpu")
    x = torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32)).to(device)
    y = torch.from_numpy(np.asarray(labels, dtype=np.int64)).to(device)
    fold = stratified_folds(labels, folds, recipe.config.seed)
    logits = np.zeros((len(labels), int(head[-1].out_features)), dtype=np.float32)
    for k in range(folds):
        progress(k, folds, OUT_OF_FOLD)
        held = torch.from_numpy(np.flatnonzero(fold == k)).to(device)
        kept = torch.from_numpy(np.flatnonzero(fold != k)).to(device)
        fitted = train_fresh_head(head, x[kept], y[kept], recipe, recipe.config.seed + k, control)
        with torch.no_grad():
            logits[held.cpu().numpy()] = fitted(x[held]).float().cpu().numpy()
    progress(folds, folds, OUT_OF_FOLD)
    return logits
