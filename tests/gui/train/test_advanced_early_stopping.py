"""The wizard's advanced settings offer early stopping, on by default for head-only strategies."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("PySide6")

from engine.config import DEFAULT_PATIENCE, TrainConfig


@pytest.fixture
def settings(qtbot, monkeypatch):
    import gui.train.wizard.advanced as adv

    # layer groups already known: no worker thread builds a network
    monkeypatch.setitem(adv._GROUP_CACHE, "efficientnet_lite0", ["stem", "stage1", "head_conv"])
    widget = adv.AdvancedSettings()
    qtbot.addWidget(widget)
    yield widget
    widget.shutdown()


@pytest.mark.parametrize(
    ("strategy", "patience", "shown"),
    [("features", DEFAULT_PATIENCE, f"{DEFAULT_PATIENCE} epochs"), ("linear", DEFAULT_PATIENCE, None),
     ("full", 0, "Off"), ("partial", 0, "Off")],
)
def test_each_strategy_starts_at_its_default_patience(settings, strategy, patience, shown):
    settings.configure(strategy, "efficientnet_lite0")
    assert settings.patience.value() == patience
    assert settings.values()["early_stopping"] == patience
    if shown:
        assert settings.patience.text() == shown


def test_the_users_patience_reaches_the_config_and_reset_restores_the_default(settings):
    settings.configure("full", "efficientnet_lite0")
    settings.patience.setValue(5)
    config = TrainConfig(data_dir="d", strategy="full", **settings.values())
    assert config.early_stopping == 5 and not config.validate()
    settings.configure("features", "efficientnet_lite0")
    settings.patience.setValue(0)
    assert TrainConfig(data_dir="d", strategy="features", **settings.values()).resolved().early_stopping == 0
    settings.reset()
    assert settings.patience.value() == DEFAULT_PATIENCE
