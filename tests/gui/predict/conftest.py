"""Predict page fixtures: a fake ONNX predictor (no onnxruntime) and the page with a fake model open."""

from __future__ import annotations

import os
import sys
import types
from typing import ClassVar

import pytest


class FakePredictor:
    """Stands in for engine.inference.predictor.OnnxPredictor: no onnxruntime, no torch.

    A file whose name holds "junk" scores 1.8 on ``unknown_score`` (other files 0.4), so it is
    "none of my classes" at the automatic threshold 1.0; a path holding "old" opens as a model
    exported before rejection existed.
    """

    opened: ClassVar[list] = []
    thresholds: ClassVar[list] = []

    def __init__(self, path, reject="auto"):
        from engine.inference.results import rejection_threshold

        if not str(path).endswith(".onnx"):
            raise ValueError("not an onnx file")
        FakePredictor.opened.append((path, reject))
        self.classes = ["cat", "dog", "<b>fox</b>"]
        self.metadata = {"backbones": ["efficientnet_lite0"]}
        self.has_novelty = "old" not in os.path.basename(str(path))
        self.threshold = rejection_threshold(reject) if self.has_novelty else None
        self.novelty_note = None if self.has_novelty else "old.onnx was exported before rejection existed."

    def predict_paths(self, paths, top_k=3, **kwargs):
        from engine.inference.results import PathResult

        FakePredictor.thresholds.append(self.threshold)
        out = []
        for p in paths:
            if "broken" in p:
                out.append(PathResult(p, error="truncated or damaged image data"))
                continue
            score = (sum(map(ord, os.path.basename(p))) % 7) / 10
            probs = sorted(
                [(0, 0.5 + score / 2), (1, 0.3 - score / 4), (2, 0.2 - score / 4)], key=lambda t: -t[1]
            )
            top = tuple((self.classes[i], v) for i, v in probs[:top_k])
            unknown_score = (1.8 if "junk" in os.path.basename(p) else 0.4) if self.has_novelty else None
            judged = unknown_score is not None and self.threshold is not None
            unknown = unknown_score > self.threshold if judged else None
            out.append(PathResult(p, top, unknown_score=unknown_score, unknown=unknown))
        return out


@pytest.fixture
def fake_predictor(monkeypatch):
    module = types.ModuleType("engine.inference.predictor")
    module.OnnxPredictor = FakePredictor
    monkeypatch.setitem(sys.modules, "engine.inference.predictor", module)
    FakePredictor.opened = []
    FakePredictor.thresholds = []
    return module


@pytest.fixture
def page(qtbot, fake_predictor, tmp_path):
    from gui.data.thumbnails import ThumbnailCache
    from gui.predict.predict_page import PredictPage

    cache = ThumbnailCache()
    widget = PredictPage(cache)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    model = tmp_path / "model.onnx"
    model.write_bytes(b"fake")
    with qtbot.waitSignal(widget.model_loaded, timeout=30_000):
        assert widget.load_model(str(model))
    yield widget
    widget.shutdown()
    cache.shutdown()
