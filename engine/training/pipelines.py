"""Training pipelines: what an epoch iterates over, decoded images or cached features.

Decoded images serve ``linear``, ``partial``, ``full`` and ``scratch``; cached features serve
``features`` and ``stack``. "Pipeline", never "task": a task is the GUI's background work
(see docs/GLOSSARY.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from engine.config import TrainConfig
from engine.control import RunControl
from engine.data.loading import ImageSamples, make_loader
from engine.data.scan import Sample
from engine.data.transforms import EvalTransform, train_transform
from engine.events import BatchEnded, Event
from engine.features.extraction import (
    FeatureSet,
    extract_features,
    extraction_precision,
    make_extractor,
    module_digest,
    open_store,
)
from engine.models.classifier import TransferModel
from engine.models.registry import get_spec
from engine.progress import Progress, relabelled
from engine.training.head_fit import threads_for, train_head_epoch
from engine.training.step import Precision, predict_batch
from engine.trust.fit_run import CachedEmbeddings


@dataclass
class ValPredictions:
    """Validation probabilities, with the sample rows they belong to."""

    probs: np.ndarray
    labels: np.ndarray
    rows: list[int]


@dataclass
class ImagePipeline:
    """Batches of decoded, augmented images for the strategies that see pixels while training."""

    model: TransferModel
    config: TrainConfig
    train: Sequence[Sample]
    val: Sequence[Sample]
    device: torch.device
    precision: Precision
    skipped: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        spec = get_spec(self.config.backbones[0]).preprocess
        workers = self.config.num_workers
        if workers is None:
            workers = min(4, max(1, (os.cpu_count() or 1)))
        pin = self.device.type == "cuda"
        batch = int(self.config.batch_size or 32)
        self._train = make_loader(
            ImageSamples(self.train, train_transform(spec, self.config.augment or "none")),
            batch,
            True,
            workers,
            self.config.seed,
            pin,
        )
        self._val = make_loader(ImageSamples(self.val, EvalTransform(spec)), batch, False, workers, 0, pin)
        self.module: nn.Module = self.model
        self.steps_per_epoch = len(self._train)

    def _to_device(self, x: torch.Tensor) -> torch.Tensor:
        x = x.to(self.device, non_blocking=True)
        return x.contiguous(memory_format=torch.channels_last) if self.config.channels_last else x

    def train_batches(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Yield ``(images, labels)`` on the device, skipping (and recording) bad files."""
        for batch in self._train:
            self.skipped.update(dict(batch.skipped))
            if len(batch.labels):
                yield self._to_device(batch.images), batch.labels.to(self.device)

    def predict_val(self, control: RunControl) -> ValPredictions:
        """Probabilities for every readable validation image."""
        probs, labels, rows = [], [], []
        for batch in self._val:
            control.raise_if_cancelled()
            self.skipped.update(dict(batch.skipped))
            if len(batch.labels):
                probs.append(predict_batch(self.model, self._to_device(batch.images), self.precision).cpu())
                labels.append(batch.labels)
                rows.extend(batch.indices.tolist())
        return _stack(probs, labels, rows, len(self.model.head[-1].weight))


def _stack(probs: list[torch.Tensor], labels: list[torch.Tensor], rows: list[int], n: int) -> ValPredictions:
    if not probs:
        return ValPredictions(np.zeros((0, n), np.float32), np.zeros(0, np.int64), [])
    return ValPredictions(torch.cat(probs).numpy(), torch.cat(labels).numpy(), rows)


@dataclass
class FeaturePipeline:
    """Cached feature vectors (one backbone, or several concatenated) for head-only training."""

    model: TransferModel
    config: TrainConfig
    train: Sequence[Sample]
    val: Sequence[Sample]
    device: torch.device
    precision: Precision
    stage: Progress
    control: RunControl
    skipped: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        views = 1 + max(0, self.config.cache_augmented_views)
        train_sets = [self._features(self.train, view, "training") for view in range(views)]
        val_set = self._features(self.val, 0, "validation")
        # the whole feature matrix lives on the device as one tensor for the run
        self._plain_rows = len(train_sets[0][1])  # the un-augmented view comes first
        self._train_x = torch.from_numpy(np.concatenate([s[0] for s in train_sets])).to(self.device)
        self._train_y = torch.from_numpy(np.concatenate([s[1] for s in train_sets])).to(self.device)
        self._val_x = torch.from_numpy(val_set[0]).to(self.device)
        self._val_y, self._val_rows = val_set[1], val_set[2]
        self.module: nn.Module = self.model.head.to(self.device)
        self.batch_size = int(self.config.batch_size or 64)
        self._multiply_adds_per_row = sum(p.numel() for p in self.module.parameters())  # a linear head
        self.steps_per_epoch = max(1, -(-len(self._train_y) // self.batch_size))
        self._generator = torch.Generator().manual_seed(self.config.seed)

    def _features(
        self, samples: Sequence[Sample], view: int, what: str
    ) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """Concatenate every backbone's vectors for the samples all backbones could read."""
        sets: list[FeatureSet] = []
        threads = torch.get_num_threads()
        for name, backbone in zip(self.config.backbones, self.model.backbones, strict=True):
            spec = get_spec(name).preprocess
            precision = extraction_precision(self.device, self.config.feature_engine)  # make_extractor's
            store, prefix = open_store(name, module_digest(backbone), spec, precision)
            try:
                sets.append(
                    extract_features(
                        samples,
                        store,
                        prefix,
                        lambda b=backbone, n=name, s=spec: make_extractor(
                            n, b, s, self.device, self.config.feature_engine, threads
                        ),
                        spec,
                        view,
                        batch_size=32,
                        progress=relabelled(self.stage, f"Computing {what} features ({name})"),
                        control=self.control,
                    )
                )
            finally:
                store.close()
        for fs in sets:
            self.skipped.update(dict(fs.skipped))
        common = sorted(set.intersection(*(set(fs.kept) for fs in sets)))
        positions = [{row: pos for pos, row in enumerate(fs.kept)} for fs in sets]
        parts = [fs.vectors[[pos[i] for i in common]] for fs, pos in zip(sets, positions, strict=True)]
        x = np.concatenate(parts, axis=1) if common else np.zeros((0, self.model.feature_dim), np.float32)
        y = np.array([samples[i].label for i in common], dtype=np.int64)
        return x.astype(np.float32), y, common

    def train_epoch(
        self,
        optimizer: torch.optim.Optimizer,
        criterion: nn.Module,
        epoch: int,
        checkpoint: Callable[[int, int], None],
        emit: Callable[[Event], None],
    ) -> tuple[float, float, float]:
        """Train the head for one epoch (see :mod:`engine.training.head_fit`); one ``BatchEnded`` at its end.

        Returns:
            Mean training loss, training accuracy and vectors per second.
        """
        with threads_for(self.batch_size * self._multiply_adds_per_row):
            loss, acc, rate = train_head_epoch(
                self.module,
                (self._train_x, self._train_y),
                optimizer,
                criterion,
                self.precision,
                self.batch_size,
                self._generator,
                lambda step: checkpoint(epoch, step),
            )
        lr = float(optimizer.param_groups[-1]["lr"])
        emit(BatchEnded(epoch, self.steps_per_epoch, self.steps_per_epoch, loss, lr, rate))
        return loss, acc, rate

    def cached_embeddings(self) -> CachedEmbeddings:
        """The cached vectors as the network's embedding (frozen backbone): calibration reuses them."""
        plain = slice(0, self._plain_rows)
        return CachedEmbeddings(
            self._val_x.cpu().numpy(), np.asarray(self._val_y), list(self._val_rows),
            self._train_x[plain].cpu().numpy(), self._train_y[plain].cpu().numpy(),
        )

    def predict_val(self, control: RunControl) -> ValPredictions:
        """Probabilities of the head on the cached validation vectors."""
        control.raise_if_cancelled()
        with threads_for(len(self._val_x) * self._multiply_adds_per_row):
            probs = predict_batch(self.module, self._val_x, self.precision).cpu().numpy()
        return ValPredictions(probs, self._val_y, list(self._val_rows))


Pipeline = ImagePipeline | FeaturePipeline
