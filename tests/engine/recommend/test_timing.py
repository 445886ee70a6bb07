"""Time estimates: what a run does, counted from timed passes; the passes timed as the run makes them."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from engine.config import DEFAULTS, default_batch_size
from engine.data.preprocess import Preprocess
from engine.models.registry import BackboneSpec
from engine.recommend.pass_timer import time_passes
from engine.recommend.rules import DatasetSize, Measurement
from engine.recommend.timing import (
    BEST_SAVES,
    PassTimes,
    estimate_seconds,
    steady_rate,
    step_seconds,
    strategy_seconds,
)


def _m(extract_s=0.02, save_s=0.05, timing=None, uncached=None, name="a"):
    scores = {"knn": 0.9, "probe": 0.9, "imagenet_confidence": 0.6}
    return Measurement(
        name, scores, 0.01, 0.03, 8, extract_s, save_s=save_s, uncached=uncached, timing=timing
    )


SIZE = DatasetSize(train_images=400, val_images=100, classes=2, sample_size=120)


def test_times_count_epochs_validation_checkpoints_and_cached_features():
    m = _m()
    eta = estimate_seconds(SIZE, [m], m)
    assert 0 < eta["features"] < eta["linear"] < eta["partial"] < eta["full"] < eta["scratch"]
    assert "stack" not in eta
    # features: one extraction of the 380 images outside the measured sample
    slower = estimate_seconds(SIZE, [_m(extract_s=0.04)], _m(extract_s=0.04))
    assert slower["features"] - eta["features"] == pytest.approx(380 * 0.02, abs=0.1)
    cached = _m(uncached=0)
    assert estimate_seconds(SIZE, [cached], cached)["features"] < eta["features"] - 380 * 0.02
    # full: last.pt (weights and AdamW's two moments) every epoch, best.pt when it improves
    slow_saves = estimate_seconds(SIZE, [m], _m(save_s=1.05))
    saves = DEFAULTS["full"].epochs * (3 + BEST_SAVES)
    assert slow_saves["full"] - eta["full"] == pytest.approx(saves, abs=0.2)
    assert slow_saves["linear"] == eta["linear"]  # a frozen backbone is not saved
    stacked = estimate_seconds(SIZE, [m, _m(name="b")], m)["stack"]
    assert stacked > eta["features"] + 380 * 0.02 - 0.1  # both backbones extract
    weak = Measurement("w", {"probe": 0.5}, 0.01, 0.03, 8, 0.5)  # not stacked: its features fit poorly
    assert estimate_seconds(SIZE, [m, _m(name="b"), weak], m)["stack"] == stacked


def test_a_capped_run_counts_its_epochs_and_its_fixed_costs_once():
    m = _m(timing=PassTimes(0.01, 0.03, 0.05, warmup_s=2.0, build_s=1.5))
    two, four = (strategy_seconds("full", SIZE, [m], m, epochs) for epochs in (2, 4))
    per_epoch = (four - two) / 2
    assert per_epoch == pytest.approx(400 * (0.03 + 0.0) + 100 * 0.01 + 0.05 * 3.5, rel=0.01)
    fixed = two - 2 * per_epoch
    assert fixed > 2.0 + 1.5 + (100 + 400) * 0.01  # warm-up, building, and calibration's pass
    default = strategy_seconds("full", SIZE, [m], m)
    assert default == pytest.approx(fixed + DEFAULTS["full"].epochs * per_epoch)
    # heads: the cap bounds early stopping's expected epochs
    assert strategy_seconds("features", SIZE, [m], m, 1) < strategy_seconds("features", SIZE, [m], m)


def test_partial_back_propagates_through_the_share_of_the_unfrozen_groups():
    early = PassTimes(0.01, 0.03, group_shares=(0.4, 0.4, 0.1, 0.1))  # the cost sits in the frozen half
    late = PassTimes(0.01, 0.03, group_shares=(0.1, 0.1, 0.4, 0.4))
    assert step_seconds("partial", early, 2, 4) == pytest.approx(0.01 + 0.02 * 0.2)
    assert step_seconds("partial", late, 2, 4) == pytest.approx(0.01 + 0.02 * 0.8)
    assert step_seconds("partial", PassTimes(0.01, 0.03), 2, 4) == pytest.approx(0.02)  # by count
    assert step_seconds("linear", late, 4, 4) < step_seconds("full", late, 0, 4) == 0.03


def test_steady_rate_leaves_out_the_first_batch():
    marks = [(0.0, 0), (5.0, 32), (6.0, 64), (7.0, 96)]  # 4 s of session start in the first batch
    rate, setup = steady_rate(marks)
    assert rate == pytest.approx(1 / 32) and setup == pytest.approx(4.0)
    assert steady_rate(marks[:2]) is None
    assert steady_rate([(0.0, 10), (1.0, 10), (2.0, 10)]) is None  # nothing computed


class _Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2), nn.BatchNorm2d(4), nn.ReLU())
        self.body = nn.Sequential(nn.Conv2d(4, 8, 3, stride=2), nn.ReLU())
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())

    def forward(self, x):
        return self.pool(self.body(self.stem(x)))


def test_time_passes_times_the_runs_steps_with_its_threads_and_leaves_the_backbone_alone():
    tiny = _Tiny()
    pre = Preprocess(32, 36, (0.5,) * 3, (0.25,) * 3, "bilinear")
    spec = BackboneSpec("tiny", "test", 8, pre, None, 0.0, "x")
    before = {k: v.clone() for k, v in tiny.state_dict().items()}
    threads = torch.get_num_threads()
    groups = [("stem", tiny.stem), ("body", tiny.body)]
    t = time_passes(spec, tiny, groups, torch.device("cpu"), threads=1)
    assert t.threads == 1 and torch.get_num_threads() == threads
    assert t.batch == default_batch_size("full", on_cpu=True)
    assert t.forward_s > 0 and t.train_s > 0 and t.save_s > 0 and t.warmup_s >= 0
    assert len(t.group_shares) == 2 and sum(t.group_shares) == pytest.approx(1.0)
    assert t.calibrate_s > 0  # calibration's own pass (its preprocessing, batches of 32)
    assert all(torch.equal(before[k], v) for k, v in tiny.state_dict().items())
