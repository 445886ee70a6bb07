"""Recommend a training strategy: measure how well pretrained backbones fit a dataset, then decide.

Similarity is measured, not guessed (:mod:`engine.recommend.measuring`); the measurements are
placed on the seeds' grid (:mod:`engine.recommend.rules`) and come with an expected accuracy range
and training times (:mod:`engine.recommend.estimates`). Nothing here imports Qt; :func:`recommend`
is meant to run off the GUI thread and honours a :class:`~engine.control.RunControl`.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from engine.config import DEFAULT_BACKBONE, TrainConfig
from engine.control import RunControl
from engine.data.scan import TRAIN, VAL, DatasetIndex, Sample
from engine.device import pick_device
from engine.errors import WeightsError
from engine.recommend.estimates import estimate_seconds, expected_accuracy
from engine.recommend.measuring import (
    StageProgress,
    candidate_backbones,
    decode_seconds,
    measure_backbone,
    sample_images,
    stack_probe,
)
from engine.recommend.rules import (
    DECENT_PROBE,
    DatasetSize,
    Measurement,
    choose_strategy,
    explain,
    pick_backbone,
    place_on_grid,
)
from engine.training.strategies import basic_auto_strategy


@dataclass(frozen=True)
class Recommendation:
    """A strategy, its backbone(s) and why, with the measurements behind it.

    Attributes:
        strategy: One of ``engine.config.STRATEGIES``.
        backbones: The backbone(s) to use (two or more only for ``stack``).
        k: Layer groups to keep frozen for ``partial``; None for the other strategies.
        reason: One or two plain sentences.
        expected_acc: ``(low, high)`` validation accuracy the strategy is expected to reach.
        scores: Per backbone, ``knn``, ``probe``, ``logme``, ``imagenet_confidence``, ``imagenet_entropy``.
        cell: ``("small" | "large", "similar" | "dissimilar")``.
        eta_seconds: Estimated training time per strategy on this machine.
        images_per_class: Training images per class.
        sample_size: Images measured.
        stack_probe: Probe accuracy of the concatenated features, when several backbones were measured.
        seconds: How long the measurement took.
    """

    strategy: str
    backbones: tuple[str, ...]
    k: int | None
    reason: str
    expected_acc: tuple[float, float]
    scores: dict[str, dict[str, float | None]]
    cell: tuple[str, str]
    eta_seconds: dict[str, float]
    images_per_class: float = 0.0
    sample_size: int = 0
    stack_probe: float | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tuples become lists)."""
        data = dataclasses.asdict(self)
        data["backbones"] = list(self.backbones)
        data["expected_acc"] = list(self.expected_acc)
        data["cell"] = list(self.cell)
        return data


def decide(
    size: DatasetSize, measures: Sequence[Measurement], stacked: float | None = None
) -> Recommendation:
    """Turn measurements into a recommendation (no I/O; what :func:`recommend` ends with)."""
    if not measures:
        raise ValueError("at least one backbone measurement is needed")
    best = pick_backbone(measures, fine_tune=False)
    cell = place_on_grid(size, best)
    strategy, chosen, k = choose_strategy(cell, size, measures, stacked)
    expected = expected_accuracy(strategy, cell, size, chosen[0], stacked)
    return Recommendation(
        strategy=strategy,
        backbones=tuple(m.name for m in chosen),
        k=k,
        reason=explain(strategy, size, chosen[0], k, stacked),
        expected_acc=expected,
        scores={m.name: _rounded(m.scores) for m in measures},
        cell=cell,
        eta_seconds=estimate_seconds(size, measures, chosen[0]),
        images_per_class=round(size.per_class, 1),
        sample_size=size.sample_size,
        stack_probe=None if stacked is None else round(stacked, 4),
    )


def _rounded(scores: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if v is None else round(float(v), 4) for k, v in scores.items()}


def recommend(
    index: DatasetIndex,
    backbones: Sequence[str] | None = None,
    sample_per_class: int = 60,
    progress: StageProgress | None = None,
    control: RunControl | None = None,
    seed: int = 0,
    device: str = "auto",
) -> Recommendation:
    """Measure the backbones on a sample of ``index`` and recommend a strategy.

    Args:
        index: The scanned dataset.
        backbones: Backbones to consider; default ``efficientnet_lite0`` plus up to three others
            whose weights are available offline.
        sample_per_class: Training images per class to embed (seeded sample).
        progress: ``progress(stage, done, total)``.
        control: Cancels between batches and stages.
        seed: Seeds the sample.
        device: Where to embed and time (``auto``, ``cpu``, ``cuda``...).

    Returns:
        The recommendation, with the scores behind it.

    Raises:
        WeightsError: If no candidate backbone's weights can be loaded offline.
        RunCancelled: If ``control`` was cancelled.
    """
    started = time.perf_counter()
    control = control or RunControl()
    report: StageProgress = progress or (lambda stage, done, total: None)
    samples = sample_images(index, sample_per_class, seed)
    measures = _measure_all(candidate_backbones(backbones), samples, pick_device(device), report, control)
    size = DatasetSize(
        len(index.subset(TRAIN)),
        len(index.subset(VAL)),
        len(index.classes),
        len(measures[0].kept),
        decode_seconds(samples, measures[0].name),
    )
    report("Recommending", 0, 1)
    rec = decide(size, measures, stack_probe([m for m in measures if m.accuracy >= DECENT_PROBE], samples))
    report("Recommending", 1, 1)
    return dataclasses.replace(rec, seconds=round(time.perf_counter() - started, 2))


def _measure_all(
    names: Sequence[str],
    samples: Sequence[Sample],
    device: torch.device,
    report: StageProgress,
    control: RunControl,
) -> list[Measurement]:
    """Measure each backbone in turn, leaving out (with a warning) those without usable weights.

    Raises:
        WeightsError: If no backbone could be measured.
        RunCancelled: If ``control`` was cancelled.
    """
    measures: list[Measurement] = []
    problems: list[str] = []
    for name in names:
        control.raise_if_cancelled()
        try:
            measures.append(measure_backbone(name, samples, device, report, control))
        except WeightsError as exc:
            problems.append(str(exc))
            # stacklevel 3: the warning points at the caller of recommend()
            warnings.warn(f"{name} left out of the recommendation: {exc}", stacklevel=3)
    if not measures:
        raise WeightsError("No backbone could be measured: " + " ".join(problems))
    return measures


def resolve_auto(
    config: TrainConfig,
    index: DatasetIndex,
    progress: StageProgress | None = None,
    control: RunControl | None = None,
) -> tuple[TrainConfig, str]:
    """Replace ``strategy="auto"`` by the recommendation among ``config.backbones``.

    Sets the strategy, the backbone(s) and, for ``partial``, ``freeze_k`` unless the user gave
    one. Without pretrained weights nothing can be measured, so the size rule decides.

    Returns:
        The new configuration and the reason, in plain words.
    """
    if not config.pretrained:
        strategy, reason = basic_auto_strategy(len(index.subset(TRAIN)), len(index.classes))
        backbones = config.backbones[:1] or (DEFAULT_BACKBONE,)
        return dataclasses.replace(config, strategy=strategy, backbones=backbones), reason
    rec = recommend(
        index,
        config.backbones or None,
        progress=progress,
        control=control,
        seed=config.seed,
        device=config.device,
    )
    freeze_k = config.freeze_k if config.freeze_k is not None else rec.k
    resolved = dataclasses.replace(config, strategy=rec.strategy, backbones=rec.backbones, freeze_k=freeze_k)
    return resolved, rec.reason
