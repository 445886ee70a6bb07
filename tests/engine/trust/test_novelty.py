import numpy as np

from engine.trust.novelty import (
    auroc,
    choose_k,
    fit_novelty,
    knn_distance,
    l2_normalise,
    leave_one_class_out_auroc,
    select_reference,
)


def _clusters(n_per_class, classes=3, dim=32, seed=0, spread=0.05):
    centres = l2_normalise(np.random.default_rng(100).normal(size=(classes, dim)))  # same for every seed
    rng = np.random.default_rng(seed)
    x = np.concatenate([c + spread * rng.normal(size=(n_per_class, dim)) for c in centres])
    y = np.repeat(np.arange(classes), n_per_class)
    return x.astype(np.float32), y


def test_validation_false_reject_rate_is_five_percent_and_far_points_are_rejected():
    train, train_y = _clusters(200)
    val, _ = _clusters(400, seed=1)
    top_p = np.full(len(val), 0.9, dtype=np.float32)
    model = fit_novelty(train, train_y, val, top_p)
    fresh, _ = _clusters(400, seed=2)
    rate = float((model.scores(fresh, np.full(len(fresh), 0.9)) > 1).mean())
    assert 0.03 <= rate <= 0.07
    far = np.random.default_rng(3).normal(size=(50, 32)).astype(np.float32)
    assert (model.scores(far, np.full(50, 0.9)) > 1).mean() >= 0.95
    unsure = model.scores(fresh[:10], np.full(10, 0.34))
    assert (unsure > 1).all()  # a near-uniform answer is "unknown" even close to the training data


def test_k_and_reference_cap_cover_every_class():
    assert choose_k([5, 300]) == 1 and choose_k([50, 60]) == 5 and choose_k([200, 300]) == 10
    labels = np.array([0] * 9000 + [1] * 30)
    idx = select_reference(labels, cap=1000)
    assert len(idx) == 1000 and (labels[idx] == 1).sum() == 30


def test_knn_distance_is_cosine_to_kth_neighbour():
    ref = l2_normalise(np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32))
    d1 = knn_distance(np.array([[1.0, 0.0]]), ref, 1)
    d2 = knn_distance(np.array([[1.0, 0.0]]), ref, 2)
    assert np.isclose(d1[0], 0.0, atol=1e-6) and np.isclose(d2[0], 1 - np.sqrt(0.5), atol=1e-6)


def test_auroc_and_leave_one_class_out():
    assert auroc(np.array([0.0, 0.1]), np.array([0.5, 0.9])) == 1.0
    assert auroc(np.array([0.5]), np.array([0.5])) == 0.5
    x, y = _clusters(60, classes=4)
    vx, vy = _clusters(30, classes=4, seed=5)
    per_class = leave_one_class_out_auroc(x, y, vx, vy)
    assert set(per_class) == {0, 1, 2, 3} and min(per_class.values()) > 0.9
