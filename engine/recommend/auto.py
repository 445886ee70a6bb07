"""``--strategy auto``: measure whether fine-tuning pays before paying for it.

1. The recommender's measurements (:func:`engine.recommend.recommender.measure`): the cached-feature
   head's probe on a sample, in seconds.
2. When a fine-tune could plausibly add more than a point and the budget allows, a short, bounded
   trial: the same sample split in two, a ``features`` run and a ``partial`` run of
   :data:`TRIAL_EPOCHS` epochs trained on one half and validated on the other. Their difference
   is the measured gain of fine-tuning.
3. :func:`engine.recommend.recommender.decide` with that measured gain picks the strategy for
   the goal and the time left in the budget.

Every step is listed in :attr:`AutoChoice.tried` with its accuracy, seconds and why it stopped there;
the run itself comes last, with the accuracy range it was expected to reach.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.config import DEFAULT_BACKBONE, DEFAULTS, IMAGE_STRATEGIES, TrainConfig
from engine.control import RunControl
from engine.data.scan import TRAIN, VAL, DatasetIndex, Sample
from engine.data.thresholds import size_rule
from engine.events import BatchEnded, Event, RunFinished, StageChanged
from engine.progress import Progress, no_progress
from engine.recommend.estimates import GAIN
from engine.recommend.forecast import ONE_POINT
from engine.recommend.recommender import Measured, Recommendation, decide, measure

TRIAL_EPOCHS = 2
TRIAL_SHARE = 0.15  # of the time budget the trial may spend
TRIAL_MAX_S = 240.0  # without a budget, the trial never takes longer than this (estimated)
MIN_TRIAL_PER_CLASS = 6  # fewer sample images per class cannot tell a gain from noise
FINE_TUNE_CAP = "max_fine_tune_epochs"  # ``config.extra``: the most epochs an image strategy auto picks gets


@dataclass(frozen=True)
class AutoChoice:
    """The resolved configuration, why, and every step taken to get there."""

    config: TrainConfig
    reason: str
    tried: tuple[dict[str, Any], ...]
    recommendation: Recommendation | None = None


def goal_and_budget(config: TrainConfig) -> tuple[str, float | None]:
    """The user's ``goal`` and ``time_budget`` (seconds), kept in ``config.extra``."""
    goal = str(config.extra.get("goal") or "fastest-good")
    budget = config.extra.get("time_budget")
    return goal, None if budget in (None, "", 0) else float(budget)


def choose_auto(
    config: TrainConfig,
    index: DatasetIndex,
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> AutoChoice:
    """Measure, try a short fine-tune if it might pay, and resolve ``auto`` for the goal and budget."""
    started = time.perf_counter()
    control = control or RunControl()
    report = progress or no_progress
    goal, budget = goal_and_budget(config)
    found = measure(index, config.backbones or None, progress=report, control=control,
                    seed=config.seed, device=config.device)
    first = decide(found.size, found.measures, found.stacked, goal, budget)
    tried: list[dict[str, Any]] = [
        _trial("features", "linear probe on a sample", head_probe(first), found.seconds,
               f"{found.size.sample_size} sample images, cross-validated; features cached for the run")
    ]
    gain, why_not = None, _skip_trial(first, found, budget)
    if why_not is None:
        gain, trials = _measure_gain(config, _split_sample(found.samples, index), first, report, control)
        tried += trials
    spent = time.perf_counter() - started
    left = None if budget is None else max(0.0, budget - spent)
    measured = None if gain is None else _gains(gain, first.cell)
    rec = decide(found.size, found.measures, found.stacked, goal, left, measured)
    if why_not is not None:
        tried[-1]["stopped"] = why_not
    freeze_k = config.freeze_k if config.freeze_k is not None else rec.k
    resolved = dataclasses.replace(config, strategy=rec.strategy, backbones=rec.backbones, freeze_k=freeze_k,
                                   epochs=capped_epochs(config, rec.strategy))
    forecast = rec.strategies.get(rec.strategy)
    if forecast is not None:  # with_final_run puts it next to what the run reached
        tried[-1]["forecast"] = {"strategy": rec.strategy, "expected_acc": list(forecast["expected_acc"])}
    reason = rec.reason if gain is None else (
        f"{rec.reason} Measured first: a {TRIAL_EPOCHS}-epoch fine-tune on half of a sample scored "
        f"{gain * 100:+.1f} points against a new head on the same images."
    )
    return AutoChoice(resolved, reason, tuple(tried), rec)


def capped_epochs(config: TrainConfig, strategy: str) -> int | None:
    """The resolved run's epochs: the user's, capped by :data:`FINE_TUNE_CAP` for an image strategy."""
    cap = config.extra.get(FINE_TUNE_CAP)
    if not cap or strategy not in IMAGE_STRATEGIES:
        return config.epochs
    return min(config.epochs or DEFAULTS[strategy].epochs, int(cap))


def head_probe(rec: Recommendation) -> float:
    """The best backbone's probe accuracy on the sample."""
    return max(float(s.get("probe") or s.get("knn") or 0.0) for s in rec.scores.values())


def _trial(strategy: str, what: str, accuracy: float | None, seconds: float, stopped: str) -> dict[str, Any]:
    acc = None if accuracy is None else round(accuracy, 4)
    return {
        "strategy": strategy, "what": what, "accuracy": acc, "seconds": round(seconds, 1), "stopped": stopped
    }


def _skip_trial(rec: Recommendation, found: Measured, budget: float | None) -> str | None:
    """Why no fine-tune trial is worth running (None: run it)."""
    table = rec.forecasts()
    head, partial = table["features"], table["partial"]
    at_most = (1 - head.expected) * max(GAIN.values())
    if at_most <= ONE_POINT:
        return (
            f"stopped at the head: it is expected to reach {head.expected:.1%}, so even a fine-tune "
            f"that fixed {max(GAIN.values()):.0%} of its errors would add {at_most * 100:.1f} points at most"
        )
    if min(found.size.per_class, found.size.sample_size / max(1, found.size.classes)) < MIN_TRIAL_PER_CLASS:
        return "stopped at the head: too few images per class to measure a fine-tune's gain"
    trial_s = _trial_seconds(found)
    bound = TRIAL_MAX_S if budget is None else min(TRIAL_MAX_S, TRIAL_SHARE * budget)
    if trial_s > bound:
        return f"stopped at the head: measuring a fine-tune would take ~{trial_s:.0f} s, over {bound:.0f} s"
    if budget is not None and partial.seconds > budget:
        return f"stopped at the head: fine-tuning (~{partial.seconds:.0f} s) does not fit the budget"
    return None


def _trial_seconds(found: Measured) -> float:
    """Expected seconds of the two trial runs: the partial one's epochs dominate."""
    best = found.measures[0]
    n = found.size.sample_size
    per_image = best.forward_s + (best.train_s - best.forward_s) / 2 + found.size.decode_s
    return 10.0 + TRIAL_EPOCHS * n * per_image


def _split_sample(samples: Sequence[Sample], index: DatasetIndex) -> DatasetIndex:
    """The sample as its own dataset: alternate images of each class to training and validation."""
    out: list[Sample] = []
    seen: dict[int, int] = {}
    for s in samples:
        turn = seen.get(s.label, 0)
        seen[s.label] = turn + 1
        out.append(Sample(s.path, s.label, TRAIN if turn % 2 == 0 else VAL))
    return DatasetIndex(index.root, list(index.classes), out)


def _measure_gain(
    config: TrainConfig, sub: DatasetIndex, rec: Recommendation, report: Progress, control: RunControl
) -> tuple[float | None, list[dict[str, Any]]]:
    """Train ``features`` and a short ``partial`` on the same half of the sample; the accuracy difference."""
    from engine.training.loop import fit

    backbone = rec.backbones[0] if rec.strategy != "stack" else next(iter(rec.scores))
    results: dict[str, tuple[float, float]] = {}
    trials: list[dict[str, Any]] = []
    for strategy, epochs in (("features", None), ("partial", TRIAL_EPOCHS)):
        stage = f"Measuring whether fine-tuning pays: {strategy} on half the sample"

        # Its own control: a trial's early stop must not end the real run; a cancel is passed on.
        trial_control = RunControl()

        def forward(
            event: Event, stage: str = stage, child: RunControl = trial_control, epochs: int | None = epochs
        ) -> None:
            if control.cancelled:
                child.cancel()
            elif isinstance(event, BatchEnded) and epochs:  # the fine-tune's batches: its progress
                steps = event.steps_per_epoch
                report((event.epoch - 1) * steps + event.step, epochs * steps, stage)
            elif not isinstance(event, StageChanged):
                report(0, 0, stage)

        with tempfile.TemporaryDirectory(prefix="auto-trial-") as tmp:
            trial_config = dataclasses.replace(
                config, strategy=strategy, backbones=(backbone,), epochs=epochs, out_dir=tmp,
                freeze_k=rec.k if strategy == "partial" else None, extra={}, early_stopping=None,
                resume=False, init_from=None,
            )
            started = time.perf_counter()
            result = fit(trial_config, [forward], trial_control, sub)
            control.raise_if_cancelled()
            results[strategy] = (float(result.best_val_acc), time.perf_counter() - started)
    head_acc, head_s = results["features"]
    tune_acc, tune_s = results["partial"]
    gain = tune_acc - head_acc
    n = len(sub.subset(TRAIN))
    trials.append(_trial("features", f"head trained on {n} sample images", head_acc, head_s,
                         "reference for the fine-tune trial"))
    what = f"{TRIAL_EPOCHS}-epoch fine-tune on the same {n} images"
    verdict = f"measured gain over the head: {gain * 100:+.1f} points"
    trials.append(_trial("partial", what, tune_acc, tune_s, verdict))
    return gain, trials


def _gains(partial_gain: float, cell: tuple[str, str]) -> dict[str, float]:
    """The measured partial gain, and full's scaled by the priors' ratio (a loss is not scaled)."""
    ratio = GAIN[(cell[1], "full")] / GAIN[(cell[1], "partial")]
    full = partial_gain * ratio if partial_gain > 0 else partial_gain
    return {"partial": partial_gain, "full": full}


def resolve_auto(
    config: TrainConfig,
    index: DatasetIndex,
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> tuple[TrainConfig, str]:
    """Replace ``strategy="auto"`` by the measured choice among ``config.backbones``.

    Sets the strategy, the backbone(s) and, for ``partial``, ``freeze_k`` unless the user gave
    one (see :func:`choose_auto`, which also lists what it tried). Without
    pretrained weights nothing can be measured, so the size rule decides.

    Returns:
        The new configuration and the reason, in plain words.
    """
    if not config.pretrained:
        choice = size_rule(len(index.subset(TRAIN)), len(index.classes))
        backbones = config.backbones[:1] or (DEFAULT_BACKBONE,)
        return dataclasses.replace(config, strategy=choice.strategy, backbones=backbones), choice.reason
    auto = choose_auto(config, index, progress, control)
    return auto.config, auto.reason


def resolve_for_run(
    config: TrainConfig,
    index: DatasetIndex,
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> AutoChoice:
    """What :func:`engine.runs.launch.start_run` trains for ``auto``: the choice, early stopping on.

    Without pretrained weights nothing can be measured: the size rule decides and nothing is tried.
    """
    if not config.pretrained:
        resolved, reason = resolve_auto(config, index, progress, control)
        return AutoChoice(resolved.with_early_stopping_on(), reason, ())
    choice = choose_auto(config, index, progress, control)
    return dataclasses.replace(choice, config=choice.config.with_early_stopping_on())


def with_final_run(result: RunFinished, tried: Sequence[dict[str, Any]]) -> RunFinished:
    """``result`` with ``tried`` listing the measurements and, last, the run itself.

    The run's entry carries ``expected_acc``, the range the recommendation gave the chosen strategy.
    """
    if not tried:
        return result
    *steps, last = (dict(step) for step in tried)
    forecast = last.pop("forecast", None) or {}
    stopped = result.stop_reason if result.stopped_early else f"{result.status.value}: the chosen strategy"
    final = _trial(result.strategy, f"the run ({result.epochs_completed} epochs)", result.best_val_acc,
                   result.seconds, stopped)
    if forecast.get("strategy") == result.strategy:
        final["expected_acc"] = forecast["expected_acc"]
    return dataclasses.replace(result, tried=(*steps, last, final))
