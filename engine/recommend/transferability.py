"""How well a frozen backbone's features already separate the classes, measured in seconds.

Three scores on a small sample of feature vectors:

* :func:`knn_accuracy`: leave-one-out k-nearest-neighbour accuracy (cosine similarity);
* :func:`linear_probe_accuracy`: cross-validated accuracy of an L2-regularised softmax
  regression on standardised features (what the ``features`` strategy trains);
* :func:`logme`: the LogME score of You et al., "LogME: Practical Assessment of Pre-trained
  Models for Transfer Learning" (ICML 2021): the mean, over classes, of the per-sample log
  evidence of a Bayesian linear model from features to one-hot labels, maximised over its
  two precision hyper-parameters by a fixed-point iteration.

And :func:`imagenet_likeness`: how confidently an ImageNet classifier labels the images.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

LAMBDAS = (1e-2, 1e-1)


def knn_accuracy(features: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """Leave-one-out accuracy of a cosine k-nearest-neighbour vote.

    Features are centred and L2-normalised; each sample is classified by its ``min(k, n - 1)``
    nearest other samples, ties broken by the summed similarity.

    Args:
        features: ``(n, d)`` vectors.
        labels: ``(n,)`` class indices.
        k: Neighbours per vote.

    Returns:
        The fraction of samples whose vote matches their label (0.0 with fewer than 2 samples).
    """
    n = len(labels)
    if n < 2:
        return 0.0
    x = torch.from_numpy(features.astype(np.float64))
    x = torch.nn.functional.normalize(x - x.mean(dim=0, keepdim=True), dim=1)
    with single_thread():
        sim = (x @ x.T).numpy()
    np.fill_diagonal(sim, -np.inf)
    k = max(1, min(k, n - 1))
    nearest = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(n), k)
    votes = np.zeros((n, int(labels.max()) + 1))
    # One vote per neighbour; the similarity (at most 1) only breaks ties between equal counts.
    weights = 1.0 + 1e-3 * sim[rows, nearest.ravel()]
    np.add.at(votes, (rows, labels[nearest.ravel()]), weights)
    return float((votes.argmax(axis=1) == labels).mean())


def stratified_folds(labels: np.ndarray, folds: int, seed: int = 0) -> np.ndarray:
    """Assign each sample a fold in ``[0, folds)``, every class spread evenly, seeded."""
    rng = np.random.default_rng(seed)
    assignment = np.zeros(len(labels), dtype=np.int64)
    offset = 0
    for cls in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == cls))
        assignment[members] = (np.arange(len(members)) + offset) % folds
        offset += len(members)
    return assignment


def fit_softmax(
    x: np.ndarray, y: np.ndarray, classes: int, l2: float, steps: int = 300, tol: float = 1e-4
) -> np.ndarray:
    """Fit an L2-regularised multinomial logistic regression by Nesterov's accelerated gradient.

    The objective (mean cross-entropy plus ``0.5 * l2 * ||W||^2``, the bias free) is smooth with
    curvature at most ``L = 0.5 * ||X||^2 / n + l2`` and at least ``l2``, so a step of ``1 / L``
    with momentum ``(sqrt(k) - 1) / (sqrt(k) + 1)``, ``k = L / l2``, converges linearly. Written
    out rather than with ``torch.optim``, which is slow to import, and run on one thread.

    Args:
        x: ``(n, d)`` standardised features.
        y: ``(n,)`` class indices.
        classes: Number of classes.
        l2: Regularisation strength (> 0).
        steps: Most gradient steps.
        tol: Stop early when the gradient's norm falls below ``tol`` times its first value.

    Returns:
        ``(d + 1, classes)`` weights, the bias in the last row.
    """
    xt = torch.from_numpy(np.hstack([x, np.ones((len(x), 1))]).astype(np.float32))
    onehot = torch.nn.functional.one_hot(torch.from_numpy(y.astype(np.int64)), classes).float()
    n = len(xt)
    with single_thread():
        lipschitz = 0.5 * spectral_norm(xt) ** 2 / n + l2
    root = math.sqrt(lipschitz / l2)
    momentum = (root - 1) / (root + 1)
    decay = torch.ones(xt.shape[1], 1)
    decay[-1] = 0.0
    w = torch.zeros(xt.shape[1], classes)
    ahead = w.clone()
    first = 0.0
    with single_thread():
        for step in range(steps):
            grad = xt.T @ (torch.softmax(xt @ ahead, dim=1) - onehot) / n + l2 * decay * ahead
            if step % 10 == 0:
                norm = float(grad.norm())
                first = first or norm
                if norm <= tol * first:
                    break
            new = ahead - grad / lipschitz
            ahead = new + momentum * (new - w)
            w = new
    return w.numpy()


def spectral_norm(x: torch.Tensor, iterations: int = 30) -> float:
    """The largest singular value of ``x`` by power iteration, 2% high to stay a safe upper bound.

    A full SVD of a 2,000 x 1,281 matrix costs seconds on 2 cores; 30 matrix-vector products
    cost milliseconds and come within a fraction of a percent for these feature matrices.
    """
    v = torch.ones(x.shape[1], dtype=x.dtype) / x.shape[1] ** 0.5
    sigma = 0.0
    for _ in range(iterations):
        u = x @ v
        v = x.T @ u
        norm = float(v.norm())
        if norm == 0.0:
            return 0.0
        v /= norm
        sigma = norm ** 0.5
    return 1.02 * sigma


@contextmanager
def single_thread() -> Iterator[None]:
    """Run small torch problems on one thread: thread hand-offs cost more than they save there."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def standardise(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardise with the training rows' statistics, then rotate onto their row space.

    An L2-regularised linear model's weights lie in the span of its training rows, so when there
    are fewer rows than dimensions the rotation onto that span is exact and makes fitting fast.
    """
    mean, std = train.mean(axis=0), train.std(axis=0) + 1e-6
    train, test = (train - mean) / std, (test - mean) / std
    if train.shape[0] >= train.shape[1]:
        return train, test
    basis = torch.linalg.qr(torch.from_numpy(train.T)).Q
    return (torch.from_numpy(train) @ basis).numpy(), (torch.from_numpy(test) @ basis).numpy()


def linear_probe_accuracy(
    features: np.ndarray,
    labels: np.ndarray,
    folds: int = 5,
    lambdas: tuple[float, ...] = LAMBDAS,
    seed: int = 0,
) -> float | None:
    """Cross-validated accuracy of an L2 softmax head on standardised features.

    Uses ``min(folds, smallest class size)`` stratified folds and reports the best mean
    accuracy over the regularisation strengths in ``lambdas`` (a small tuning step, as a
    user of the ``features`` strategy would get from the validation set).

    Returns:
        The accuracy, or None when a class has fewer than two samples.
    """
    per_fold = probe_fold_accuracies(features, labels, folds, lambdas, seed)
    if per_fold is None:
        return None
    correct, sizes = per_fold
    return float(correct.sum() / sizes.sum())


def probe_fold_accuracies(
    features: np.ndarray,
    labels: np.ndarray,
    folds: int = 5,
    lambdas: tuple[float, ...] = LAMBDAS,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Per fold, the right answers of the best regularisation strength, and the fold's size.

    The strength is the one with the most right answers over all folds (as
    :func:`linear_probe_accuracy` picks it); None when a class has fewer than two samples.
    """
    counts = np.bincount(labels)
    folds = min(folds, int(counts[counts > 0].min()))
    if folds < 2:
        return None
    assignment = stratified_folds(labels, folds, seed)
    classes = int(labels.max()) + 1
    x = features.astype(np.float64)
    correct = {l2: np.zeros(folds) for l2 in lambdas}
    with single_thread():
        for fold in range(folds):
            _score_fold(x, labels, assignment == fold, classes, correct, fold)
    best = max(lambdas, key=lambda l2: correct[l2].sum())
    sizes = np.bincount(assignment, minlength=folds).astype(np.float64)
    return correct[best], sizes


def _score_fold(
    x: np.ndarray,
    labels: np.ndarray,
    test: np.ndarray,
    classes: int,
    correct: dict[float, np.ndarray],
    fold: int,
) -> None:
    """Fit one fold for every regularisation strength; add the right test answers to ``correct``."""
    x_train, x_test = standardise(x[~test], x[test])
    for l2 in correct:
        w = fit_softmax(x_train, labels[~test], classes, l2)
        pred = (np.hstack([x_test, np.ones((len(x_test), 1))]) @ w).argmax(axis=1)
        correct[l2][fold] += int((pred == labels[test]).sum())


@dataclass(frozen=True)
class Evidence:
    """One target's LogME fit: per-sample log evidence and the precisions that maximise it."""

    evidence: float
    alpha: float
    beta: float
    iterations: int


def log_evidence(
    alpha: float, beta: float, sigma: np.ndarray, proj2: np.ndarray, y2: float, n: int, d: int
) -> tuple[float, float, float]:
    """Log evidence of ``y ~ N(F m, 1/beta)``, ``m ~ N(0, 1/alpha)``, from the SVD of ``F``.

    Args:
        alpha: Prior precision of the weights.
        beta: Noise precision.
        sigma: The ``r`` non-zero squared singular values of ``F`` (``n x d``).
        proj2: Squared projections of ``y`` on the matching left singular vectors.
        y2: ``||y||^2``.
        n: Samples.
        d: Feature dimension.

    Returns:
        The total log evidence, ``||m||^2`` and the residual ``||F m - y||^2`` at the posterior mean.
    """
    t = alpha / beta
    m2 = float((sigma * proj2 / (sigma + t) ** 2).sum())
    res2 = float((proj2 * (t / (sigma + t)) ** 2).sum()) + (y2 - float(proj2.sum()))
    log_det = float(np.log(alpha + beta * sigma).sum()) + (d - len(sigma)) * math.log(alpha)
    evidence = (
        0.5 * d * math.log(alpha)
        + 0.5 * n * math.log(beta)
        - 0.5 * log_det
        - 0.5 * beta * res2
        - 0.5 * alpha * m2
        - 0.5 * n * math.log(2 * math.pi)
    )
    return evidence, m2, res2


def logme_target(
    sigma: np.ndarray, u: np.ndarray, y: np.ndarray, d: int, max_iter: int = 100, tol: float = 1e-3
) -> Evidence:
    """Maximise the evidence of one target over ``alpha`` and ``beta`` (the paper's Algorithm 1).

    The fixed point is ``alpha = gamma / ||m||^2``, ``beta = (n - gamma) / ||F m - y||^2`` with
    ``gamma = sum(beta * sigma / (alpha + beta * sigma))``; it stops when ``alpha / beta``
    changes by less than ``tol`` (relative).
    """
    n = len(y)
    proj2 = (u.T @ y) ** 2
    y2 = float(y @ y)
    alpha, beta = 1.0, 1.0
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        t = alpha / beta
        gamma = float((sigma / (sigma + t)).sum())
        _, m2, res2 = log_evidence(alpha, beta, sigma, proj2, y2, n, d)
        alpha = gamma / (m2 + 1e-10)
        beta = max(n - gamma, 1e-10) / (res2 + 1e-10)
        if abs(alpha / beta - t) / t <= tol:
            break
    evidence, _, _ = log_evidence(alpha, beta, sigma, proj2, y2, n, d)
    return Evidence(evidence / n, alpha, beta, iterations)


def logme(features: np.ndarray, labels: np.ndarray) -> float:
    """The LogME score: mean over classes of the maximised per-sample log evidence.

    Higher means the features linearly explain the one-hot labels better. Features are used as
    given (the paper does not normalise them); scores compare backbones on the same images.

    Args:
        features: ``(n, d)`` vectors.
        labels: ``(n,)`` class indices in ``[0, C)``.
    """
    f = features.astype(np.float64)
    with single_thread():
        u_t, s_t, _ = torch.linalg.svd(torch.from_numpy(f), full_matrices=False)
    u, s = u_t.numpy(), s_t.numpy()
    keep = s > s.max(initial=0.0) * 1e-10
    u, sigma = u[:, keep], s[keep] ** 2
    scores = [
        logme_target(sigma, u, (labels == c).astype(np.float64), f.shape[1]).evidence
        for c in range(int(labels.max()) + 1)
    ]
    return float(np.mean(scores))


def imagenet_likeness(logits: np.ndarray) -> tuple[float, float]:
    """Mean max-softmax confidence and mean normalised entropy of ImageNet logits.

    Returns:
        ``(confidence, entropy)``: confidence in ``(0, 1]``, entropy divided by ``log(classes)``
        so 0 is certain and 1 is uniform.
    """
    z = logits.astype(np.float64)
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    entropy = -(p * np.log(np.clip(p, 1e-30, None))).sum(axis=1) / math.log(p.shape[1])
    return float(p.max(axis=1).mean()), float(entropy.mean())
