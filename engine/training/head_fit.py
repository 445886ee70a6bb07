"""One epoch of a head trained alone on cached feature vectors, in as few interpreter steps as possible.

A head-only epoch is a few small matrix products; what costs is the Python around them. In the
app that Python runs in a worker thread that shares the interpreter lock (GIL) with the GUI
thread: every torch call releases the lock and must win it back, which takes up to the switch
interval (5 ms) whenever the GUI thread is busy drawing. An eager epoch of 4 mini-batches makes
about a hundred such calls (forward, loss, backward, the optimiser's per-tensor updates), so in
the app a 20 ms epoch became 0.1-0.5 s, and the GUI thread in turn waited on the worker.

Here an epoch's mini-batch steps run inside one TorchScript function: one call, the lock released
for all of it. The steps are the same (dropout, linear, cross-entropy with the class weights,
autograd gradients, and the AdamW or SGD update written exactly as ``torch.optim`` does it, state
kept in the optimiser so that ``last.pt`` and a resume work unchanged); the tests check it gives
the very weights of the eager loop. Any head or optimiser setting it does not cover falls back to
the eager loop. Counted on hymenoptera (244 vectors, batch 64, Lite0), a whole epoch of the run
(validation and bookkeeping included) went from 8,327 Python calls and 12,032 calls into C to
1,308 and 882; before, two thirds of the epoch's Python time set the frozen backbone's ~250
modules to train and eval mode, which only the head needs.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from engine.training.step import NonFiniteLossError, Precision, train_step

log = logging.getLogger(__name__)
SMALL_WORK_MACS = 1 << 23  # multiply-adds below which one thread beats several (~1 ms of work)
VALUES_PER_CALL = 1 << 22  # feature values per scripted call (~16 MB): cancel and pause are checked between


def _steps(
    x: torch.Tensor,
    y: torch.Tensor,
    params: list[torch.Tensor],
    buf1: list[torch.Tensor],
    buf2: list[torch.Tensor],
    step: int,
    hyper: list[float],
    adam: bool,
    drop: float,
    class_weight: torch.Tensor | None,
    batch: int,
) -> tuple[float, int, int, int]:
    """Mini-batch steps over ``x`` in order; returns loss sum, correct count, optimiser step, failed row.

    ``hyper`` is ``[lr, weight_decay, beta1, beta2, eps]`` for AdamW (``buf1``/``buf2``: exp_avg and
    exp_avg_sq) or ``[lr, weight_decay, momentum]`` for SGD (``buf1``: momentum buffers). A batch
    whose loss is not finite stops the pass before its update; its first row is returned (else -1).
    """
    total = 0.0
    correct = 0
    lr = hyper[0]
    decay = hyper[1]
    for start in range(0, x.size(0), batch):
        xb = x[start : start + batch]
        yb = y[start : start + batch]
        logits = F.linear(F.dropout(xb, drop, True), params[0], params[1])
        loss = F.cross_entropy(logits, yb, weight=class_weight)
        if not bool(torch.isfinite(loss)):
            return total, correct, step, start
        grads = torch.autograd.grad([loss], params)
        step += 1
        with torch.no_grad():
            for i in range(len(params)):
                grad = grads[i]
                assert grad is not None
                if adam:
                    beta1, beta2, eps = hyper[2], hyper[3], hyper[4]
                    params[i].mul_(1.0 - lr * decay)
                    buf1[i].lerp_(grad, 1.0 - beta1)
                    buf2[i].mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
                    correction2 = (1.0 - beta2**step) ** 0.5
                    denom = (buf2[i].sqrt() / correction2).add_(eps)
                    params[i].addcdiv_(buf1[i], denom, value=-lr / (1.0 - beta1**step))
                else:
                    grad = grad.add(params[i], alpha=decay)
                    if hyper[2] != 0.0:
                        grad = buf1[i].mul_(hyper[2]).add_(grad)
                    params[i].add_(grad, alpha=-lr)
        total += float(loss) * yb.size(0)
        correct += int((logits.argmax(1) == yb).sum())
    return total, correct, step, -1


@functools.cache
def _scripted() -> Any | None:
    """The compiled :func:`_steps`, or None where TorchScript is unavailable (then the eager loop runs)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # still supported up to Python 3.13
            return torch.jit.script(_steps)
    except Exception:  # an interpreter or torch without TorchScript: correct, only slower
        log.warning("TorchScript unavailable; the head trains step by step", exc_info=True)
        return None


@dataclass
class _Plan:
    """What the fused epoch needs from the head and its optimiser."""

    drop: float
    params: list[torch.Tensor]
    adam: bool


def _plan(head: nn.Module, optimizer: torch.optim.Optimizer, precision: Precision) -> _Plan | None:
    """The fused plan when the head is dropout + linear and the optimiser plain AdamW or SGD, else None."""
    if precision.scaler is not None or not isinstance(head, nn.Sequential) or len(head) != 2:
        return None
    dropout, linear = head[0], head[1]
    if not isinstance(dropout, nn.Dropout) or not isinstance(linear, nn.Linear) or linear.bias is None:
        return None
    params = [linear.weight, linear.bias]
    groups = optimizer.param_groups
    if len(groups) != 1 or [id(p) for p in groups[0]["params"]] != [id(p) for p in params]:
        return None
    group = groups[0]
    if group.get("maximize") or group.get("differentiable") or not isinstance(group["lr"], float):
        return None
    if isinstance(optimizer, torch.optim.AdamW) and not group.get("amsgrad"):
        return _Plan(dropout.p, params, True)
    if type(optimizer) is torch.optim.SGD and not group.get("nesterov") and not group.get("dampening"):
        return _Plan(dropout.p, params, False)
    return None


def _optimizer_state(
    optimizer: torch.optim.Optimizer, plan: _Plan
) -> tuple[list[torch.Tensor], list[torch.Tensor], int, list[float]]:
    """The optimiser's own state tensors (created as ``torch.optim`` would), its step and hyperparameters."""
    group = optimizer.param_groups[0]
    if plan.adam:
        states = [optimizer.state[p] for p in plan.params]
        for p, state in zip(plan.params, states, strict=True):
            if not state:
                state["step"] = torch.tensor(0.0)
                state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
        beta1, beta2 = group["betas"]
        hyper = [group["lr"], group["weight_decay"], beta1, beta2, group["eps"]]
        step = int(states[0]["step"])
        return [s["exp_avg"] for s in states], [s["exp_avg_sq"] for s in states], step, hyper
    momentum = float(group["momentum"])
    buffers = []
    for p in plan.params:  # without momentum torch.optim.SGD keeps no state at all
        state = optimizer.state[p] if momentum else {}
        if momentum and state.get("momentum_buffer") is None:
            state["momentum_buffer"] = torch.zeros_like(p)  # 0 * momentum + grad == torch's first step
        buffers.append(state.get("momentum_buffer", torch.zeros(0)))
    return buffers, [], 0, [group["lr"], group["weight_decay"], momentum]


def _fused_epoch(
    plan: _Plan,
    x: torch.Tensor,
    y: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    criterion: nn.Module,
    batch_size: int,
    checkpoint: Callable[[int], None],
) -> tuple[float, int]:
    """The epoch in scripted calls of about :data:`VALUES_PER_CALL` values each."""
    steps = _scripted()
    buf1, buf2, step, hyper = _optimizer_state(optimizer, plan)
    weight = getattr(criterion, "weight", None)
    rows = max(batch_size, VALUES_PER_CALL // max(1, x.shape[1]) // batch_size * batch_size)
    total, correct = 0.0, 0
    for first in range(0, len(y), rows):
        checkpoint(first // batch_size)
        xs, ys = x[first : first + rows], y[first : first + rows]
        part_loss, part_correct, step, failed = steps(
            xs, ys, plan.params, buf1, buf2, step, hyper, plan.adam, plan.drop, weight, batch_size
        )
        if plan.adam:
            for p in plan.params:
                optimizer.state[p]["step"] = torch.tensor(float(step))
        if failed >= 0:
            raise NonFiniteLossError(
                "the loss became NaN or infinite; try a lower learning rate or a smaller batch size"
            )
        total, correct = total + part_loss, correct + part_correct
    optimizer.zero_grad(set_to_none=True)
    optimizer.step()  # no gradient, so no change: the schedule sees the step it waits for, hooks run
    return total, correct


@contextlib.contextmanager
def threads_for(multiply_adds: int) -> Iterator[None]:
    """Run small matrix work on one intra-op thread, then restore the thread count.

    A head's step on a few dozen vectors lasts microseconds; splitting it over several OpenMP
    threads gains nothing and, when the cores are busy (another program, the GUI thread), each
    parallel region waits for a descheduled thread. Measured on 2 cores with other programs
    running (load 14): 20 head epochs on hymenoptera took 8-13 s with 2 threads, 0.31 s with one.
    """
    threads = torch.get_num_threads()
    if multiply_adds >= SMALL_WORK_MACS or threads == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def shuffled(
    x: torch.Tensor, y: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """``x`` and ``y`` in one random order (drawn on the CPU generator, applied on their device)."""
    order = torch.randperm(len(y), generator=generator).to(x.device)
    return x.index_select(0, order), y.index_select(0, order)


def train_head_epoch(
    head: nn.Module,
    data: tuple[torch.Tensor, torch.Tensor],
    optimizer: torch.optim.Optimizer,
    criterion: nn.Module,
    precision: Precision,
    batch_size: int,
    generator: torch.Generator,
    checkpoint: Callable[[int], None],
) -> tuple[float, float, float]:
    """One shuffled pass of mini-batch steps over the whole feature matrix.

    Args:
        head: The module that learns (dropout and the linear classifier).
        data: All training vectors and their labels, already on the training device.
        optimizer: Steps the head's parameters.
        criterion: The (class-weighted) cross-entropy.
        precision: Autocast settings of the device (the fused path trains in float32).
        batch_size: Vectors per step.
        generator: The run's seeded shuffle.
        checkpoint: Called with the step number before every step, or every scripted call (cancel, pause).

    Returns:
        Mean training loss, training accuracy and vectors per second.

    Raises:
        NonFiniteLossError: Before the update of a batch whose loss is not finite.
    """
    head.train()
    start = time.perf_counter()
    x, y = shuffled(*data, generator)
    plan = _plan(head, optimizer, precision) if _scripted() is not None else None
    if plan is not None:
        total_loss, correct = _fused_epoch(plan, x, y, optimizer, criterion, batch_size, checkpoint)
    else:
        total_loss, correct = 0.0, 0
        for step, first in enumerate(range(0, len(y), batch_size)):
            checkpoint(step)
            inputs, labels = x[first : first + batch_size], y[first : first + batch_size]
            loss, right = train_step(head, inputs, labels, optimizer, criterion, precision)
            total_loss, correct = total_loss + loss * len(labels), correct + right
    seen = max(len(y), 1)
    return total_loss / seen, correct / seen, len(y) / max(time.perf_counter() - start, 1e-9)
