"""How long a run takes: the measured steady-state passes times what the run really does.

What a run does (:mod:`engine.training.loop`), counted per strategy:

* image strategies (``linear``, ``partial``, ``full``, ``scratch``): building the network, the
  first steps' warm-up, then every epoch a training pass over the decoded and augmented training
  images, a validation pass and the checkpoint writes (``last.pt`` with the optimiser state,
  ``best.pt`` when the accuracy improved); after the last epoch, calibration passes the
  validation and training images through the network once more;
* frozen-feature strategies (``features``, ``stack``): building the backbone(s), one extraction
  of the images not cached yet (per backbone), a head fitted on the vectors (early stopping's
  expected stop) and a calibration on the cached vectors.

The passes are timed by :func:`engine.recommend.pass_timer.time_passes` the way the run makes them
(its batch size, thread count and memory format, steady state after a warm-up; calibration's pass
as calibration makes it) and under the machine's load at that moment, so a steady competing
program slows the estimate as it slows the run; decoding is counted in CPU time, which the
loader's workers take from the network whatever the load. Torch-free.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from engine.config import DEFAULTS, FEATURE_STRATEGIES, IMAGE_STRATEGIES
from engine.recommend.passes import PassTimes
from engine.recommend.rules import DECENT_PROBE, DatasetSize, Measurement, partial_k

RUN_OVERHEAD_S = 1.0  # the run folder, dataset.json, run.json and the report (2 cores, quiet: ~1 s)
HEAD_EPOCHS_EXPECTED = 30  # a head on features with early stopping usually stops by then
FEATURE_EPOCH_S_PER_IMAGE = 2e-5  # a head epoch on cached vectors (a few small matrix products)
HEAD_EPOCH_OVERHEAD_S = 0.01  # per head epoch: validation, history, the head's checkpoints
LINEAR_STEP = 1.05  # a frozen backbone's training step: its forward pass, and the head's backward
CALIBRATION_JUNK = 12  # generated images calibration also passes through the network
REFERENCE_CAP = 5000  # training images calibration embeds at most (engine.trust.novelty)
BEST_SAVES = 0.5  # share of the epochs whose validation accuracy improves (``best.pt`` written)
# New batch shapes (a full batch and the last, smaller one, for training and for validation)
# each pay the first call's warm-up once.
BATCH_SHAPES = 2
# On a few cores the loader's workers decode on the cores the network's threads run on: a
# preempted thread holds up the others (measured on 2 cores: about twice the decoding's CPU time).
DECODE_CONTENTION = 2.0
LOADERS_START_S = 2.5  # the training and validation loaders' workers starting, their first batches


def pass_times(m: Measurement) -> PassTimes:
    """The measurement's timed passes (plain per-image times when it carries no breakdown)."""
    if m.timing is not None:
        return m.timing
    return PassTimes(m.forward_s, m.train_s, m.save_s)


def decode_cost(decode_s: float) -> float:
    """Wall seconds decoding adds per image: it slows the network on a small CPU, hides on a big one."""
    return decode_s * DECODE_CONTENTION if (os.cpu_count() or 1) <= 4 else decode_s / 4


def step_seconds(strategy: str, t: PassTimes, frozen_groups: int, groups: int) -> float:
    """Seconds per training image of one image strategy's step."""
    if strategy == "linear":
        return t.forward_s * LINEAR_STEP
    if strategy == "partial":
        share = t.backprop_share(frozen_groups) if t.group_shares else 1 - frozen_groups / max(1, groups)
        return t.forward_s + (t.train_s - t.forward_s) * share
    return t.train_s


@dataclass(frozen=True)
class RunCost:
    """A run's expected seconds in its phases: before the first epoch, per epoch, after the last."""

    setup_s: float
    per_epoch_s: float
    epochs: int
    after_s: float

    @property
    def seconds(self) -> float:
        """The whole run."""
        return self.setup_s + self.epochs * self.per_epoch_s + self.after_s


def image_run_cost(strategy: str, size: DatasetSize, m: Measurement, epochs: int | None = None) -> RunCost:
    """A ``linear``, ``partial``, ``full`` or ``scratch`` run on the measured backbone."""
    t = pass_times(m)
    decode = decode_cost(size.decode_s)
    k = partial_k(m.groups, m, size) if strategy == "partial" else 0
    step = step_seconds(strategy, t, k, m.groups)
    trained = 0.0 if strategy == "linear" else 1 - k / max(1, m.groups)
    # last.pt: the trained weights and AdamW's two moments each epoch; best.pt when it improves
    saves = t.save_s * trained * (3 + BEST_SAVES)
    per_epoch = size.train_images * (step + decode) + size.val_images * (t.forward_s + decode) + saves
    calibrated = size.val_images + min(size.train_images, REFERENCE_CAP) + CALIBRATION_JUNK
    calibration = t.build_s + t.calibrate_warmup_s + calibrated * (t.calibration_per_image() + decode)
    setup = RUN_OVERHEAD_S + LOADERS_START_S + t.build_s + BATCH_SHAPES * t.warmup_s
    return RunCost(setup, per_epoch, _epochs(strategy, epochs), calibration)


def head_run_cost(size: DatasetSize, measures: Sequence[Measurement], epochs: int | None = None) -> RunCost:
    """A ``features`` (one measurement) or ``stack`` (several) run.

    Each backbone extracts the images not cached yet, in two passes (training, then validation
    images) that each start an inference session; the head then trains on the vectors (early
    stopping's expected epochs) and calibration reuses them (only the generated junk images go
    through the network).
    """
    uncached_default = max(0, size.train_images + size.val_images - size.sample_size)
    setup, after = RUN_OVERHEAD_S, 0.0
    for m in measures:
        t = pass_times(m)
        per_image = m.extract_s if m.extract_s is not None else t.forward_s + decode_cost(size.decode_s)
        missing = uncached_default if m.uncached is None else m.uncached
        sessions = 2 * t.extract_setup_s if missing else 0.0
        setup += t.build_s + missing * per_image + sessions
        after += t.build_s + t.calibrate_warmup_s + CALIBRATION_JUNK * t.calibration_per_image()
    n = size.train_images + size.val_images
    per_epoch = n * FEATURE_EPOCH_S_PER_IMAGE * len(measures) + HEAD_EPOCH_OVERHEAD_S
    return RunCost(setup, per_epoch, min(HEAD_EPOCHS_EXPECTED, _epochs("features", epochs)), after)


def stacked_measures(measures: Sequence[Measurement]) -> list[Measurement]:
    """The backbones a ``stack`` run combines: those whose features decently fit (all, if under two)."""
    good = [m for m in measures if m.accuracy >= DECENT_PROBE]
    return good if len(good) >= 2 else list(measures)


def _epochs(strategy: str, epochs: int | None) -> int:
    return int(epochs if epochs is not None else DEFAULTS[strategy].epochs)


def strategy_cost(
    strategy: str,
    size: DatasetSize,
    measures: Sequence[Measurement],
    chosen: Measurement,
    epochs: int | None = None,
) -> RunCost:
    """One strategy's run (``epochs`` overrides the strategy's default, as a cap does).

    ``chosen`` is the backbone the run uses; ``stack`` uses those the recommender would stack
    (:func:`stacked_measures`).
    """
    if strategy == "stack":
        return head_run_cost(size, stacked_measures(measures), epochs)
    if strategy in FEATURE_STRATEGIES:
        return head_run_cost(size, [chosen], epochs)
    if strategy in IMAGE_STRATEGIES:
        return image_run_cost(strategy, size, chosen, epochs)
    raise ValueError(f"unknown strategy {strategy!r}")


def strategy_seconds(
    strategy: str,
    size: DatasetSize,
    measures: Sequence[Measurement],
    chosen: Measurement,
    epochs: int | None = None,
) -> float:
    """Seconds of one strategy's run (see :func:`strategy_cost`)."""
    return strategy_cost(strategy, size, measures, chosen, epochs).seconds


def estimate_seconds(
    size: DatasetSize, measures: Sequence[Measurement], chosen: Measurement
) -> dict[str, float]:
    """Training time per strategy (``stack`` only when several backbones were measured)."""
    names = ["features", *IMAGE_STRATEGIES] + (["stack"] if len(measures) >= 2 else [])
    return {name: round(strategy_seconds(name, size, measures, chosen), 1) for name in names}


def steady_rate(marks: Sequence[tuple[float, int]]) -> tuple[float, float] | None:
    """Seconds per item in steady state, and the first report's extra seconds, from ``(time, done)`` marks.

    ``marks`` start with the moment work began (``done`` then counts what needed no work) and
    follow each reported batch. The first batch carries the setup (a session to start, memory to
    allocate) and is left out of the rate; its excess over the rate is the second value.
    None when fewer than two batches were reported.
    """
    if len(marks) < 3:
        return None
    (t0, d0), (t1, d1), (tn, dn) = marks[0], marks[1], marks[-1]
    if dn <= d1 or d1 <= d0:
        return None
    rate = (tn - t1) / (dn - d1)
    return rate, max(0.0, (t1 - t0) - rate * (d1 - d0))

