"""Early stopping: a run ends once validation loss stops improving, keeps its best weights and says why."""

import math

import torch
from helpers import COLORS, make_image

from engine.config import DEFAULT_PATIENCE, TrainConfig
from engine.events import RunFinished, RunStatus
from engine.runs.checkpoints import load_run_model
from engine.runs.files import read_history, read_info
from engine.training.early_stopping import EarlyStopping
from engine.training.loop import fit

SMALL = "squeezenet1_1"


def test_counts_epochs_since_the_lowest_loss_and_stops_at_the_patience():
    stopper = EarlyStopping(patience=2)
    assert [stopper.update(e, loss) for e, loss in enumerate((0.9, 0.5, 0.6, 0.7), start=1)] == [
        False,
        False,
        False,
        True,
    ]
    assert (stopper.best_epoch, stopper.best_loss, stopper.stale) == (2, 0.5, 2)
    assert stopper.reason == "validation loss did not improve for 2 epochs (lowest 0.5000 at epoch 2)"


def test_an_improvement_resets_the_count_and_noise_does_not():
    stopper = EarlyStopping(patience=2)
    stopper.update(1, 0.5)
    assert not stopper.update(2, 0.6)
    assert not stopper.update(3, 0.4)  # better: counting starts again
    assert not stopper.update(4, 0.4 - 1e-6)  # lower by less than MIN_DELTA: not progress
    assert stopper.update(5, 0.45)


def test_nan_loss_counts_neither_way_and_zero_patience_never_stops():
    stopper = EarlyStopping(patience=1)
    assert not stopper.update(1, math.nan) and stopper.stale == 0
    off = EarlyStopping(patience=0)
    assert not any(off.update(e, float(e)) for e in range(1, 50))


def test_state_survives_a_resume():
    stopper = EarlyStopping(patience=3)
    for epoch, loss in enumerate((0.5, 0.7, 0.8), start=1):
        stopper.update(epoch, loss)
    again = EarlyStopping(patience=3)
    again.load_state_dict(stopper.state_dict())
    assert again.update(4, 0.9)  # the third stale epoch, counted across the resume
    fresh = EarlyStopping(patience=3)
    fresh.load_state_dict(None)  # a run saved before early stopping existed
    assert fresh.stale == 0 and fresh.best_loss == math.inf


def test_on_by_default_for_head_only_strategies_and_for_auto_off_for_the_others():
    def patience(strategy: str) -> int | None:
        return TrainConfig(data_dir="d", strategy=strategy).resolved().early_stopping

    assert [patience(s) for s in ("features", "linear", "stack")] == [DEFAULT_PATIENCE] * 3
    assert [patience(s) for s in ("partial", "full", "scratch")] == [0, 0, 0]
    auto = TrainConfig(data_dir="d", strategy="auto").with_early_stopping_on()
    assert auto.early_stopping == DEFAULT_PATIENCE
    told = TrainConfig(data_dir="d", strategy="auto", early_stopping=0).with_early_stopping_on()
    assert told.early_stopping == 0
    assert TrainConfig(data_dir="d", strategy="features", early_stopping=0).resolved().early_stopping == 0
    assert "early stopping patience must be at least 0" in TrainConfig("d", early_stopping=-1).validate()[0]


def _contradicting_split(root):
    """Training teaches red = a, green = b; validation says the opposite, so val loss rises as it learns."""
    for i in range(6):
        make_image(root / "train" / "a" / f"r{i}.png", COLORS["red"], seed=i)
        make_image(root / "train" / "b" / f"g{i}.png", COLORS["green"], seed=10 + i)
    for i in range(3):
        make_image(root / "val" / "a" / f"g{i}.png", COLORS["green"], seed=20 + i)
        make_image(root / "val" / "b" / f"r{i}.png", COLORS["red"], seed=30 + i)
    return root


def test_a_run_whose_validation_loss_rises_stops_early_keeps_the_best_weights_and_says_why(tmp_path):
    config = TrainConfig(
        data_dir=str(_contradicting_split(tmp_path / "data")),
        strategy="features",
        backbones=(SMALL,),
        pretrained=False,
        epochs=40,
        lr=0.05,
        batch_size=4,
        early_stopping=3,
        out_dir=str(tmp_path / "run"),
        num_workers=0,
        feature_engine="torch",
        threads=2,
    )
    events = []
    result = fit(config, callbacks=[events.append])
    history = read_history(result.run_dir)
    losses = [row["val_loss"] for row in history]
    lowest = losses.index(min(losses)) + 1
    assert result.status is RunStatus.COMPLETED
    assert result.stopped_early and result.epochs_completed == lowest + 3 < 40
    assert result.stop_reason.startswith("validation loss did not improve for 3 epochs")
    assert "stopped early" in result.message
    info = read_info(result.run_dir)
    assert info.stopped_early and info.stop_reason == result.stop_reason and info.status == "completed"
    assert isinstance(events[-1], RunFinished) and events[-1].stopped_early
    best, _ = load_run_model(result.run_dir, "best")
    last, _ = load_run_model(result.run_dir, "last")
    assert info.best_val_acc == max(row["val_acc"] for row in history)
    assert not torch.equal(best.head[-1].weight, last.head[-1].weight)  # the best epoch's, not the last's
    best_state = torch.load(tmp_path / "run" / "best.pt", weights_only=False)
    assert best_state["epoch"] == info.best_epoch < result.epochs_completed


def test_without_early_stopping_every_epoch_is_trained(tmp_path):
    config = TrainConfig(
        data_dir=str(_contradicting_split(tmp_path / "data")),
        strategy="features",
        backbones=(SMALL,),
        pretrained=False,
        epochs=6,
        lr=0.05,
        batch_size=4,
        early_stopping=0,
        out_dir=str(tmp_path / "run"),
        num_workers=0,
        feature_engine="torch",
        threads=2,
    )
    result = fit(config)
    assert result.epochs_completed == 6 and not result.stopped_early and result.stop_reason == ""
