"""Transferability scores on synthetic features: kNN, linear probe, LogME, ImageNet-likeness."""

import math

import numpy as np
import pytest

from engine.recommend.transferability import (
    fit_softmax,
    imagenet_likeness,
    knn_accuracy,
    linear_probe_accuracy,
    log_evidence,
    logme,
    logme_target,
    stratified_folds,
)


def _clusters(n_per_class=20, classes=3, dim=16, spread=0.1, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, dim)) * 3
    labels = np.repeat(np.arange(classes), n_per_class)
    return centres[labels] + spread * rng.normal(size=(len(labels), dim)), labels


def _random(n_per_class=20, classes=3, dim=16, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_per_class * classes, dim)), np.repeat(np.arange(classes), n_per_class)


def test_knn_separates_clusters_and_not_noise():
    assert knn_accuracy(*_clusters()) == 1.0
    assert knn_accuracy(*_random()) < 0.6


def test_knn_known_small_case():
    # Two tight pairs; the odd point in each pair's direction is voted by its single neighbour (k=1).
    x = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    assert knn_accuracy(x, np.array([0, 0, 1, 1]), k=1) == 1.0
    assert knn_accuracy(x, np.array([0, 1, 0, 1]), k=1) == 0.0
    assert knn_accuracy(x[:1], np.array([0])) == 0.0


def test_stratified_folds_spread_every_class():
    labels = np.repeat([0, 1, 2], [10, 5, 7])
    folds = stratified_folds(labels, 5)
    for fold in range(5):
        assert set(labels[folds == fold]) == {0, 1, 2}
    assert np.array_equal(folds, stratified_folds(labels, 5))


def test_linear_probe_separable_noise_and_too_few():
    assert linear_probe_accuracy(*_clusters()) == 1.0
    assert linear_probe_accuracy(*_random()) < 0.6
    x, y = _clusters()
    assert linear_probe_accuracy(x[:21], y[:21]) is None  # class 1 has a single sample


def test_fit_softmax_reaches_the_optimum():
    x, y = _random(dim=8)
    l2 = 0.1
    w = fit_softmax(x, y, 3, l2, steps=1000, tol=1e-9)
    xb = np.hstack([x, np.ones((len(x), 1))])
    z = xb @ w
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    grad = xb.T @ (p - np.eye(3)[y]) / len(y)
    grad[:-1] += l2 * w[:-1]
    assert np.abs(grad).max() < 1e-4


def _gaussian_log_density(f, y, alpha, beta):
    """log N(y; 0, I / beta + F F^T / alpha), written out directly."""
    cov = np.eye(len(y)) / beta + f @ f.T / alpha
    _, logdet = np.linalg.slogdet(cov)
    return -0.5 * (len(y) * math.log(2 * math.pi) + logdet + y @ np.linalg.solve(cov, y))


@pytest.mark.parametrize("n, d", [(12, 4), (5, 9)])
def test_logme_evidence_matches_the_gaussian_marginal_at_its_maximum(n, d):
    rng = np.random.default_rng(3)
    f = rng.normal(size=(n, d))
    y = (rng.random(n) > 0.5).astype(float)
    u, s, _ = np.linalg.svd(f, full_matrices=False)
    fit = logme_target(s**2, u, y, d, max_iter=1000, tol=1e-10)
    assert fit.evidence * n == pytest.approx(_gaussian_log_density(f, y, fit.alpha, fit.beta), rel=1e-6)
    # A fixed point of the evidence: nudging either precision lowers it.
    for a, b in ((1.05, 1), (0.95, 1), (1, 1.05), (1, 0.95)):
        other, _, _ = log_evidence(fit.alpha * a, fit.beta * b, s**2, (u.T @ y) ** 2, y @ y, n, d)
        assert other <= fit.evidence * n + 1e-9


def test_logme_prefers_separable_features():
    good = logme(*_clusters(spread=0.5))
    noise = logme(*_random())
    assert good > noise
    assert math.isfinite(good) and math.isfinite(noise)


def test_imagenet_likeness_extremes():
    conf, entropy = imagenet_likeness(np.zeros((3, 1000)))
    assert conf == pytest.approx(1e-3) and entropy == pytest.approx(1.0)
    sharp = np.zeros((2, 1000))
    sharp[:, 7] = 50.0
    conf, entropy = imagenet_likeness(sharp)
    assert conf == pytest.approx(1.0) and entropy < 1e-3
