"""Slow checks on the real datasets beside the project (skipped where ../shared is absent)."""

import pytest
from helpers import shared_dataset

from engine.config import TrainConfig
from engine.events import RunStatus
from engine.training.loop import fit

pytestmark = pytest.mark.slow


def test_hymenoptera_features_reaches_095(tmp_path):
    data = shared_dataset("hymenoptera")
    result = fit(TrainConfig(data_dir=str(data), strategy="features", out_dir=str(tmp_path / "run")))
    assert result.status is RunStatus.COMPLETED
    assert result.best_val_acc >= 0.95
    assert result.skipped == ()


def test_sign_language_partial_beats_features(tmp_path):
    data = shared_dataset("sign_language_digits")
    feats = fit(TrainConfig(data_dir=str(data), strategy="features", out_dir=str(tmp_path / "f")))
    part = fit(TrainConfig(data_dir=str(data), strategy="partial", epochs=3, out_dir=str(tmp_path / "p")))
    assert part.best_val_acc > feats.best_val_acc
