"""Suspect labels by confident learning (Northcutt, Jiang and Chuang, "Confident Learning", JAIR 2021).

Written from the paper (cleanlab implements it, but is AGPL-licensed and this app is MIT):

1. Out-of-fold predicted probabilities: a regularised softmax regression on the cached features,
   5 stratified folds, so no image is judged by a model that saw its label.
2. Per-class thresholds ``t_j``: the mean probability of class ``j`` over the images labelled ``j``
   (the model's average self-confidence for that class).
3. The confident joint ``C[y][j]``: images labelled ``y`` whose probability of ``j`` reaches ``t_j``,
   counted under the most probable such ``j``.
4. Prune by noise rate: for each off-diagonal cell, the ``C[y][j]`` images labelled ``y`` with the
   largest margin ``p_j - p_y`` are the suspects, and ``j`` is the suggested label.
5. Rank the suspects by self-confidence ``p_y`` (lowest first).

About one flag in two is a real error in the paper's studies: the findings are a review queue,
never automatic changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.doctor import thresholds as th
from engine.doctor.findings import Finding
from engine.recommend.transferability import fit_softmax, single_thread, standardise, stratified_folds

L2 = 1e-2
COMPONENTS = 256  # principal components kept once images outnumber features (5x faster fits)


def principal_components(features: np.ndarray, keep: int = COMPONENTS) -> np.ndarray:
    """Features projected on their ``keep`` leading principal directions (labels not used).

    Only when there are more images than features: with fewer, the fit already works in the
    images' own span (:func:`~engine.recommend.transferability.standardise`).
    """
    x = features.astype(np.float64)
    x = x - x.mean(axis=0)
    if x.shape[1] <= keep or x.shape[0] <= x.shape[1]:
        return x
    return x @ leading_directions(x, keep)


def leading_directions(x: np.ndarray, keep: int) -> np.ndarray:
    """``(features, keep)``: the principal directions of centred ``x``, from its covariance.

    An eigendecomposition of the ``features x features`` covariance costs a fraction of an SVD of
    the whole matrix when images outnumber features.
    """
    _, vectors = np.linalg.eigh(x.T @ x)
    return vectors[:, ::-1][:, :keep]


def out_of_fold_probabilities(
    features: np.ndarray, labels: np.ndarray, folds: int = th.LABEL_FOLDS
) -> np.ndarray:
    """``(n, classes)`` probabilities, each row from a model trained without that image."""
    classes = int(labels.max()) + 1
    counts = np.bincount(labels, minlength=classes)
    folds = max(2, min(folds, int(counts[counts > 0].min())))
    assignment = stratified_folds(labels, folds)
    probs = np.full((len(labels), classes), 1.0 / classes)
    x = principal_components(features)
    with single_thread():
        for fold in range(folds):
            test = assignment == fold
            if test.all() or not test.any():
                continue
            train_x, test_x = standardise(x[~test], x[test])
            w = fit_softmax(train_x, labels[~test], classes, L2)
            logits = np.hstack([test_x, np.ones((len(test_x), 1))]) @ w
            logits -= logits.max(axis=1, keepdims=True)
            e = np.exp(logits)
            probs[test] = e / e.sum(axis=1, keepdims=True)
    return probs


def label_issues(probs: np.ndarray, labels: np.ndarray) -> list[tuple[int, int, float]]:
    """``(image, suggested class, self-confidence)`` of every suspect, lowest self-confidence first."""
    classes = probs.shape[1]
    thresholds = np.array(
        [probs[labels == j, j].mean() if (labels == j).any() else 1.0 for j in range(classes)]
    )
    confident = probs >= thresholds[None, :]
    masked = np.where(confident, probs, -1.0)
    guess = masked.argmax(axis=1)
    has_guess = confident.any(axis=1)
    suspects: dict[int, int] = {}
    for given in range(classes):
        for other in range(classes):
            if given == other:
                continue
            cell = np.flatnonzero((labels == given) & has_guess & (guess == other))
            if not len(cell):
                continue
            members = np.flatnonzero(labels == given)
            margin = probs[members, other] - probs[members, given]
            for i in members[np.argsort(-margin, kind="stable")[: len(cell)]]:
                if probs[i, other] > probs[i, given]:
                    suspects.setdefault(int(i), other)
    ranked = sorted(suspects.items(), key=lambda item: probs[item[0], labels[item[0]]])
    return [(i, j, float(probs[i, labels[i]])) for i, j in ranked]


def label_findings(
    features: np.ndarray, labels: np.ndarray, paths: Sequence[str], classes: Sequence[str]
) -> list[Finding]:
    """Suspect labels as findings, most suspicious first (suggested action: relabel)."""
    if len(labels) < 2 * th.LABEL_FOLDS or len(np.unique(labels)) < 2:
        return []
    probs = out_of_fold_probabilities(features, labels)
    return [
        Finding("label", "medium", (paths[i],), 1.0 - confidence,
                f"labelled '{classes[labels[i]]}' but looks like '{classes[j]}' "
                f"({probs[i, j]:.0%} vs {confidence:.0%}, out-of-fold)",
                f"relabel:{classes[j]}", (classes[labels[i]], classes[j]))
        for i, j, confidence in label_issues(probs, labels)
    ]
