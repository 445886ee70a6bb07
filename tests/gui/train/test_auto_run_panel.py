"""The training panel during an ``auto`` run: its steps, the bar, the choice and what it tried."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import dataclasses
import threading
import time

import pytest

pytest.importorskip("PySide6")

from helpers import make_dataset

from engine.config import TrainConfig
from engine.events import BestImproved, EpochEnded, RunFinished, RunStarted, RunStatus, StageChanged
from gui.train.strategy_names import strategy_title

MEASURE = "Measuring how well efficientnet_lite0 fits your images"
TRIAL = "Measuring whether fine-tuning pays: partial on half the sample"
REASON = "Unchanged, the network sorted 97% of a sample correctly; a new head is expected to do as well."
TRIED = (
    {"strategy": "features", "what": "linear probe on a sample", "accuracy": 0.97, "seconds": 4.2,
     "stopped": "40 sample images, cross-validated; features cached for the run"},
    {"strategy": "partial", "what": "2-epoch fine-tune on the same 20 images", "accuracy": 0.95,
     "seconds": 31.0, "stopped": "measured gain over the head: -2.0 points"},
    {"strategy": "features", "what": "the run (3 epochs)", "accuracy": 0.9, "seconds": 75.0,
     "stopped": "completed: the chosen strategy", "expected_acc": [0.88, 0.96]},
)


class FakeAutoFit:
    """What ``start_run`` reports for ``auto``: measuring, a trial, the choice, the run; returns the tries.

    ``gates`` holds the run at two moments so the test can look at the panel: half-way through
    measuring (10 of 20), and in the trial before it counts (0 of 0).
    """

    def __init__(self) -> None:
        self.gates = {MEASURE: threading.Event(), TRIAL: threading.Event()}
        self.waiting = {name: threading.Event() for name in self.gates}

    def _hold(self, emit, event: StageChanged) -> None:
        time.sleep(0.12)  # past the worker's 10 Hz throttle: this event is not held back
        emit(event)
        self.waiting[event.stage].set()
        assert self.gates[event.stage].wait(10)

    def __call__(self, config, callbacks, control, index=None):
        emit = callbacks[0]
        emit(StageChanged(MEASURE, 0, 20))
        self._hold(emit, StageChanged(MEASURE, 10, 20))
        emit(StageChanged(MEASURE, 20, 20))
        self._hold(emit, StageChanged(TRIAL, 0, 0))
        time.sleep(0.12)
        emit(StageChanged(TRIAL, 3, 8))
        emit(RunStarted("r", "features", ("efficientnet_lite0",), "cpu", 3, 1, 40, 10, ("a", "b"), REASON))
        for epoch in (1, 2, 3):
            emit(EpochEnded(epoch, 3, 0.5, 0.8, 0.6, 0.9, 1e-3, 0.1, 100.0))
        emit(BestImproved(1, 0.9, 0.6))
        finished = RunFinished(
            RunStatus.COMPLETED, "r", 1, 0.9, 3, 75.0, strategy="features",
            backbones=("efficientnet_lite0",), reason=REASON,
        )
        emit(finished)  # as fit's own event: the starter adds what was tried to the result only
        return dataclasses.replace(finished, tried=TRIED)


@pytest.fixture
def panel(qtbot):
    from gui.train.controller import TrainingController
    from gui.train.training_panel import TrainingPanel

    controller = TrainingController()
    widget = TrainingPanel(controller)
    qtbot.addWidget(widget)
    yield widget
    controller.shutdown()


def test_the_panel_follows_auto_from_measuring_to_what_it_tried(qtbot, panel):
    fake = FakeAutoFit()
    panel.controller.fit_fn = fake
    panel.controller.start(TrainConfig(data_dir="d", strategy="auto", backbones=()))
    view = panel.auto_view
    assert not view.isHidden()
    qtbot.waitUntil(lambda: view.step_names() == [MEASURE] and "10 of 20" in view.steps.item(0).text(),
                    timeout=10_000)
    panel.refresh_stats()
    assert panel.bar.maximum() == 1000 and panel.bar.value() == 500  # measuring: the stage's share
    assert "Measuring before choosing" in view.choice.text()
    fake.gates[MEASURE].set()

    qtbot.waitUntil(lambda: view.step_names() == [MEASURE, TRIAL], timeout=10_000)
    panel.refresh_stats()
    assert panel.bar.maximum() == 0  # a trial that does not count yet: the bar moves, busy
    assert view.steps.item(0).text() == f"✓ {MEASURE}"
    with qtbot.waitSignal(panel.controller.idle, timeout=10_000):
        fake.gates[TRIAL].set()

    assert view.choice.text() == "Auto chose New head on cached features on efficientnet_lite0."
    assert view.reason.text() == REASON and not view.reason.isHidden()
    assert view.tried_rows() == [
        ["linear probe on a sample", "Cached features", "97.0%", "4 s",
         "40 sample images, cross-validated; features cached for the run"],
        ["2-epoch fine-tune on the same 20 images", "Partial fine-tune", "95.0%", "31 s",
         "measured gain over the head: -2.0 points"],
        ["the run (3 epochs)", "Cached features", "90.0% (expected 88% to 96%)", "1 min 15 s",
         "completed: the chosen strategy"],
    ]
    assert not view.tried.isHidden()
    assert panel.plots.point_count("val_acc") == 3 and panel.bar.value() == 1000
    log = panel.log.toPlainText()
    assert f"Why this strategy: {REASON}" in log
    assert "What Auto tried:" in log
    assert "2-epoch fine-tune on the same 20 images (Partial fine-tune): 95.0% in 31 s" in log


def one_epoch_fit(config, callbacks, control, index=None):
    """A chosen strategy's run: one epoch, no measuring."""
    emit = callbacks[0]
    emit(RunStarted("r", config.strategy, config.backbones, "cpu", 1, 1, 4, 2, ("a", "b")))
    emit(EpochEnded(1, 1, 0.5, 0.8, 0.6, 0.9, 1e-3, 0.1, 100.0))
    finished = RunFinished(RunStatus.COMPLETED, "r", 1, 0.9, 1, 0.1, strategy=config.strategy)
    emit(finished)
    return finished


def test_a_chosen_strategy_shows_no_auto_view(qtbot, panel):
    panel.controller.fit_fn = one_epoch_fit
    panel.auto_view.show()
    with qtbot.waitSignal(panel.controller.idle, timeout=10_000):
        panel.controller.start(TrainConfig(data_dir="d", strategy="features"))
    assert panel.auto_view.isHidden() and panel.bar.value() == 1000


def test_auto_cancelled_while_measuring_says_so(qtbot, panel):
    from gui.train.auto_view import AutoRunView

    view = AutoRunView()
    qtbot.addWidget(view)
    view.start()
    view.add_event(StageChanged(MEASURE, 3, 20))
    view.add_event(RunFinished(RunStatus.CANCELLED, "r", 0, 0.0, 0, 1.0))
    assert view.choice.text() == "Auto was cancelled before it chose a strategy."
    assert view.steps.item(0).text() == f"✓ {MEASURE}" and view.tried.isHidden()


def test_real_auto_run_through_the_worker(qtbot, panel, tmp_path, monkeypatch):
    """The real ``start_run``: Lite0 measured on 2 x 6 generated images, the head chosen, 3 epochs trained.

    Only the timing of the network's passes (seconds of benchmark, for the time forecasts) is stubbed.
    """
    import engine.recommend.measuring as measuring
    from engine.recommend.timing import PassTimes

    monkeypatch.setattr(measuring, "time_passes", lambda *args, **kwargs: PassTimes(0.01, 0.03, 0.001))
    data = make_dataset(tmp_path / "data", per_class=6)
    config = TrainConfig(
        data_dir=str(data), strategy="auto", backbones=("efficientnet_lite0",), epochs=3,
        num_workers=0, threads=2, feature_engine="torch", out_dir=str(tmp_path / "run"),
        extra={"goal": "fastest-good", "time_budget": None},
    )
    bars = []  # (done, bar maximum, bar value) at each step before training

    def look(event):
        if isinstance(event, StageChanged) and panel.progress.train_started is None:
            panel.refresh_stats()
            bars.append((event.done, panel.bar.maximum(), panel.bar.value()))

    panel.controller.event.connect(look)
    with qtbot.waitSignal(panel.controller.run_finished, timeout=120_000) as finished:
        panel.controller.start(config)
    qtbot.waitUntil(lambda: not panel.controller.is_running(), timeout=30_000)
    result = finished.args[0]
    assert result.status is RunStatus.COMPLETED and result.tried
    view = panel.auto_view
    assert any("efficientnet_lite0" in name for name in view.step_names())
    assert view.choice.text().startswith(f"Auto chose {strategy_title(result.strategy)} on ")
    assert view.reason.text() == result.reason != ""
    rows = view.tried_rows()
    assert len(rows) == len(result.tried) >= 2 and rows[0][0] == "linear probe on a sample"
    assert rows[-1][0] == f"the run ({result.epochs_completed} epochs)"
    assert panel.plots.point_count("val_acc") == result.epochs_completed
    assert bars and all(maximum == 0 or value > 0 for done, maximum, value in bars if done > 0)
