"""Starting a run the way every front end does (CLI ``train``/``resume``/``finetune``, the app's worker).

``fit`` trains a resolved configuration only. :func:`start_run` is the starter: when the strategy is
``auto`` it scans the dataset (unless given) and asks the recommender, then passes the resolved
configuration and the reason to ``fit``, which records both in the run folder.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from engine.callbacks import Callback, CallbackList
from engine.config import TrainConfig
from engine.control import RunCancelled, RunControl
from engine.data.scan import DatasetIndex, scan_dataset
from engine.events import RunFinished, StageChanged
from engine.progress import Progress


def resolve_strategy(
    config: TrainConfig,
    index: DatasetIndex,
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> tuple[TrainConfig, str]:
    """``config`` with ``auto`` replaced by the recommendation, and the reason ("" when not ``auto``)."""
    if config.strategy != "auto":
        return config, ""
    from engine.recommend.auto import resolve_auto

    resolved, reason = resolve_auto(config, index, progress, control)
    return resolved.with_early_stopping_on(), reason


def start_run(
    config: TrainConfig,
    callbacks: Sequence[Callback] = (),
    control: RunControl | None = None,
    index: DatasetIndex | None = None,
) -> RunFinished:
    """Resolve ``auto`` (if asked) and train; a cancel while choosing ends the run ``cancelled``.

    Args:
        config: The configuration; ``strategy`` may be ``auto``.
        callbacks: Listeners for every event, the preparation's progress included.
        control: Cancel/pause flags shared with another thread.
        index: A ready dataset (the app's project, a run's ``dataset.json``); scanned if None.

    Returns:
        How the run ended (the last event, also sent to ``callbacks``).
    """
    from engine.training.loop import cancelled_before_start, fit

    control = control or RunControl()
    started = time.perf_counter()
    prepare = CallbackList(callbacks)

    def stage(done: int, total: int, message: str) -> None:
        prepare(StageChanged(message, done, total))
        control.raise_if_cancelled()

    if config.strategy != "auto":
        return fit(config, callbacks, control, index, "")
    from engine.recommend.auto import resolve_for_run, with_final_run

    try:
        if index is None:
            index = scan_dataset(config.data_dir, config.val_fraction, config.seed, progress=stage)
        choice = resolve_for_run(config, index, stage, control)
    except RunCancelled:
        return cancelled_before_start(config, prepare, started)
    return with_final_run(fit(choice.config, callbacks, control, index, choice.reason), choice.tried)
