import time

import numpy as np

from engine.doctor.quick_head import fit_quick_head, quick_round


def _data(n, classes=4, dim=1280, seed=0):
    centres = np.random.default_rng(100).normal(size=(classes, dim))  # the same classes for every seed
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    return (centres[y] + 2.5 * rng.normal(size=(n, dim))).astype(np.float32), y


def test_quick_round_learns_and_suggests_labels_fast():
    x, y = _data(2000)
    vx, vy = _data(400, seed=1)
    ux, uy = _data(50, seed=2)
    start = time.perf_counter()
    result = quick_round((x, y), (vx, vy), ux, 4)
    seconds = time.perf_counter() - start
    assert result.val_accuracy > 0.9 and result.val_images == 400
    assert (result.suggested == uy).mean() > 0.9
    assert ((result.confidence > 0) & (result.confidence <= 1)).all()
    assert seconds < 30  # a sanity bound only; bench/ measures the real figure


def test_a_corrected_label_changes_the_head():
    x, y = _data(200, dim=32)
    before = fit_quick_head(x, y, 4).probabilities(x[:1])[0]
    y2 = y.copy()
    y2[y == y[0]] = (y[0] + 1) % 4  # a whole class relabelled
    after = fit_quick_head(x, y2, 4).probabilities(x[:1])[0]
    assert before.argmax() == y[0] and after.argmax() == (y[0] + 1) % 4
