"""Out-of-fold logits of a head trained on cached features: each row predicted by a head that never saw it."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from engine.config import TrainConfig
from engine.trust.out_of_fold import (
    HeadRecipe,
    can_fold,
    out_of_fold_logits,
    stratified_folds,
    train_fresh_head,
)


def _recipe(epochs: int = 150, lr: float = 0.05) -> HeadRecipe:
    config = TrainConfig(data_dir="unused", strategy="features", epochs=epochs, batch_size=16, lr=lr,
                         weight_decay=0.0, schedule="none", optimizer="adamw")
    return HeadRecipe(config, epochs)


def _head(features: int, classes: int) -> nn.Sequential:
    return nn.Sequential(nn.Dropout(0.0), nn.Linear(features, classes))


def test_folds_are_stratified_balanced_and_seeded():
    labels = np.array([0] * 23 + [1] * 11 + [2] * 7)
    fold = stratified_folds(labels, 5, seed=3)
    assert np.array_equal(fold, stratified_folds(labels, 5, seed=3))
    sizes = np.bincount(fold, minlength=5)
    assert sizes.max() - sizes.min() <= 1
    for c in range(3):
        per_fold = np.bincount(fold[labels == c], minlength=5)
        assert per_fold.max() - per_fold.min() <= 1
    assert can_fold(labels) and not can_fold(np.array([0] * 10 + [1] * 4)) and not can_fold(np.zeros(9))


def test_out_of_fold_logits_do_not_memorise_what_an_in_sample_head_does():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 64)).astype(np.float32)
    y = rng.integers(0, 2, 100)  # labels unrelated to the features: only memorising fits them
    head, recipe = _head(64, 2), _recipe()
    in_sample = train_fresh_head(head, torch.from_numpy(x), torch.from_numpy(y), recipe, seed=0)
    with torch.no_grad():
        assert (in_sample(torch.from_numpy(x)).argmax(1).numpy() == y).mean() > 0.95
    oof = out_of_fold_logits(head, x, y, recipe)
    assert oof.shape == (100, 2)
    assert (oof.argmax(1) == y).mean() < 0.7  # chance level, give or take


def test_out_of_fold_logits_learn_a_real_signal_and_leave_the_head_and_rng_alone():
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(3), 20)
    x = (rng.normal(size=(60, 8)) + np.eye(3, 8)[y] * 4).astype(np.float32)
    head = _head(8, 3)
    before = [p.detach().clone() for p in head.parameters()]
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    oof = out_of_fold_logits(head, x, y, _recipe(epochs=30))
    assert torch.rand(1) == expected_next  # the run's random stream is not consumed
    assert all(torch.equal(a, b) for a, b in zip(before, head.parameters(), strict=True))
    assert (oof.argmax(1) == y).mean() > 0.9
