"""The strategy wizard driven to a recommendation and a frozen TrainConfig (fake engine, offscreen)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading

import pytest

pytest.importorskip("PySide6")

from engine.config import TrainConfig
from engine.data.scan import TRAIN, VAL, DatasetIndex, Sample, SkippedFile


def _index(tmp_path, images, per_class=(8, 3)):
    root = images(tmp_path / "data", {"cats": per_class[0], "dogs": per_class[1]}, size=48)
    samples = []
    for label, name in enumerate(("cats", "dogs")):
        for i, path in enumerate(sorted((root / name).iterdir())):
            samples.append(Sample(str(path), label, VAL if i % 4 == 0 else TRAIN))
    return DatasetIndex(
        str(root), ["cats", "dogs"], samples, [SkippedFile(str(root / "bad.jpg"), "truncated")]
    )


class FakeRecommend:
    """Scripted recommend(): reports progress, honours cancel, returns a Recommendation."""

    def __init__(self, block=False):
        import engine.recommend.recommender  # noqa: F401 - imported here, not in the worker's timed wait

        self.calls = []
        self.release = threading.Event()
        self.block = block

    def __call__(self, index, backbones=None, sample_per_class=60, progress=None, control=None):
        from engine.recommend.recommender import Recommendation

        self.calls.append((len(index.samples), backbones, sample_per_class))
        for i in range(5):
            if progress:
                progress(i + 1, 5, "Embedding with efficientnet_lite0")
        while self.block and not self.release.wait(0.01):
            control.raise_if_cancelled()
        control.raise_if_cancelled()
        return Recommendation(
            strategy="partial",
            backbones=("efficientnet_lite0",),
            k=3,
            reason="Few images that look like ImageNet photos: fine-tune only the upper layers.",
            expected_acc=(0.81, 0.9),
            scores={
                "efficientnet_lite0": {"knn": 0.8, "probe": 0.86, "logme": 1.2, "imagenet_confidence": 0.7},
                "resnet18": {"knn": 0.7, "probe": 0.8, "logme": 0.9, "imagenet_confidence": 0.6},
            },
            cell=("small", "similar"),
            eta_seconds={"features": 12.0, "linear": 80.0, "partial": 240.0, "full": 600.0},
            strategies=dict(STRATEGIES),
        )


STRATEGIES = {
    "features": {"expected_acc": [0.78, 0.86], "expected_seconds": 12.0, "most_likely_acc": 0.82},
    "linear": {"expected_acc": [0.78, 0.86], "expected_seconds": 80.0, "most_likely_acc": 0.82},
    "partial": {"expected_acc": [0.81, 0.9], "expected_seconds": 240.0, "most_likely_acc": 0.855},
    "full": {"expected_acc": [0.82, 0.92], "expected_seconds": 600.0, "most_likely_acc": 0.862},
}


@pytest.fixture
def no_layer_groups(monkeypatch):
    """Layer groups without building a network (no torch in GUI tests)."""
    import gui.workers.recommend_worker as rw

    def fake(backbone):
        def run(progress, control):
            return backbone, ["stem", "stage1", "stage2", "stage3", "stage4", "head_conv"]

        return run

    monkeypatch.setattr(rw, "layer_groups_task", fake)
    import gui.train.wizard.advanced as adv

    monkeypatch.setattr(adv, "layer_groups_task", fake)
    adv._GROUP_CACHE.clear()


def test_wizard_reaches_a_recommendation_and_emits_a_frozen_config(qtbot, tmp_path, images, no_layer_groups):
    from gui.train.wizard.strategy_wizard import StrategyWizard

    fake = FakeRecommend()
    wizard = StrategyWizard(_index(tmp_path, images), str(tmp_path / "data"), recommend_fn=fake)
    qtbot.addWidget(wizard)
    wizard.show()
    page1 = wizard.data_page
    qtbot.waitUntil(page1.isComplete, timeout=30_000)
    assert page1.classes.rowCount() == 2
    assert "bad.jpg" in page1.broken.toPlainText()
    assert "“dogs” has only 3 images" in page1.warnings.text()
    assert "48 × 48" in page1.sizes.text()

    wizard.next()
    page2 = wizard.similarity_page
    qtbot.waitUntil(page2.isComplete, timeout=30_000)
    assert page2.scores.rowCount() == 2 and page2.scores.item(0, 2).text() == "86%"
    assert fake.calls and fake.calls[0][2] == 60

    wizard.next()
    page3 = wizard.recommendation_page
    assert page3.grid.cell() == ("small", "similar")
    assert "fine-tune only the upper layers" in page3.reason.text()
    assert "81% to 90%" in page3.expected.text()
    assert page3.strategy() == "partial"
    assert page3.eta_labels["features"].text() == "78–86 % · ≈ 12 s"
    qtbot.waitUntil(lambda: page3.advanced.layer_group_names() != [], timeout=30_000)
    assert page3.advanced.k.value() == 3 and page3.advanced.k.isEnabled()

    page3.advanced_toggle.click()
    page3.advanced.epochs.setValue(4)
    with qtbot.waitSignal(wizard.config_ready, timeout=30_000) as signal:
        wizard.accept()
    config = signal.args[0]
    assert isinstance(config, TrainConfig)
    assert config.strategy == "partial" and config.freeze_k == 3 and config.epochs == 4
    assert config.backbones == ("efficientnet_lite0",) and not config.validate()
    with pytest.raises(AttributeError):
        config.epochs = 5  # frozen


def test_user_can_pick_another_strategy_and_defaults_follow(qtbot, tmp_path, images, no_layer_groups):
    from engine.config import DEFAULTS
    from gui.train.wizard.strategy_wizard import StrategyWizard

    wizard = StrategyWizard(_index(tmp_path, images), "d", recommend_fn=FakeRecommend())
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=30_000)
    wizard.next()
    qtbot.waitUntil(wizard.similarity_page.isComplete, timeout=30_000)
    wizard.next()
    page3 = wizard.recommendation_page
    page3.select_strategy("features")
    assert page3.advanced.epochs.value() == DEFAULTS["features"].epochs
    assert not page3.advanced.k.isEnabled()
    config = page3.config()
    assert config.strategy == "features" and config.freeze_k is None
    page3.goal.setCurrentIndex(page3.goal.findData("most-accurate"))
    assert page3.strategy() == "full" and "92%" in page3.expected.text()
    page3.budget.setValue(5)  # minutes: full (10 min) no longer fits
    assert page3.strategy() == "partial" and "over your budget" in page3.reason.text()
    assert page3.config().extra == {"goal": "most-accurate", "time_budget": 300.0}
    page3.budget.setValue(0)
    page3.goal.setCurrentIndex(page3.goal.findData("fastest-good"))
    assert page3.strategy() == "partial" and "fine-tune only the upper layers" in page3.reason.text()
    page3.select_strategy("stack")
    assert len(page3.config().backbones) == 2 and not page3.config().validate()
    wizard.reject()


def _recommendation_page(qtbot, wizard):
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=30_000)
    wizard.next()
    qtbot.waitUntil(wizard.similarity_page.isComplete, timeout=30_000)
    wizard.next()
    return wizard.recommendation_page


def test_auto_choice_gives_an_auto_config_with_aim_and_budget(qtbot, tmp_path, images, no_layer_groups):
    from gui.train.wizard.strategy_wizard import StrategyWizard

    wizard = StrategyWizard(_index(tmp_path, images), "d", recommend_fn=FakeRecommend())
    page3 = _recommendation_page(qtbot, wizard)
    auto = next(b for b in page3.choices.buttons() if b.property("strategy") == "auto")
    assert auto.text() == "Auto (measure, then train the best)" and page3.strategy() == "partial"
    assert page3.eta_labels["auto"].text() == "81–90 % · ≈ 4 min 00 s"  # what fastest-good picks: partial
    auto.click()
    assert page3.strategy() == "auto" and not page3.backbone.isEnabled()
    assert not page3.advanced._form.isRowVisible(page3.advanced.epochs)
    page3.goal.setCurrentIndex(page3.goal.findData("most-accurate"))
    page3.budget.setValue(5)  # minutes
    assert page3.strategy() == "auto"  # the aim and budget are Auto's own settings: it stays chosen
    assert page3.eta_labels["auto"].text() == "81–90 % · ≈ 4 min 00 s"  # full (10 min) is over budget
    with qtbot.waitSignal(wizard.config_ready, timeout=30_000) as signal:
        wizard.accept()
    config = signal.args[0]
    assert config.strategy == "auto" and not config.validate()
    assert config.extra == {"goal": "most-accurate", "time_budget": 300.0}
    assert config.backbones == ("efficientnet_lite0", "resnet18")  # the networks step 2 measured
    assert config.epochs is None and config.lr is None and config.early_stopping is None  # Auto decides


def test_auto_aim_and_budget_are_remembered_for_the_next_run(qtbot, tmp_path, images, no_layer_groups):
    from PySide6.QtCore import QSettings

    from gui.train.wizard.strategy_wizard import StrategyWizard

    index = _index(tmp_path, images)
    first = StrategyWizard(index, "d", recommend_fn=FakeRecommend())
    page3 = _recommendation_page(qtbot, first)
    page3.select_strategy("auto")
    page3.goal.setCurrentIndex(page3.goal.findData("most-accurate"))
    page3.budget.setValue(20)
    first.reject()
    assert QSettings().value("wizard/goal") is None  # cancelling the wizard remembers nothing
    first = StrategyWizard(index, "d", recommend_fn=FakeRecommend())
    page3 = _recommendation_page(qtbot, first)
    page3.select_strategy("auto")
    page3.goal.setCurrentIndex(page3.goal.findData("most-accurate"))
    page3.budget.setValue(20)
    first.accept()

    second = StrategyWizard(index, "d", recommend_fn=FakeRecommend())
    page3 = _recommendation_page(qtbot, second)
    assert page3.strategy() == "auto" and page3.goal.currentData() == "most-accurate"
    assert page3.budget.value() == 20
    assert page3.headline.text() == "Recommended: Fine-tune every layer."  # the aim's pick, shown as before
    page3.select_strategy("features")
    second.accept()

    third = StrategyWizard(index, "d", recommend_fn=FakeRecommend())
    page3 = _recommendation_page(qtbot, third)
    assert page3.strategy() == "full" and page3.goal.currentData() == "most-accurate"  # Auto not forced
    third.reject()


def test_measuring_can_be_cancelled_and_the_wizard_goes_on(qtbot, tmp_path, images, no_layer_groups):
    from gui.train.wizard.strategy_wizard import StrategyWizard

    fake = FakeRecommend(block=True)
    wizard = StrategyWizard(_index(tmp_path, images), "d", recommend_fn=fake)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=30_000)
    wizard.next()
    page2 = wizard.similarity_page
    qtbot.waitUntil(page2.runner.is_running, timeout=30_000)
    assert not page2.isComplete()
    with qtbot.waitSignal(page2.runner.idle, timeout=30_000):
        page2.cancel_button.click()
    assert page2.isComplete() and not page2.result.measured
    assert "Cancelled" in page2.status.text()
    wizard.next()
    assert wizard.recommendation_page.strategy() == "features"
    wizard.reject()


def test_data_summary_warnings_are_plain_language():
    from gui.train.wizard.data_summary import DataSummary, warnings_for

    s = DataSummary(
        ["a", "b"], {"a": 300, "b": 40}, {"a": 60, "b": 2}, [("x.jpg", "truncated")], [(30, 30)] * 3
    )
    text = "\n".join(warnings_for(s))
    assert "unbalanced" in text and "“b”" in text
    assert "could not be read" in text and "smaller than 64 px" in text
    assert "only 2 validation images" in text
