"""Validation metrics of a run, computed once for training and the Evaluate stage."""

import json
import re

import numpy as np
import pytest

from engine.errors import RunError
from engine.runs.evaluation import load_evaluation, loss_and_accuracy, per_image_loss, predictions_file
from engine.runs.files import PREDICTIONS

PROBS = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
LABELS = np.array([0, 1, 1])


def test_training_loss_is_the_mean_of_the_per_image_losses():
    losses = per_image_loss(PROBS, LABELS)
    assert losses == pytest.approx(-np.log([0.9, 0.8, 0.4]))
    loss, acc = loss_and_accuracy(PROBS, LABELS)
    assert loss == pytest.approx(losses.mean()) and acc == pytest.approx(2 / 3)
    weighted, _ = loss_and_accuracy(PROBS, LABELS, np.array([1.0, 3.0]))
    assert weighted == pytest.approx((losses[0] + 3 * losses[1] + 3 * losses[2]) / 7)


def test_evaluation_metrics_from_the_predictions_file(tmp_path):
    pairs = enumerate(zip(LABELS, PROBS, strict=True))
    rows = [{"path": f"/x/{i}.png", "label": int(y), "probs": list(p)} for i, (y, p) in pairs]
    (tmp_path / PREDICTIONS).write_text(json.dumps(predictions_file(4, ["a", "b"], rows)))
    e = load_evaluation(tmp_path)
    assert e.epoch == 4 and e.confusion().tolist() == [[1, 0], [1, 1]]
    a, b = e.class_metrics()
    assert (a.precision, a.recall, b.precision, b.recall) == (0.5, 1.0, 1.0, 0.5)
    assert e.misclassified() == [2] and e.losses == pytest.approx(per_image_loss(PROBS, LABELS))
    assert set(e.changed_images()) == set(e.paths)  # none of them exists any more


def test_an_older_predictions_file_counts_its_epoch_from_one_and_a_bad_one_is_named(tmp_path):
    (tmp_path / PREDICTIONS).write_text(json.dumps({"epoch": 0, "classes": ["a", "b"], "rows": []}))
    assert load_evaluation(tmp_path).epoch == 1
    (tmp_path / PREDICTIONS).write_text(json.dumps({"epoch": 0, "classes": ["a"], "rows": [{"label": 0}]}))
    with pytest.raises(RunError, match=re.escape(PREDICTIONS)):
        load_evaluation(tmp_path)
