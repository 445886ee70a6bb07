"""The six strategies end to end on tiny generated data (CPU, seconds each)."""

import dataclasses
import json
import threading

import pytest
import torch

from engine.config import TrainConfig
from engine.control import RunControl
from engine.events import (
    BatchEnded,
    BestImproved,
    EpochEnded,
    RunFinished,
    RunStarted,
    RunStatus,
    StageChanged,
)
from engine.models.registry import build_backbone, layer_groups
from engine.runs.checkpoints import load_run_model
from engine.runs.files import read_history, read_info
from engine.training.loop import class_weights, fit

SMALL = "squeezenet1_1"


def _config(data, tmp_path, **kw):
    base = dict(
        data_dir=str(data),
        backbones=(SMALL,),
        pretrained=False,
        epochs=2,
        batch_size=4,
        out_dir=str(tmp_path / "run"),
        num_workers=0,
        feature_engine="torch",
        threads=2,
    )
    base.update(kw)
    return TrainConfig(**base)


def _equal_states(a, b):
    pairs = zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    return all(torch.equal(x, y) for x, y in pairs)


def test_features_strategy_with_bundled_weights_writes_a_loadable_run(tiny_dataset, tmp_path):
    events = []
    cfg = _config(
        tiny_dataset,
        tmp_path,
        backbones=("efficientnet_lite0",),
        pretrained=True,
        strategy="features",
        epochs=5,
    )
    result = fit(cfg, callbacks=[events.append])
    assert result.status is RunStatus.COMPLETED
    assert result.best_val_acc == 1.0  # red vs green is trivial for ImageNet features
    assert isinstance(events[0], RunStarted) or any(isinstance(e, RunStarted) for e in events)
    assert isinstance(events[-1], RunFinished) and events[-1].status is RunStatus.COMPLETED
    assert sum(isinstance(e, EpochEnded) for e in events) == 5
    info = read_info(result.run_dir)
    assert info.status == "completed" and info.frozen_backbones == [True]
    assert len(read_history(result.run_dir)) == 5
    _model, _ = load_run_model(result.run_dir)
    preds = json.loads((tmp_path / "run" / "val_predictions.json").read_text())
    assert len(preds["rows"]) == info.val_images


def test_feature_cache_is_reused_by_a_second_run(tiny_dataset, tmp_path, monkeypatch):
    import engine.training.pipelines as pipelines

    calls = []
    real = pipelines.make_extractor
    monkeypatch.setattr(pipelines, "make_extractor", lambda *a, **k: calls.append(1) or real(*a, **k))
    fit(_config(tiny_dataset, tmp_path, strategy="features", out_dir=str(tmp_path / "a")))
    first = len(calls)
    fit(_config(tiny_dataset, tmp_path, strategy="features", out_dir=str(tmp_path / "b")))
    assert first == 2 and len(calls) == first  # train + val the first time, nothing the second


def test_linear_keeps_backbone_and_batchnorm_statistics_frozen(tiny_dataset, tmp_path, monkeypatch):
    torch.manual_seed(0)
    result = fit(
        _config(
            tiny_dataset,
            tmp_path,
            strategy="linear",
            backbones=("efficientnet_lite0",),
            pretrained=True,
            epochs=1,
        )
    )
    model, _ = load_run_model(result.run_dir)
    fresh = build_backbone("efficientnet_lite0", pretrained=True)
    for key, value in fresh.state_dict().items():
        assert torch.equal(model.backbones[0].state_dict()[key], value), key


def test_partial_freezes_first_k_groups_and_trains_the_rest(tiny_dataset, tmp_path):
    torch.manual_seed(0)
    result = fit(_config(tiny_dataset, tmp_path, strategy="partial", freeze_k=2, epochs=1, lr=1e-2))
    model, info = load_run_model(result.run_dir)
    assert info.frozen_backbones == [False]
    torch.manual_seed(0)
    start = build_backbone(SMALL, pretrained=False)  # the same seeded initialisation fit used
    groups_now, groups_start = layer_groups(SMALL, model.backbones[0]), layer_groups(SMALL, start)
    for i, ((name, now), (_, before)) in enumerate(zip(groups_now, groups_start, strict=True)):
        same = all(
            torch.equal(a, b)
            for a, b in zip(now.state_dict().values(), before.state_dict().values(), strict=False)
        )
        if i < 2:
            assert same, f"group {name} should be frozen"
    assert not all(
        torch.equal(a, b)
        for a, b in zip(
            groups_now[-1][1].state_dict().values(), groups_start[-1][1].state_dict().values(), strict=False
        )
    )


def test_partial_uses_a_tenth_of_the_head_rate_for_the_backbone(tiny_dataset):
    from engine.models.classifier import TransferModel
    from engine.training.strategies import setup_strategy

    model = TransferModel([build_backbone(SMALL, pretrained=False)], [512], 2)
    cfg = TrainConfig(data_dir=str(tiny_dataset), strategy="partial", backbones=(SMALL,), lr=1e-3).resolved()
    setup = setup_strategy(model, cfg)
    rates = {g["name"]: g["lr"] for g in setup.param_groups}
    assert rates["backbone"] == pytest.approx(rates["head"] / 10)
    assert setup.frozen_groups == setup.total_groups // 2


@pytest.mark.parametrize("strategy", ["full", "scratch"])
def test_full_and_scratch_train_every_layer(tiny_dataset, tmp_path, strategy):
    events = []
    result = fit(
        _config(tiny_dataset, tmp_path, strategy=strategy, epochs=1, lr=1e-2), callbacks=[events.append]
    )
    assert result.status is RunStatus.COMPLETED
    assert any(isinstance(e, BatchEnded) for e in events)
    assert any(isinstance(e, BestImproved) for e in events)
    info = read_info(result.run_dir)
    assert info.frozen_backbones == [False] and info.strategy == strategy


def test_stack_concatenates_two_backbones_into_one_model(tiny_dataset, tmp_path):
    result = fit(_config(tiny_dataset, tmp_path, strategy="stack", backbones=(SMALL, "mobilenet_v3_small")))
    model, info = load_run_model(result.run_dir)
    assert info.backbones == [SMALL, "mobilenet_v3_small"]
    assert model.head[-1].in_features == 512 + 1024
    x = torch.rand(1, 3, 224, 224)
    assert model([x, x]).shape == (1, 2)


def test_partial_can_continue_from_a_features_run(tiny_dataset, tmp_path):
    first = fit(_config(tiny_dataset, tmp_path, strategy="features", out_dir=str(tmp_path / "a")))
    head, _ = load_run_model(first.run_dir)
    second = fit(
        _config(
            tiny_dataset,
            tmp_path,
            strategy="partial",
            epochs=1,
            lr=1e-9,
            init_from=first.run_dir,
            out_dir=str(tmp_path / "b"),
        )
    )
    tuned, _ = load_run_model(second.run_dir)
    # a vanishing learning rate keeps the continued head where the features run left it
    assert torch.allclose(tuned.head[-1].weight, head.head[-1].weight, atol=1e-5)


def test_cancel_from_another_thread_keeps_best_weights(tiny_dataset, tmp_path):
    control = RunControl()
    seen = []

    def on_event(event):
        seen.append(event)
        if isinstance(event, EpochEnded):
            threading.Thread(target=control.cancel).start()

    result = fit(_config(tiny_dataset, tmp_path, strategy="full", epochs=50), [on_event], control)
    assert result.status is RunStatus.CANCELLED
    assert 1 <= result.epochs_completed < 50
    load_run_model(result.run_dir)  # the best weights so far load
    assert read_info(result.run_dir).status == "cancelled"


def test_pause_blocks_steps_until_resume(tiny_dataset, tmp_path):
    control = RunControl()
    steps = []

    def on_event(event):
        if isinstance(event, BatchEnded):
            steps.append(event.step)
            if len(steps) == 1:
                control.pause()
                threading.Timer(0.3, control.resume).start()

    result = fit(_config(tiny_dataset, tmp_path, strategy="full", epochs=1), [on_event], control)
    assert result.status is RunStatus.COMPLETED and len(steps) >= 2


def test_bad_image_is_skipped_and_reported(tiny_dataset, tmp_path):
    (tiny_dataset / "red" / "zero.png").write_bytes(b"")
    result = fit(_config(tiny_dataset, tmp_path, strategy="features"))
    assert result.status is RunStatus.COMPLETED
    assert [reason for _path, reason in result.skipped] == ["empty file (0 bytes)"]


def test_nan_loss_fails_before_the_step_and_keeps_the_last_good_weights(tiny_dataset, tmp_path, monkeypatch):
    import engine.training.loop as loop

    class PoisonedLoss(torch.nn.CrossEntropyLoss):
        calls = 0

        def forward(self, logits, labels):
            PoisonedLoss.calls += 1
            loss = super().forward(logits, labels)
            return loss * float("nan") if PoisonedLoss.calls > 3 else loss

    monkeypatch.setattr(loop.nn, "CrossEntropyLoss", PoisonedLoss)
    with pytest.raises(Exception, match="NaN"):
        fit(_config(tiny_dataset, tmp_path, strategy="full", epochs=5))
    info = read_info(tmp_path / "run")
    assert info.status == "failed" and "NaN" in info.message and info.epochs_completed >= 1
    model, _ = load_run_model(tmp_path / "run")
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_class_weights_only_when_imbalanced():
    import numpy as np

    assert class_weights(np.array([0, 0, 1, 1]), 2) is None
    w = class_weights(np.array([0] * 9 + [1] * 3), 2)
    assert w[1] > w[0]


@pytest.mark.parametrize("stage", ["Checking images", "Computing"])
def test_cancel_during_preparation_ends_cancelled_not_failed(tiny_dataset, tmp_path, stage):
    control = RunControl()
    seen = []

    def on_event(event):
        seen.append(event)
        if isinstance(event, StageChanged) and event.stage.startswith(stage):
            control.cancel()

    result = fit(_config(tiny_dataset, tmp_path, strategy="features"), [on_event], control)
    assert result.status is RunStatus.CANCELLED
    assert result.epochs_completed == 0 and "cancelled" in result.message
    assert any(isinstance(e, StageChanged) and e.stage.startswith(stage) for e in seen)
    if result.run_dir:
        assert read_info(result.run_dir).status == "cancelled"


def test_cancel_before_start_returns_a_cancelled_result(tiny_dataset, tmp_path):
    control = RunControl()
    control.cancel()
    result = fit(_config(tiny_dataset, tmp_path, strategy="features"), [], control)
    assert result.status is RunStatus.CANCELLED and result.best_epoch <= 0


def test_resume_continues_where_a_cancelled_run_stopped(tiny_dataset, tmp_path):
    control = RunControl()

    def cancel_after_two(event):
        if isinstance(event, EpochEnded) and event.epoch == 2:
            control.cancel()

    cfg = _config(tiny_dataset, tmp_path, strategy="full", epochs=4, schedule="step", step_size=1, gamma=0.5)
    first = fit(cfg, [cancel_after_two], control)
    assert first.status is RunStatus.CANCELLED and first.epochs_completed == 2
    events = []
    resumed = fit(dataclasses.replace(cfg, resume=True), [events.append])
    assert resumed.status is RunStatus.COMPLETED and resumed.run_dir == first.run_dir
    assert [e.epoch for e in events if isinstance(e, EpochEnded)] == [3, 4]  # counted from 1
    history = read_history(resumed.run_dir)
    assert [row["epoch"] for row in history] == [1, 2, 3, 4]
    # the step schedule went on from where it was: 1e-3 halved every epoch
    assert [round(row["lr"] / history[0]["lr"], 4) for row in history] == [1.0, 0.5, 0.25, 0.125]
    assert read_info(resumed.run_dir).status == "completed" and resumed.seconds >= first.seconds


def test_resume_without_a_finished_epoch_is_refused(tiny_dataset, tmp_path):
    from engine.errors import RunError

    control = RunControl()
    cfg = _config(tiny_dataset, tmp_path, strategy="full", epochs=2)
    fit(cfg, [lambda e: isinstance(e, BatchEnded) and control.cancel()], control)
    assert read_info(cfg.out_dir).status == "cancelled"
    with pytest.raises(RunError, match="no epoch finished"):
        fit(dataclasses.replace(cfg, resume=True))
    assert read_info(cfg.out_dir).status == "cancelled"  # the refusal changed nothing


def test_image_strategies_take_smaller_batches_on_a_cpu_unless_told():
    from engine.config import CPU_IMAGE_BATCH, DEFAULTS

    def batch(strategy, on_cpu, **kw):
        return TrainConfig(data_dir="d", strategy=strategy, **kw).resolved(on_cpu=on_cpu).batch_size

    assert batch("full", True) == CPU_IMAGE_BATCH < DEFAULTS["full"].batch_size == batch("full", False)
    assert batch("features", True) == DEFAULTS["features"].batch_size
    assert batch("full", True, batch_size=48) == 48


def test_epochs_are_counted_from_one_in_events_history_and_run_json(tiny_dataset, tmp_path):
    events = []
    result = fit(_config(tiny_dataset, tmp_path, strategy="features", epochs=3), [events.append])
    info = read_info(result.run_dir)
    epochs = [e.epoch for e in events if isinstance(e, EpochEnded)]
    best = [e.epoch for e in events if isinstance(e, BestImproved)]
    assert epochs == [1, 2, 3] and [r["epoch"] for r in read_history(result.run_dir)] == [1, 2, 3]
    assert all(e.epoch >= 1 for e in events if isinstance(e, BatchEnded))
    assert info.best_epoch == best[-1] == result.best_epoch and 1 <= info.best_epoch <= 3
    preds = json.loads((tmp_path / "run" / "val_predictions.json").read_text())
    assert preds["epoch"] == info.best_epoch


def test_fit_refuses_an_unresolved_auto_strategy(tiny_dataset, tmp_path):
    from engine.errors import ConfigError

    with pytest.raises(ConfigError, match="resolved"):
        fit(_config(tiny_dataset, tmp_path, strategy="auto"))
    assert not (tmp_path / "run").exists()


def test_a_failing_listener_reaches_the_log_and_the_runs_message(tiny_dataset, tmp_path, caplog):
    def broken(event):
        if isinstance(event, EpochEnded):
            raise ValueError("plot exploded")

    result = fit(_config(tiny_dataset, tmp_path, strategy="features", epochs=2), [broken])
    assert result.status is RunStatus.COMPLETED
    assert "plot exploded" in result.message and "2 time(s)" in result.message
    assert "plot exploded" in read_info(result.run_dir).message
    assert any("plot exploded" in r.getMessage() for r in caplog.records)


def test_the_run_records_its_dataset_and_owner(tiny_dataset, tmp_path):
    import os

    result = fit(_config(tiny_dataset, tmp_path, strategy="features", epochs=1))
    manifest = json.loads((tmp_path / "run" / "dataset.json").read_text())
    assert manifest["classes"] == ["green", "red"] and len(manifest["images"]) == 12
    row = manifest["images"][0]
    assert os.path.isabs(row["path"]) and len(row["sha1"]) == 40 and row["split"] in ("train", "val")
    info = read_info(result.run_dir)
    assert info.owner["pid"] == os.getpid() and info.state == "completed"
