"""The training panel's progress helpers: the engine's one estimator (shared with the CLI), memory."""

from __future__ import annotations

import pytest

from engine.events import BatchEnded, EpochEnded, RunStarted
from engine.runs import eta
from gui.train import progress


def test_the_panel_uses_the_engines_estimator_and_duration_format():
    assert progress.RunProgress is eta.RunProgress and progress.format_duration is eta.format_duration
    p = progress.RunProgress(started=0.0)
    p.on_event(RunStarted("r", "partial", ("x",), "cpu", 4, 10, 40, 10, ("a", "b")), now=0.0)
    for step in range(1, 6):
        p.on_event(BatchEnded(1, step, 10, 1.0, 1e-3, 50.0), now=float(step))  # epochs count from 1
    assert p.headline() == "Epoch 1 of 4, batch 5 of 10"
    left = p.eta_seconds(now=5.0)
    assert left == pytest.approx(p.eta_seconds(now=6.0) + 1.0)  # it counts down between events
    assert 35.0 < left < 80.0  # 35 steps at 1 s, plus validation and calibration
    p.on_event(EpochEnded(1, 4, 1, 0.5, 1, 0.5, 1e-3, 12.0, 50.0), now=12.0)
    assert p.headline() == "Epoch 2 of 4" and 0.2 < p.fraction() < 0.3
    assert progress.format_duration(65) == "1 min 05 s" and progress.format_duration(None) == "—"


def test_memory_helpers_answer_or_say_unknown():
    rss = progress.process_memory_mb()
    assert rss is None or rss > 1.0
    assert progress.gpu_memory_mb("cpu") is None
