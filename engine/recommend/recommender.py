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
from dataclasses import dataclass, field
from typing import Any

import torch

from engine.config import FROZEN_BACKBONE
from engine.control import RunControl
from engine.data.scan import TRAIN, VAL, DatasetIndex, Sample
from engine.device import pick_device
from engine.errors import WeightsError
from engine.progress import Progress, no_progress
from engine.recommend.estimates import forecasts
from engine.recommend.forecast import TITLES, Forecast, choose, cost_sentence
from engine.recommend.measuring import (
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
    partial_k,
    pick_backbone,
    place_on_grid,
)


@dataclass(frozen=True)
class Recommendation:
    """A strategy, its backbone(s) and why, with the measurements and forecasts behind it.

    Attributes:
        strategy: One of ``engine.config.STRATEGIES``.
        backbones: The backbone(s) to use (two or more only for ``stack``).
        k: Layer groups to keep frozen for ``partial``; None for the other strategies.
        reason: Two or three plain sentences: what was measured and what a slower choice would add.
        expected_acc: ``(low, high)``: the central 80% range of the validation accuracy.
        scores: Per backbone, ``knn``, ``probe``, ``logme``, ``imagenet_confidence``, ``imagenet_entropy``.
        cell: ``("small" | "large", "similar" | "dissimilar")``: the grid's explanation.
        eta_seconds: Estimated training time per strategy on this machine.
        images_per_class: Training images per class.
        sample_size: Images measured.
        stack_probe: Probe accuracy of the concatenated features, when several backbones were measured.
        seconds: How long the measurement took.
        strategies: Per strategy, ``expected_acc`` ``[low, high]``, ``expected_seconds``,
            ``most_likely_acc`` and whether it was ``measured`` (see :class:`Forecast`).
        grid_strategy: What the size x similarity grid alone would have chosen.
        goal: ``fastest-good`` or ``most-accurate``.
        time_budget: The seconds the user allowed, if any.
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
    strategies: dict[str, dict[str, Any]] = field(default_factory=dict)
    grid_strategy: str = ""
    goal: str = "fastest-good"
    time_budget: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tuples become lists)."""
        data = dataclasses.asdict(self)
        data["backbones"] = list(self.backbones)
        data["expected_acc"] = list(self.expected_acc)
        data["cell"] = list(self.cell)
        return data

    def forecasts(self) -> dict[str, Forecast]:
        """:attr:`strategies` read back as :class:`Forecast` values."""
        return {name: Forecast.from_dict(name, data) for name, data in self.strategies.items()}


def decide(
    size: DatasetSize,
    measures: Sequence[Measurement],
    stacked: float | None = None,
    goal: str = "fastest-good",
    time_budget: float | None = None,
    measured_gain: dict[str, float] | None = None,
) -> Recommendation:
    """Turn measurements into a recommendation (no I/O; what :func:`recommend` ends with).

    Every strategy gets an accuracy range and a time (:mod:`engine.recommend.estimates`); the
    recommendation is :func:`engine.recommend.forecast.choose`'s pick for ``goal`` within
    ``time_budget``. The grid's cell and choice are kept as the explanation.

    Args:
        size: The dataset's counts.
        measures: One measurement per backbone.
        stacked: Probe accuracy of the backbones' concatenated features.
        goal: ``fastest-good`` or ``most-accurate``.
        time_budget: Seconds the training may take, if bounded.
        measured_gain: Per fine-tuning strategy, a measured accuracy gain over the head (``auto``).
    """
    if not measures:
        raise ValueError("at least one backbone measurement is needed")
    head = pick_backbone(measures, fine_tune=False)
    tune = pick_backbone(measures, fine_tune=True)
    cell = place_on_grid(size, head)
    grid_strategy, grid_chosen, _ = choose_strategy(cell, size, measures, stacked)
    use_stack = grid_strategy == "stack"
    table = forecasts(cell, size, measures, head, stacked if use_stack else None, measured_gain)
    table.update(
        {n: f for n, f in forecasts(cell, size, measures, tune, None, measured_gain).items()
         if n not in FROZEN_BACKBONE}
    )
    pick = choose(table, goal, time_budget)
    strategy = pick.strategy
    chosen = grid_chosen if strategy == "stack" else [head if strategy in FROZEN_BACKBONE else tune]
    k = partial_k(tune.groups, tune, size) if strategy == "partial" else None
    reason = _reason(strategy, grid_strategy, size, chosen[0], k, stacked, pick, table, time_budget)
    return Recommendation(
        strategy=strategy,
        backbones=tuple(m.name for m in chosen),
        k=k,
        reason=reason,
        expected_acc=(pick.low, pick.high),
        scores={m.name: _rounded(m.scores) for m in measures},
        cell=cell,
        eta_seconds={name: f.seconds for name, f in table.items()},
        images_per_class=round(size.per_class, 1),
        sample_size=size.sample_size,
        stack_probe=None if stacked is None else round(stacked, 4),
        strategies={name: f.to_dict() for name, f in table.items()},
        grid_strategy=grid_strategy,
        goal=goal,
        time_budget=time_budget,
    )


def _reason(
    strategy: str,
    grid_strategy: str,
    size: DatasetSize,
    best: Measurement,
    k: int | None,
    stacked: float | None,
    pick: Forecast,
    table: dict[str, Forecast],
    time_budget: float | None,
) -> str:
    """What was measured, what the choice should reach, and what a slower one would add."""
    cost = cost_sentence(pick, table, time_budget)
    if strategy == grid_strategy:
        return f"{explain(strategy, size, best, k, stacked)} {cost}"
    title = TITLES.get(strategy, strategy)
    return (
        f"Unchanged, the network sorted {best.accuracy:.0%} of a sample correctly; {title} is expected "
        f"to reach {pick.low:.0%} to {pick.high:.0%} on your validation images. {cost} "
        f"(The size x similarity grid alone would suggest {TITLES.get(grid_strategy, grid_strategy)}.)"
    )


def _rounded(scores: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if v is None else round(float(v), 4) for k, v in scores.items()}


@dataclass(frozen=True)
class Measured:
    """Everything :func:`measure` found: what :func:`decide` needs, and the sample for ``auto``."""

    size: DatasetSize
    measures: list[Measurement]
    samples: list[Sample]
    stacked: float | None
    seconds: float


def measure(
    index: DatasetIndex,
    backbones: Sequence[str] | None = None,
    sample_per_class: int = 60,
    progress: Progress | None = None,
    control: RunControl | None = None,
    seed: int = 0,
    device: str = "auto",
    threads: int | None = None,
) -> Measured:
    """Embed a seeded sample of ``index`` with each backbone, score and time it (see :func:`recommend`)."""
    started = time.perf_counter()
    control = control or RunControl()
    report = progress or no_progress
    samples = sample_images(index, sample_per_class, seed)
    chosen = set(samples)
    others = [s for s in index.samples if s not in chosen]
    measures = _measure_all(
        candidate_backbones(backbones), samples, pick_device(device), report, control, others, threads
    )
    size = DatasetSize(
        len(index.subset(TRAIN)),
        len(index.subset(VAL)),
        len(index.classes),
        len(measures[0].kept),
        decode_seconds(samples, measures[0].name),
    )
    stacked = stack_probe([m for m in measures if m.accuracy >= DECENT_PROBE], samples)
    return Measured(size, measures, samples, stacked, time.perf_counter() - started)


def recommend(
    index: DatasetIndex,
    backbones: Sequence[str] | None = None,
    sample_per_class: int = 60,
    progress: Progress | None = None,
    control: RunControl | None = None,
    seed: int = 0,
    device: str = "auto",
    goal: str = "fastest-good",
    time_budget: float | None = None,
    threads: int | None = None,
) -> Recommendation:
    """Measure the backbones on a sample of ``index`` and recommend a strategy.

    Args:
        index: The scanned dataset.
        backbones: Backbones to consider; default ``efficientnet_lite0`` plus up to three others
            whose weights are available offline.
        sample_per_class: Training images per class to embed (seeded sample).
        progress: Reports each stage of the measuring.
        control: Cancels between batches and stages.
        seed: Seeds the sample.
        device: Where to embed and time (``auto``, ``cpu``, ``cuda``...).
        goal: ``fastest-good`` (the cheapest within a point of the best) or ``most-accurate``.
        time_budget: Seconds the training may take; slower strategies are not recommended.
        threads: The torch threads the run will use (default every core): the passes are timed with them.

    Returns:
        The recommendation, with the scores and per-strategy forecasts behind it.

    Raises:
        WeightsError: If no candidate backbone's weights can be loaded offline.
        RunCancelled: If ``control`` was cancelled.
    """
    found = measure(index, backbones, sample_per_class, progress, control, seed, device, threads)
    report = progress or no_progress
    report(0, 1, "Recommending")
    rec = decide(found.size, found.measures, found.stacked, goal, time_budget)
    report(1, 1, "Recommending")
    return dataclasses.replace(rec, seconds=round(found.seconds, 2))


def _measure_all(
    names: Sequence[str],
    samples: Sequence[Sample],
    device: torch.device,
    report: Progress,
    control: RunControl,
    others: Sequence[Sample] = (),
    threads: int | None = None,
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
            measures.append(measure_backbone(name, samples, device, report, control, others, threads))
        except WeightsError as exc:
            problems.append(str(exc))
            # stacklevel 3: the warning points at the caller of recommend()
            warnings.warn(f"{name} left out of the recommendation: {exc}", stacklevel=3)
    if not measures:
        raise WeightsError("No backbone could be measured: " + " ".join(problems))
    return measures
