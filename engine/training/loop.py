"""``fit``: from a dataset folder (or index) and a resolved config to a run folder with the best weights.

``fit`` never chooses the strategy: ``auto`` is resolved by whoever starts the run
(:func:`engine.runs.launch.start_run`), which passes the reason along to be recorded. Epochs are
counted from 1 in events, ``history.json`` and ``run.json``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
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
from engine.runs.checkpoints import load_run_model, read_training_state, restore_training
from engine.runs.evaluation import loss_and_accuracy, predictions_file
from engine.runs.files import PREDICTIONS, RunInfo, new_run_dir, now_iso
from engine.runs.manifest import write_manifest
from engine.runs.writer import RunWriter
from engine.training.early_stopping import EarlyStopping
from engine.training.optim import class_weights, make_optimizer, make_scheduler
from engine.training.pipelines import FeaturePipeline, ImagePipeline, Pipeline, ValPredictions
from engine.training.step import Precision, train_step
from engine.training.strategies import setup_strategy
from engine.trust.fit_run import calibrate_run

CANCELLED_MESSAGE = "cancelled by the user; the best weights so far are kept"


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
        self,
        config: TrainConfig,
        emit: CallbackList,
        control: RunControl,
        index: DatasetIndex | None,
        reason: str = "",
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
            progress=self.stage,
        )
        self.reason = reason
        self.finished = RunFinished(RunStatus.FAILED, "", 0, 0.0, 0, 0.0)  # replaced when the run ends
        self.config = self.config.resolved(on_cpu=self.device.type == "cpu")
        self.precision = Precision.for_device(self.device, self.config.amp)

    def stage(self, done: int, total: int, message: str) -> None:
        """Report a preparatory stage's progress (a ``Progress``); a cancel is honoured here too."""
        self.emit(StageChanged(message, done, total))
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
            strategy_requested="auto" if self.reason else cfg.strategy,
            strategy_reason=self.reason,
        )
        return RunWriter(run_dir, info, cfg.to_dict())

    def record_dataset(self, writer: RunWriter) -> None:
        """Write ``dataset.json``: the images this run trains on, so that the folder alone can rebuild it."""
        unreadable = write_manifest(writer.dir, self.index, self.stage, self.control)
        writer.info.skipped += [s.to_dict() for s in unreadable]

    def pipeline(self, model: TransferModel) -> Pipeline:
        train, val = self.index.subset(TRAIN), self.index.subset(VAL)
        if self.config.strategy in FEATURE_STRATEGIES:
            return FeaturePipeline(
                model,
                self.config,
                train,
                val,
                self.device,
                self.precision,
                self.stage,
                self.control,
            )
        return ImagePipeline(model, self.config, train, val, self.device, self.precision)

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
    pipeline: Pipeline,
    model: TransferModel,
    optimizer: torch.optim.Optimizer,
    criterion: nn.Module,
    epoch: int,
) -> tuple[float, float, float]:
    """One pass over the training data; returns loss, accuracy and images per second."""
    if isinstance(pipeline, FeaturePipeline):  # the head alone, on cached vectors: few Python steps
        return pipeline.train_epoch(optimizer, criterion, epoch, tr.checkpoint, tr.emit)
    set_train_mode(model, tr.setup.frozen)
    total_loss, correct, seen, step, start = 0.0, 0, 0, 0, time.perf_counter()
    for inputs, labels in pipeline.train_batches():
        tr.checkpoint(epoch, step)  # epoch: counted from 1
        loss, right = train_step(pipeline.module, inputs, labels, optimizer, criterion, tr.precision)
        n = len(labels)
        total_loss, correct, seen, step = total_loss + loss * n, correct + right, seen + n, step + 1
        rate, lr = seen / max(time.perf_counter() - start, 1e-9), optimizer.param_groups[-1]["lr"]
        tr.emit(BatchEnded(epoch, step, pipeline.steps_per_epoch, loss, lr, rate))
    elapsed = max(time.perf_counter() - start, 1e-9)
    return total_loss / max(seen, 1), correct / max(seen, 1), seen / elapsed


def _save_predictions(tr: _Trainer, writer: RunWriter, preds: ValPredictions, epoch: int) -> None:
    val = tr.index.subset(VAL)
    rows: list[dict[str, object]] = [
        {"path": val[r].path, "label": int(y), "probs": [round(float(p), 6) for p in probs]}
        for r, y, probs in zip(preds.rows, preds.labels, preds.probs, strict=True)
    ]
    writer.stage_json(PREDICTIONS, predictions_file(epoch, tr.index.classes, rows))


def _run_epochs(tr: _Trainer, model: TransferModel, pipeline: Pipeline, writer: RunWriter) -> str:
    cfg, info = tr.config, writer.info
    weights = class_weights(np.array([s.label for s in tr.index.subset(TRAIN)]), len(tr.index.classes))
    weights = weights if cfg.class_weights else None
    criterion = nn.CrossEntropyLoss(weight=None if weights is None else weights.to(tr.device))
    optimizer = make_optimizer(cfg, tr.setup.param_groups)
    scheduler = make_scheduler(cfg, optimizer)
    epochs, stale = int(cfg.epochs or 1), 0
    stopper = EarlyStopping(int(cfg.early_stopping or 0))
    info.stopped_early, info.stop_reason = False, ""  # of this session (a resumed run trains on)
    if tr.resume_state is not None:
        stale = restore_training(tr.resume_state, model, optimizer, scheduler)
        stopper.load_state_dict(tr.resume_state["training"].get("early_stopping"))
    for epoch in range((info.epochs_completed if cfg.resume else 0) + 1, epochs + 1):
        t0 = time.perf_counter()
        train_loss, train_acc, rate = _train_epoch(tr, pipeline, model, optimizer, criterion, epoch)
        pipeline.module.eval()
        preds = pipeline.predict_val(tr.control)
        w = None if weights is None else weights.numpy()
        val_loss, val_acc = loss_and_accuracy(preds.probs, preds.labels, w)
        lr = float(optimizer.param_groups[-1]["lr"])
        scheduler.step()
        info.epochs_completed = epoch
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
        if val_acc > info.best_val_acc or info.best_epoch < 1:
            info.best_epoch, info.best_val_acc, stale = epoch, val_acc, 0
            writer.save_weights(model, "best", epoch, val_acc)
            _save_predictions(tr, writer, preds, epoch)
            tr.emit(BestImproved(epoch, val_acc, val_loss))
        else:
            stale += 1
        if stopper.update(epoch, val_loss) and epoch < epochs:
            info.stopped_early, info.stop_reason = True, stopper.reason
            tr.control.request_stop(f"stopped early after epoch {epoch}: {stopper.reason}; best weights kept")
        training = {
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "stale": stale,
            "early_stopping": stopper.state_dict(),
        }
        writer.save_weights(model, "last", epoch, val_acc, training)
        writer.write_info()
        if tr.control.stop_reason:
            return tr.control.stop_reason
    return ""


def fit(
    config: TrainConfig,
    callbacks: Sequence[Callback] = (),
    control: RunControl | None = None,
    index: DatasetIndex | None = None,
    reason: str = "",
) -> RunFinished:
    """Train a model as described by ``config`` and keep its best validation weights.

    Runs in the calling thread and never touches Qt. Honours ``control`` before every batch:
    a cancel ends the run with ``RunStatus.CANCELLED``, keeping the best weights so far.

    Args:
        config: The training configuration; stored verbatim in the run folder. With ``resume``
            the run in ``out_dir`` continues from its last finished epoch (weights, optimizer,
            schedule and history), up to ``epochs`` in all.
        callbacks: Listeners called in order for every event (see ``engine.events``).
        control: Cancel/pause flags shared with another thread; a private one if omitted.
        index: A ready dataset index (the GUI's project, or a run's ``dataset.json``); scanned from
            ``config.data_dir`` if None. The images are recorded in the run folder's ``dataset.json``.
        reason: Why the strategy was chosen, when the starter resolved ``auto``; kept in ``run.json``.

    Returns:
        The :class:`RunFinished` event also sent to the callbacks: how the run ended, where its
        folder is and the best validation accuracy.

    Raises:
        DatasetError, ConfigError, WeightsError: Before the run folder exists, for bad input
            (``ConfigError`` for a strategy still ``auto``).
            A cancel before the run folder exists (while scanning or measuring) is not an error:
            the result says ``CANCELLED`` with an empty ``run_dir``.
        Exception: Any failure during training, after ``run.json`` recorded it as failed.
    """
    emit, control = CallbackList(callbacks), control or RunControl()
    started = time.perf_counter()
    try:
        tr = _Trainer(config, emit, control, index, reason)
        model = tr.build()
    except RunCancelled:
        return cancelled_before_start(config, emit, started)
    if tr.config.resume:  # refused before anything in the run folder changes
        tr.resume_state = read_training_state(str(tr.config.out_dir))
    writer = _reopen(tr) if tr.config.resume else tr.writer(model)
    info, status, message = writer.info, RunStatus.FAILED, ""
    tr.previous_seconds = info.seconds if tr.config.resume else 0.0
    pipeline: Pipeline | None = None
    try:
        if not tr.config.resume:
            tr.record_dataset(writer)
        pipeline = tr.pipeline(model)
        info.skipped = (
            sorted(({"path": p, "reason": r} for p, r in pipeline.skipped.items()), key=lambda d: d["path"])
            + info.skipped
        )
        emit(
            RunStarted(
                str(writer.dir.resolve()),
                tr.config.strategy,
                tuple(tr.config.backbones),
                info.device,
                int(tr.config.epochs or 0),
                pipeline.steps_per_epoch,
                info.train_images,
                info.val_images,
                tuple(tr.index.classes),
                info.strategy_reason,
            )
        )
        message = _run_epochs(tr, model, pipeline, writer)
        cached = pipeline.cached_embeddings() if isinstance(pipeline, FeaturePipeline) else None
        writer.flush(force=True)  # calibration reads best.pt and run.json from disk: no stale weights
        calibrate_run(writer.dir, tr.index.subset(TRAIN), tr.index.subset(VAL), tr.device, tr.stage,
                      tr.control, cached)
        status = RunStatus.COMPLETED
    except RunCancelled:
        status, message = RunStatus.CANCELLED, CANCELLED_MESSAGE
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _finish(tr, model, writer, status, message, pipeline.skipped if pipeline else {})
    return tr.finished  # set by _finish


def _reopen(tr: _Trainer) -> RunWriter:
    """Continue the run in ``out_dir``; images that changed or are gone since join its skipped list."""
    writer = RunWriter.reopen(str(tr.config.out_dir))
    known = {d["path"] for d in writer.info.skipped}
    writer.info.skipped += [s.to_dict() for s in tr.index.skipped if s.path not in known]
    return writer


def cancelled_before_start(config: TrainConfig, emit: CallbackList, started: float) -> RunFinished:
    """The result (and the last event) of a run cancelled before its folder was created."""
    seconds = round(time.perf_counter() - started, 3)
    message = "cancelled before training started; nothing was written"
    finished = RunFinished(
        RunStatus.CANCELLED, "", 0, 0.0, 0, seconds, message, (), config.strategy, tuple(config.backbones)
    )
    emit(finished)
    return finished


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
    listeners = tr.emit.summary()
    info.status, info.message = status.value, " ".join(m for m in (message or info.message, listeners) if m)
    info.seconds = round(tr.previous_seconds + time.perf_counter() - tr.started, 3)
    info.finished = now_iso()
    writer.flush(force=True)
    tr.finished = RunFinished(
        status,
        str(writer.dir.resolve()),
        info.best_epoch,
        info.best_val_acc,
        info.epochs_completed,
        info.seconds,
        info.message,
        tuple((d["path"], d["reason"]) for d in info.skipped),
        info.strategy,
        tuple(info.backbones),
        info.device,
        tr.reason or info.strategy_reason,
        info.created,
        tuple(getattr(tr.index, "warnings", ())),
        info.stopped_early,
        info.stop_reason,
    )
    tr.emit(tr.finished)
