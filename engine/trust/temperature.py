"""Temperature scaling (Guo et al., 2017): one scalar T divides the logits before the softmax.

T is fitted by minimising the negative log-likelihood of held-out logits. The NLL is convex in
``beta = 1 / T`` (a log-sum-exp of functions linear in ``beta`` minus a linear term), so a
safeguarded Newton iteration on ``beta`` finds the optimum in a handful of steps with no
learning rate to tune. T < 1 is allowed: large pretrained models can be under-confident.
Dividing by a positive scalar never changes the arg-max, so accuracy never changes.

Numpy only: the predictor and the export use it without importing torch.
"""

from __future__ import annotations

import numpy as np

T_MIN, T_MAX = 0.05, 20.0
"""Temperatures outside this range mean the held-out logits are degenerate, not a real fit."""


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature``, computed stably in float64."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the true labels at ``temperature``."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z_max = z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(z - z_max).sum(axis=1)) + z_max[:, 0]
    return float(np.mean(log_norm - z[np.arange(len(labels)), labels]))


def _newton_direction(logits: np.ndarray, labels: np.ndarray, beta: float) -> tuple[float, float]:
    """First and second derivative of the mean NLL with respect to ``beta = 1/T``."""
    p = softmax(logits, 1.0 / beta)
    mean_logit = (p * logits).sum(axis=1)
    second_moment = (p * logits**2).sum(axis=1)
    grad = float(np.mean(mean_logit - logits[np.arange(len(labels)), labels]))
    hess = float(np.mean(second_moment - mean_logit**2))
    return grad, hess


def fit_temperature(logits: np.ndarray, labels: np.ndarray, max_iter: int = 50) -> float:
    """The temperature that minimises held-out NLL, clamped to [:data:`T_MIN`, :data:`T_MAX`].

    Args:
        logits: Held-out logits, shape ``(n, classes)`` (out-of-fold or validation).
        labels: The true class index of each row.
        max_iter: Newton steps at most; it usually converges in under ten.

    Returns:
        T; 1.0 when there is nothing to fit (no rows, or one class only).
    """
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) == 0 or logits.shape[1] < 2:
        return 1.0
    beta, lo, hi = 1.0, 1.0 / T_MAX, 1.0 / T_MIN
    for _ in range(max_iter):
        grad, hess = _newton_direction(logits, labels, beta)
        step = grad / hess if hess > 1e-12 else np.sign(grad) * beta * 0.5
        new_beta = float(np.clip(beta - step, lo, hi))
        while nll(logits, labels, 1.0 / new_beta) > nll(logits, labels, 1.0 / beta) + 1e-12:
            new_beta = (new_beta + beta) / 2  # safeguard: halve the step until the NLL does not rise
            if abs(new_beta - beta) < 1e-9:
                break
        if abs(new_beta - beta) < 1e-7 * beta:
            beta = new_beta
            break
        beta = new_beta
    return float(np.clip(1.0 / beta, T_MIN, T_MAX))
