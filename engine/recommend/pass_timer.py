"""Timing a backbone's passes the way a run makes them, for the time estimates.

A training step, a validation forward and calibration's pass are timed at the run's batch size,
thread count and memory format, in steady state after a warm-up (see :func:`time_passes`); the
result is a :class:`engine.recommend.passes.PassTimes`, which :mod:`engine.recommend.timing`
turns into a run's seconds.
"""

from __future__ import annotations

import contextlib
import copy
import io
import statistics
import time
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import torch
from torch import nn

from engine.config import default_batch_size
from engine.device import default_threads
from engine.models.classifier import TransferModel
from engine.models.registry import BackboneSpec
from engine.recommend.passes import PassTimes
from engine.training.step import Precision, predict_batch, train_step

Groups = Sequence[tuple[str, nn.Module]]  # a backbone's layer groups, input first


def time_passes(
    spec: BackboneSpec, backbone: nn.Module, groups: Groups, device: torch.device, threads: int | None = None
) -> PassTimes:
    """Steady-state seconds of the passes a run makes, timed as the run makes them.

    A copy of ``backbone`` with a two-class head takes training steps (forward, backward and
    AdamW's update: :func:`engine.training.step.train_step`) and validation forwards, at the
    batch size, thread count (``threads``, default the run's) and memory format the run uses.
    The two alternate so that a change of load affects both alike; the first round is the
    warm-up (first-call allocations, kernel choices), its excess kept for the run's fixed cost,
    then :data:`TIMED_STEPS` rounds are timed and the medians kept: a moment of contention on a
    shared machine does not decide the estimate, a steady load does. One more forward, on the
    CPU, times each of ``groups`` (the backbone's layer groups, for ``partial``), and calibration's
    pass is timed too (:func:`calibration_seconds`). ``backbone`` itself is left unchanged.
    """
    batch = default_batch_size("full", on_cpu=device.type == "cpu")
    with torch_threads(threads):
        model = TransferModel([copy.deepcopy(backbone)], [spec.feature_dim], 2).to(device)
        model = model.to(memory_format=torch.channels_last)
        for p in model.parameters():
            p.requires_grad_(True)
        size = spec.preprocess.input_size
        x = torch.randn(batch, 3, size, size, device=device).contiguous(memory_format=torch.channels_last)
        y = torch.arange(batch, device=device) % 2
        precision = Precision.for_device(device, amp=True)
        optimizer = torch.optim.AdamW(model.parameters(), lr=0.0)  # the update's cost, not its effect
        criterion = nn.CrossEntropyLoss()

        def step() -> None:
            model.train()
            train_step(model, x, y, optimizer, criterion, precision)

        def forward() -> None:
            model.eval()
            predict_batch(model, x, precision)

        rounds = [(_timed(step, device), _timed(forward, device)) for _ in range(1 + TIMED_STEPS)]
        train_s, forward_s = (statistics.median(r[i] for r in rounds[1:]) for i in (0, 1))
        excess = max(0.0, rounds[0][0] - train_s) + max(0.0, rounds[0][1] - forward_s)
        warmup = min(excess, train_s + forward_s)  # more is a burst of load, not the warm-up
        shares = group_shares(backbone, groups, model.backbones[0], forward) if device.type == "cpu" else ()
        calibrate_s, calibrate_warmup = calibration_seconds(backbone, spec, device)
        return PassTimes(
            forward_s / batch, train_s / batch, checkpoint_seconds(model), shares, warmup,
            calibrate_s=calibrate_s, calibrate_warmup_s=calibrate_warmup,
            threads=torch.get_num_threads(), batch=batch,
        )


TIMED_STEPS = 3


CALIBRATION_BATCH = 32  # images per batch of calibration's pass (engine.trust.fit_run.embed_samples)


def calibration_seconds(backbone: nn.Module, spec: BackboneSpec, device: torch.device) -> tuple[float, float]:
    """Seconds per image of calibration's pass after training, and its first batch's excess.

    Calibration passes images through :class:`engine.trust.fit_run.EvalNetwork` (its own
    preprocessing of each image and the network rebuilt from the run folder, in batches of
    :data:`CALIBRATION_BATCH`): timed on a copy, twice on a batch of generated images.
    """
    from engine.trust.fit_run import EvalNetwork

    model = TransferModel([copy.deepcopy(backbone)], [spec.feature_dim], 2)
    network = EvalNetwork(model, [spec.preprocess.to_dict()], device)
    side = spec.preprocess.resize_size * 3 // 2
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (side, side, 3), dtype=np.uint8) for _ in range(CALIBRATION_BATCH)]
    first = _timed(lambda: network(images), device)
    steady = _timed(lambda: network(images), device)
    return steady / len(images), min(max(0.0, first - steady), steady)  # capped as time_passes does


@contextlib.contextmanager
def torch_threads(threads: int | None) -> Iterator[int]:
    """Torch's intra-op threads set to the run's count (``threads``, else the default) inside the block."""
    previous = torch.get_num_threads()
    count = threads or default_threads()
    torch.set_num_threads(count)
    try:
        yield count
    finally:
        torch.set_num_threads(previous)


def group_shares(
    original: nn.Module, groups: Groups, timed: nn.Module, forward: Callable[[], object]
) -> tuple[float, ...]:
    """Share of one ``forward`` call's time spent in each layer group, input first.

    ``groups`` are those of ``original``; ``timed`` is its copy that ``forward`` runs. Every leaf
    module of the copy is timed with hooks (a group may be a container its backbone never calls).
    """
    path = {id(m): name for name, m in original.named_modules()}
    copied = dict(timed.named_modules())
    owner = {
        id(copied[path[id(leaf)]]): i
        for i, (_, group) in enumerate(groups)
        for leaf in group.modules()
        if id(leaf) in path and path[id(leaf)] in copied
    }
    spent = [0.0] * len(groups)
    started: dict[int, float] = {}

    def before(module: nn.Module, _inputs: object) -> None:
        started[id(module)] = time.perf_counter()

    def after(module: nn.Module, _inputs: object, _output: object) -> None:
        spent[owner[id(module)]] += time.perf_counter() - started.pop(id(module), time.perf_counter())

    leaves = [m for m in timed.modules() if not any(m.children()) and id(m) in owner]
    handles = [m.register_forward_pre_hook(before) for m in leaves]
    handles += [m.register_forward_hook(after) for m in leaves]
    try:
        forward()
    finally:
        for handle in handles:
            handle.remove()
    total = sum(spent)
    return tuple(s / total for s in spent) if total > 0 else ()


def _timed(fn: Callable[[], object], device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def checkpoint_seconds(model: nn.Module) -> float:
    """Seconds to serialise the model's weights once (what a checkpoint write costs, disk aside)."""
    buffer = io.BytesIO()
    start = time.perf_counter()
    torch.save(model.state_dict(), buffer)
    return time.perf_counter() - start
