"""Calibration and "none of my classes" inside the exported graph, equal to the engine's own numbers."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from torch import nn

from engine.export.graph import build_graph
from engine.export.parity import TorchPipeline
from engine.models.classifier import TransferModel
from engine.trust.model import fit_trust

SPEC = {"input_size": 16, "resize_size": 18, "mean": [0.5] * 3, "std": [0.5] * 3, "interpolation": "bilinear"}


class _Tiny(nn.Module):
    def __init__(self, channels: int = 8) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, channels, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1))

    def forward(self, x):
        return self.body(x).flatten(1)


def _images(n: int, seed: int, tint: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.clip(rng.normal(tint, 25, (20, 24, 3)), 0, 255).astype(np.uint8) for _ in range(n)]


@pytest.fixture(scope="module")
def trusted():
    torch.manual_seed(0)
    model = TransferModel([_Tiny()], [8], 2).eval()
    pipeline = TorchPipeline(model, [SPEC])
    train = _images(30, 0, 60) + _images(30, 1, 190)
    val = _images(20, 2, 60) + _images(20, 3, 190)
    train_out = [pipeline(x) for x in train]
    val_out = [pipeline(x) for x in val]
    # the untrained head is arbitrary; "logits" for fitting come from the softmax's log
    val_logits = np.log(np.stack([p for p, *_ in val_out]))
    val_labels = np.repeat([0, 1], 20)
    trust = fit_trust(
        val_logits * 4, val_labels, val_logits * 4,
        np.stack([e for _, e, _ in val_out]),
        np.stack([e for _, e, _ in train_out]), np.repeat([0, 1], 30),
    )
    graph = build_graph(model, [SPEC], trust=trust)
    session = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    return model, trust, graph, session, val


def test_graph_outputs_tempered_probabilities_and_unknown_score(trusted):
    model, trust, graph, session, val = trusted
    names = [o.name for o in graph.graph.output]
    assert names == ["probabilities", "embedding", "unknown_score", "is_unknown"]
    assert any(i.name == "reference" or i.dims[-1] == trust.novelty.reference.shape[0]
               for i in graph.graph.initializer)
    reference = TorchPipeline(model, [SPEC], trust)
    plain = TorchPipeline(model, [SPEC])
    for rgb in val[:6] + _images(3, 9, 0):
        probs, embedding, score, unknown = session.run(None, {"images": rgb[None]})
        engine_score = trust.novelty.scores(embedding, probs.max(axis=1))  # same inputs, engine's code
        assert np.isclose(score[0], engine_score[0], rtol=1e-5, atol=1e-5)
        ref_p, _, ref_score = reference(rgb)  # the app's whole pipeline: resampling differs a little
        assert np.abs(probs[0] - ref_p).max() < 2e-3
        assert np.isclose(score[0], ref_score, rtol=2e-3, atol=2e-3)
        assert bool(unknown[0]) == bool(ref_score > 1.0)
        assert probs[0].argmax() == plain(rgb)[0].argmax()  # temperature never changes the answer


def test_graph_uses_only_standard_operators(trusted):
    _, _, graph, _, _ = trusted
    ops = {n.op_type for n in graph.graph.node}
    assert {"MatMul", "TopK"} <= ops
    assert all(n.domain in ("", "ai.onnx") for n in graph.graph.node)
    onnx.checker.check_model(graph)


def test_without_trust_the_graph_is_unchanged():
    torch.manual_seed(0)
    model = TransferModel([_Tiny()], [8], 2).eval()
    graph = build_graph(model, [SPEC])
    assert [o.name for o in graph.graph.output] == ["probabilities", "embedding"]
