"""``auto`` measures a short fine-tune only when it could pay, and lists everything it tried."""

import dataclasses
import json

import pytest

import engine.recommend.auto as auto
import engine.training.loop as loop
from engine.config import TrainConfig
from engine.control import RunControl
from engine.data.scan import TRAIN, VAL, DatasetIndex, Sample
from engine.events import RunFinished, RunStatus
from engine.recommend.evidence import ProbeCurve
from engine.recommend.recommender import Measured
from engine.recommend.rules import DatasetSize, Measurement


def _index(per_class=40, classes=2):
    samples = [Sample(f"/d/c{c}/{i}.jpg", c, TRAIN if i % 5 else VAL) for c in range(classes)
               for i in range(per_class)]
    return DatasetIndex("/d", [f"c{c}" for c in range(classes)], samples)


def _found(probe, conf=0.7, per_class=40, train_s=0.03):
    index = _index(per_class)
    curve = ProbeCurve((16.0, 32.0, 48.0), (probe, probe, probe), 0.02, 60)
    scores = {"knn": probe, "probe": probe, "logme": 0.0, "imagenet_confidence": conf}
    m = Measurement("net", scores, 0.01, train_s, 8, None, save_s=0.01, curve=curve)
    train = index.subset(TRAIN)
    size = DatasetSize(len(train), len(index.subset(VAL)), 2, len(train), 0.001)
    return index, Measured(size, [m], train, None, 3.0)


class FakeFit:
    """Stands in for ``fit``: a fixed accuracy per strategy, and records what it trained."""

    def __init__(self, accuracy):
        self.accuracy, self.calls = accuracy, []

    def __call__(self, config, callbacks, control, index, reason=""):
        self.calls.append((config.strategy, config.epochs, len(index.subset(TRAIN)), len(index.subset(VAL))))
        control.request_stop("early stop of a trial")  # as fit does; must not reach the caller's control
        return RunFinished(RunStatus.COMPLETED, config.out_dir, 1, self.accuracy[config.strategy], 1, 0.5,
                           strategy=config.strategy)


@pytest.fixture
def fake(monkeypatch):
    def install(probe, accuracy, conf=0.7):
        index, found = _found(probe, conf)
        monkeypatch.setattr(auto, "measure", lambda *a, **k: found)
        fit = FakeFit(accuracy)
        monkeypatch.setattr(loop, "fit", fit)
        return index, fit

    return install


def test_a_near_perfect_head_stops_there_without_a_trial(fake):
    index, fit = fake(0.99, {"features": 0.99, "partial": 1.0})
    choice = auto.choose_auto(TrainConfig("/d", backbones=("net",)), index)
    assert choice.config.strategy == "features" and not fit.calls
    assert len(choice.tried) == 1 and choice.tried[0]["stopped"].startswith("stopped at the head")


def test_a_measured_gain_decides_between_head_and_fine_tune(fake):
    index, fit = fake(0.75, {"features": 0.75, "partial": 0.9}, conf=0.1)
    control = RunControl()
    choice = auto.choose_auto(TrainConfig("/d", backbones=("net",)), index, control=control)
    assert control.stop_reason is None  # the real run is not stopped by a trial's early stop
    assert [c[:2] for c in fit.calls] == [("features", None), ("partial", auto.TRIAL_EPOCHS)]
    assert fit.calls[0][2:] == (32, 32)  # the same half of the sample trains both, the other half validates
    assert choice.config.strategy in ("partial", "full")
    assert choice.recommendation.strategies["partial"]["measured"]
    assert [t["strategy"] for t in choice.tried] == ["features", "features", "partial"]
    assert "+15.0 points" in choice.tried[-1]["stopped"]
    assert "Measured first" in choice.reason and "+15.0 points" in choice.reason

    index, fit = fake(0.75, {"features": 0.8, "partial": 0.78}, conf=0.1)
    assert auto.choose_auto(TrainConfig("/d", backbones=("net",)), index).config.strategy == "features"


def test_a_tight_budget_skips_the_trial(fake):
    index, fit = fake(0.75, {"features": 0.75, "partial": 0.9}, conf=0.1)
    config = TrainConfig("/d", backbones=("net",), extra={"goal": "fastest-good", "time_budget": 5})
    choice = auto.choose_auto(config, index)
    assert not fit.calls and choice.config.strategy == "features"
    assert "stopped at the head" in choice.tried[0]["stopped"]


def test_the_final_result_lists_every_step_and_the_runs_expected_range():
    result = RunFinished(RunStatus.COMPLETED, "/r", 3, 0.9, 5, 12.0, strategy="features")
    forecast = {"strategy": "features", "expected_acc": [0.86, 0.93]}
    step = {"strategy": "features", "accuracy": 0.88, "seconds": 3.0, "stopped": "x", "forecast": forecast}
    tried = (step,)
    final = auto.with_final_run(result, tried)
    data = json.loads(json.dumps(final.to_dict()))
    assert [t["strategy"] for t in data["tried"]] == ["features", "features"]
    assert data["tried"][-1]["accuracy"] == 0.9 and data["tried"][-1]["seconds"] == 12.0
    assert data["tried"][-1]["expected_acc"] == [0.86, 0.93] and "forecast" not in data["tried"][0]
    assert "forecast" in tried[0]  # the caller's steps are not changed
    other = auto.with_final_run(dataclasses.replace(result, strategy="partial"), tried)
    assert "expected_acc" not in other.tried[-1]  # a range for another strategy is not this run's
    assert auto.with_final_run(result, ()) is result


def test_choose_auto_hands_the_chosen_strategys_range_to_the_run(fake):
    index, _ = fake(0.99, {"features": 0.99, "partial": 1.0})
    choice = auto.choose_auto(TrainConfig("/d", backbones=("net",)), index)
    forecast = choice.tried[-1]["forecast"]
    assert forecast["strategy"] == "features"
    assert forecast["expected_acc"] == choice.recommendation.strategies["features"]["expected_acc"]


def test_a_fine_tune_cap_bounds_only_the_image_strategies():
    capped = TrainConfig("/d", extra={auto.FINE_TUNE_CAP: 2})
    assert auto.capped_epochs(capped, "partial") == 2 and auto.capped_epochs(capped, "full") == 2
    assert auto.capped_epochs(capped, "features") is None  # the head keeps its epochs
    assert auto.capped_epochs(dataclasses.replace(capped, epochs=1), "partial") == 1
    assert auto.capped_epochs(TrainConfig("/d"), "partial") is None


def test_goal_and_budget_come_from_the_config():
    assert auto.goal_and_budget(TrainConfig("/d")) == ("fastest-good", None)
    extra = {"goal": "most-accurate", "time_budget": 90}
    assert auto.goal_and_budget(TrainConfig("/d", extra=extra)) == ("most-accurate", 90.0)
