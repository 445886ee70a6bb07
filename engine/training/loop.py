"""``fit``: from a dataset folder (or index) and a config to a run folder with the best weights."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from engine.callbacks import Callback, CallbackList
from engine.config import FEATURE_STRATEGIES, FROZEN_BACKBONE, TrainConfig
from engine.control import RunCancelled, RunControl
from engine.data.scan import TRAIN, VAL, DatasetIndex, scan_dataset
from engine.device import configure_threads, describe, pick_device
from engine.errors import RunError
from engine.events import (
    BatchEnded,
    BestImproved,
    EpochEnded,
    Paused,
    Resumed,
    RunFinished,
    RunStarted,
    RunStatus,
    StageChanged,
)
from engine.models.classifier import TransferModel, set_train_mode
from engine.models.registry import build_backbone, get_spec
from engine.recommend.recommender import resolve_auto
from engine.runs.folder import RunInfo, RunWriter, load_run_model, new_run_dir, now_iso, read_training_state
from engine.training.step import Precision, loss_and_accuracy, train_step
from engine.training.strategies import setup_strategy
from engine.training.tasks import FeatureTask, ImageTask, ValPredictions

PREDICTIONS = "val_predictions.json"


CANCELLED_MESSAGE = "cancelled by the user; the best weights so far are kept"


@dataclass
class RunResult:
    """How a run ended and where its files are."""

    status: RunStatus
    run_dir: str
    strategy: str
    backbones: list[str]
    device: str
    best_epoch: int
    best_val_acc: float
    epochs_completed: int
    seconds: float
    skipped: list[dict[str, str]] = field(default_factory=list)
    message: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary (the CLI's ``--json`` line)."""
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        return data


def class_weights(labels: np.ndarray, num_classes: int) -> torch.Tensor | None:
    """Inverse-frequency weights (mean 1) when classes are imbalanced by more than 1.5x, else None."""
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    present = counts[counts > 0]
    if len(present) == 0 or present.max() <= 1.5 * present.min():
        return None
    weights = np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / num_classes, 0.0)
    return torch.tensor(weights / weights[counts > 0].mean(), dtype=torch.float32)


def _optimizer(config: TrainConfig, groups: list[dict[str, object]]) -> torch.optim.Optimizer:
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            groups, lr=config.lr or 1e-3, momentum=config.momentum, weight_decay=config.weight_decay
        )
    return torch.optim.AdamW(groups, lr=config.lr or 1e-3, weight_decay=config.weight_decay)


def _scheduler(config: TrainConfig, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler:
    if config.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, config.step_size, config.gamma)
    if config.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, int(config.epochs or 1)))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)


def _init_head_from(model: TransferModel, config: TrainConfig, classes: list[str]) -> None:
    """Continue from an earlier run's head (the seeds' scenarios: linear/features, then partial)."""
    earlier, info = load_run_model(config.init_from or "")
    if list(info.backbones) != list(config.backbones) or list(info.classes) != classes:
        raise RunError(
            f"{config.init_from}: that run used backbones {info.backbones} and classes {info.classes}; "
            f"this one uses {list(config.backbones)} and {classes}, so its head cannot be reused"
        )
    model.head.load_state_dict(earlier.head.state_dict())
    for mine, theirs, frozen in zip(model.backbones, earlier.backbones, info.frozen_backbones, strict=True):
        if not frozen:
            mine.load_state_dict(theirs.state_dict())


class _Trainer:
    """One run's state; ``fit`` is the public entry point."""

    def __init__(
        self, config: TrainConfig, emit: CallbackList, control: RunControl, index: DatasetIndex | None
    ) -> None:
        self.started = time.perf_counter()
        self.previous_seconds = 0.0  # of the earlier sessions of a resumed run
        self.resume_state: dict[str, Any] | None = None  # last.pt of the run being resumed
        self.emit, self.control = emit, control
        self.config = config.check()
        configure_threads(config.threads)
        self.device = pick_device(config.device)
        torch.manual_seed(config.seed)
        self.index = index or scan_dataset(
            config.data_dir,
            config.val_fraction,
            config.seed,
            progress=lambda d, t: self.stage("Checking images", d, t),
        )
        self.reason = ""
        if config.strategy == "auto":
            self.config, self.reason = resolve_auto(
                self.config, self.index, self.stage, control
            )
        self.config = self.config.resolved(on_cpu=self.device.type == "cpu")
        self.precision = Precision.for_device(self.device, self.config.amp)

    def stage(self, name: str, done: int, total: int) -> None:
        """Report a preparatory stage's progress; a cancel is honoured here too."""
        self.emit(StageChanged(name, done, total))
        self.control.raise_if_cancelled()

    def build(self) -> TransferModel:
        cfg = self.config
        specs = [get_spec(name) for name in cfg.backbones]
        backbones = [build_backbone(name, pretrained=cfg.pretrained) for name in cfg.backbones]
        model = TransferModel(backbones, [s.feature_dim for s in specs], len(self.index.classes))
        if cfg.init_from:
            _init_head_from(model, cfg, self.index.classes)
        self.setup = setup_strategy(model, cfg)
        model = model.to(self.device)
        if cfg.channels_last and cfg.strategy not in FEATURE_STRATEGIES:
            model = model.to(memory_format=torch.channels_last)
        return model

    def writer(self, model: TransferModel) -> RunWriter:
        cfg = self.config
        run_dir = Path(cfg.out_dir) if cfg.out_dir else new_run_dir(Path("runs"), cfg.strategy)
        run_dir.mkdir(parents=True, exist_ok=True)
        frozen = cfg.strategy in FROZEN_BACKBONE and cfg.pretrained
        info = RunInfo(
            strategy=cfg.strategy,
            backbones=list(cfg.backbones),
            classes=list(self.index.classes),
            preprocess=[get_spec(n).preprocess.to_dict() for n in cfg.backbones],
            feature_dims=[get_spec(n).feature_dim for n in cfg.backbones],
            frozen_backbones=[frozen] * len(cfg.backbones),
            pretrained=cfg.pretrained,
            data_dir=str(cfg.data_dir),
            device=describe(self.device),
            train_images=len(self.index.subset(TRAIN)),
            val_images=len(self.index.subset(VAL)),
            skipped=[s.to_dict() for s in self.index.skipped],
            message=self.reason,
        )
        return RunWriter(run_dir, info, cfg.to_dict())

    def task(self, model: TransferModel) -> FeatureTask | ImageTask:
        train, val = self.index.subset(TRAIN), self.index.subset(VAL)
        if self.config.strategy in FEATURE_STRATEGIES:
            return FeatureTask(
                model,
                self.config,
                train,
                val,
                self.device,
                self.precision,
                self.stage,
                self.control,
            )
        return ImageTask(model, self.config, train, val, self.device, self.precision)

    def checkpoint(self, epoch: int, step: int) -> None:
        """Cancel and pause are honoured here, before every step."""
        self.control.raise_if_cancelled()
        if self.control.pause_requested:
            self.emit(Paused(epoch, step))
            self.control.wait_while_paused()
            self.control.raise_if_cancelled()
            self.emit(Resumed(epoch, step))


def _train_epoch(
    tr: _Trainer,
    task: FeatureTask | ImageTask,
    model: TransferModel,
    optimizer: torch.optim.Optimizer,
    criterion: nn.Module,
    epoch: int,
) -> tuple[float, float, float]:
    """One pass over the training data; returns loss, accuracy and images per second."""
    set_train_mode(model, tr.setup.frozen)
    total_loss, correct, seen, step, start = 0.0, 0, 0, 0, time.perf_counter()
    for inputs, labels in task.train_batches():
        tr.checkpoint(epoch, step)
        loss, right = train_step(task.module, inputs, labels, optimizer, criterion, tr.precision)
        n = len(labels)
        total_loss, correct, seen, step = total_loss + loss * n, correct + right, seen + n, step + 1
        rate = seen / max(time.perf_counter() - start, 1e-9)
        tr.emit(BatchEnded(epoch, step, task.steps_per_epoch, loss, optimizer.param_groups[-1]["lr"], rate))
    elapsed = max(time.perf_counter() - start, 1e-9)
    return total_loss / max(seen, 1), correct / max(seen, 1), seen / elapsed


def _save_predictions(tr: _Trainer, writer: RunWriter, preds: ValPredictions, epoch: int) -> None:
    val = tr.index.subset(VAL)
    rows = [
        {"path": val[r].path, "label": int(y), "probs": [round(float(p), 6) for p in probs]}
        for r, y, probs in zip(preds.rows, preds.labels, preds.probs, strict=True)
    ]
    writer.stage_json(PREDICTIONS, {"epoch": epoch, "classes": tr.index.classes, "rows": rows})


def _run_epochs(tr: _Trainer, model: TransferModel, task: FeatureTask | ImageTask, writer: RunWriter) -> str:
    cfg, info = tr.config, writer.info
    weights = class_weights(np.array([s.label for s in tr.index.subset(TRAIN)]), len(tr.index.classes))
    weights = weights if cfg.class_weights else None
    criterion = nn.CrossEntropyLoss(weight=None if weights is None else weights.to(tr.device))
    optimizer = _optimizer(cfg, tr.setup.param_groups)
    scheduler = _scheduler(cfg, optimizer)
    epochs, stale = int(cfg.epochs or 1), 0
    if tr.resume_state is not None:
        stale = _restore_training(tr.resume_state, model, optimizer, scheduler)
    for epoch in range(info.epochs_completed if cfg.resume else 0, epochs):
        t0 = time.perf_counter()
        train_loss, train_acc, rate = _train_epoch(tr, task, model, optimizer, criterion, epoch)
        model.eval()
        preds = task.predict_val(tr.control)
        w = None if weights is None else weights.numpy()
        val_loss, val_acc = loss_and_accuracy(preds.probs, preds.labels, w)
        lr = float(optimizer.param_groups[-1]["lr"])
        scheduler.step()
        info.epochs_completed = epoch + 1
        writer.add_epoch(
            {
                "epoch": epoch,
                "train_loss": train_loss,
                "train_acc": train_acc,
                "val_loss": val_loss,
                "val_acc": val_acc,
                "lr": lr,
                "seconds": time.perf_counter() - t0,
                "images_per_s": rate,
            }
        )
        tr.emit(
            EpochEnded(
                epoch, epochs, train_loss, train_acc, val_loss, val_acc, lr, time.perf_counter() - t0, rate
            )
        )
        if val_acc > info.best_val_acc or info.best_epoch < 0:
            info.best_epoch, info.best_val_acc, stale = epoch, val_acc, 0
            writer.save_weights(model, "best", epoch, val_acc)
            _save_predictions(tr, writer, preds, epoch)
            tr.emit(BestImproved(epoch, val_acc, val_loss))
        else:
            stale += 1
        training = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "stale": stale}
        writer.save_weights(model, "last", epoch, val_acc, training)
        writer.write_info()
        if cfg.early_stopping and stale >= cfg.early_stopping:
            tr.control.request_stop(f"no improvement for {stale} epochs")
        if tr.control.stop_reason:
            return tr.control.stop_reason
    return ""


def _restore_training(
    state: dict[str, Any],
    model: TransferModel,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> int:
    """Load ``last.pt``'s state into the model, optimizer and schedule; return epochs without improvement."""
    model.head.load_state_dict(state["head"])
    for backbone, saved in zip(model.backbones, state["backbones"], strict=True):
        if saved is not None:
            backbone.load_state_dict(saved)
    optimizer.load_state_dict(state["training"]["optimizer"])
    scheduler.load_state_dict(state["training"]["scheduler"])
    return int(state["training"].get("stale", 0))


def fit(
    config: TrainConfig,
    callbacks: Sequence[Callback] = (),
    control: RunControl | None = None,
    index: DatasetIndex | None = None,
) -> RunResult:
    """Train a model as described by ``config`` and keep its best validation weights.

    Runs in the calling thread and never touches Qt. Honours ``control`` before every batch:
    a cancel ends the run with ``RunStatus.CANCELLED``, keeping the best weights so far.

    Args:
        config: The training configuration; stored verbatim in the run folder. With ``resume``
            the run in ``out_dir`` continues from its last finished epoch (weights, optimizer,
            schedule and history), up to ``epochs`` in all.
        callbacks: Listeners called in order for every event (see ``engine.events``).
        control: Cancel/pause flags shared with another thread; a private one if omitted.
        index: A ready dataset index (the GUI's project); scanned from ``config.data_dir`` if None.

    Returns:
        How the run ended, where its folder is and the best validation accuracy.

    Raises:
        DatasetError, ConfigError, WeightsError: Before the run folder exists, for bad input.
            A cancel before the run folder exists (while scanning or measuring) is not an error:
            the result says ``CANCELLED`` with an empty ``run_dir``.
        Exception: Any failure during training, after ``run.json`` recorded it as failed.
    """
    emit, control = CallbackList(callbacks), control or RunControl()
    started = time.perf_counter()
    try:
        tr = _Trainer(config, emit, control, index)
        model = tr.build()
    except RunCancelled:
        return _cancelled_before_start(config, emit, started)
    if tr.config.resume:  # refused before anything in the run folder changes
        tr.resume_state = read_training_state(str(tr.config.out_dir))
    writer = RunWriter.reopen(tr.config.out_dir) if tr.config.resume else tr.writer(model)
    info, status, message = writer.info, RunStatus.FAILED, ""
    tr.previous_seconds = info.seconds if tr.config.resume else 0.0
    task: FeatureTask | ImageTask | None = None
    try:
        task = tr.task(model)
        info.skipped = (
            sorted(({"path": p, "reason": r} for p, r in task.skipped.items()), key=lambda d: d["path"])
            + info.skipped
        )
        emit(
            RunStarted(
                str(writer.dir),
                tr.config.strategy,
                tuple(tr.config.backbones),
                info.device,
                int(tr.config.epochs or 0),
                task.steps_per_epoch,
                info.train_images,
                info.val_images,
                tuple(tr.index.classes),
            )
        )
        message = _run_epochs(tr, model, task, writer)
        status = RunStatus.COMPLETED
    except RunCancelled:
        status, message = RunStatus.CANCELLED, CANCELLED_MESSAGE
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _finish(tr, model, writer, status, message, task.skipped if task else {})
    return _result(tr, writer, status, message)


def _cancelled_before_start(config: TrainConfig, emit: CallbackList, started: float) -> RunResult:
    """The result (and the last event) of a run cancelled before its folder was created."""
    seconds = round(time.perf_counter() - started, 3)
    message = "cancelled before training started; nothing was written"
    emit(RunFinished(RunStatus.CANCELLED, "", -1, 0.0, 0, seconds, message, ()))
    return RunResult(
        RunStatus.CANCELLED, "", config.strategy, list(config.backbones), "", -1, 0.0, 0, seconds, [], message
    )


def _finish(
    tr: _Trainer,
    model: TransferModel,
    writer: RunWriter,
    status: RunStatus,
    message: str,
    skipped: dict[str, str],
) -> None:
    info = writer.info  # last.pt was saved at the end of every epoch
    merged = {d["path"]: d for d in info.skipped}
    merged.update({p: {"path": p, "reason": r} for p, r in skipped.items()})
    info.skipped = sorted(merged.values(), key=lambda d: d["path"])
    info.status, info.message = status.value, message or info.message
    info.seconds = round(tr.previous_seconds + time.perf_counter() - tr.started, 3)
    info.finished = now_iso()
    writer.flush(force=True)
    tr.emit(
        RunFinished(
            status,
            str(writer.dir),
            info.best_epoch,
            info.best_val_acc,
            info.epochs_completed,
            info.seconds,
            info.message,
            tuple((d["path"], d["reason"]) for d in info.skipped),
        )
    )


def _result(tr: _Trainer, writer: RunWriter, status: RunStatus, message: str) -> RunResult:
    info = writer.info
    return RunResult(
        status,
        str(writer.dir.resolve()),
        info.strategy,
        info.backbones,
        info.device,
        info.best_epoch,
        info.best_val_acc,
        info.epochs_completed,
        info.seconds,
        info.skipped,
        message,
        tr.reason,
    )
