"""Extraction runtimes: the precision each computes in, cache keys that name it, fallbacks that keep it."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from engine.data.scan import Sample
from engine.features import runtimes
from engine.features.extraction import FeatureStore, extract_features, open_store
from engine.features.runtimes import (
    BF16,
    FP16,
    FP32,
    export_backbone_onnx,
    extraction_precision,
    make_extractor,
    ort_extractor,
    torch_extractor,
)
from engine.models.registry import get_spec

SPEC = get_spec("efficientnet_lite0").preprocess
CPU, CUDA = torch.device("cpu"), torch.device("cuda")


def _tiny_backbone() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, stride=2), nn.ReLU(), nn.Conv2d(16, 32, 3, stride=2), nn.AdaptiveAvgPool2d(1)
    ).eval()


def _batch(side: int = SPEC.input_size) -> torch.Tensor:
    return torch.randn(4, 3, side, side, generator=torch.Generator().manual_seed(1))


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, 1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.parametrize("openvino", [None, FP32, BF16])
def test_precision_follows_device_engine_and_openvino(monkeypatch, openvino):
    monkeypatch.setattr(runtimes, "openvino_precision", lambda: openvino)
    assert extraction_precision(CPU, "auto") == (openvino or FP32)
    assert extraction_precision(CPU, "torch") == FP32
    assert extraction_precision(CPU, "onnxruntime") == FP32
    assert extraction_precision(CUDA, "auto") == FP16
    assert extraction_precision(CUDA, "openvino") == (openvino or FP32)  # OpenVINO runs on the CPU


def test_cache_keys_name_the_precision_so_vectors_never_mix(tmp_path):
    prefixes = {p: open_store("efficientnet_lite0", "w", SPEC, p)[1] for p in (FP32, BF16, FP16)}
    assert len(set(prefixes.values())) == 3
    assert prefixes[FP32].count(":") == 1  # the form written before precisions were told apart
    image = tmp_path / "a.png"
    from helpers import make_image

    make_image(image, (200, 30, 30))
    samples = [Sample(str(image), 0, "train")]
    store = FeatureStore(tmp_path / "f.sqlite")

    def constant(value: float):
        return lambda: lambda batch: np.full((len(batch), 2), value, np.float32)

    try:
        fp32 = extract_features(samples, store, prefixes[FP32], constant(1.0), SPEC)
        bf16 = extract_features(samples, store, prefixes[BF16], constant(2.0), SPEC)
        fp32_again = extract_features(samples, store, prefixes[FP32], constant(3.0), SPEC)
    finally:
        store.close()
    assert (fp32.computed, bf16.computed, fp32_again.computed) == (1, 1, 0)
    assert bf16.vectors[0, 0] == 2.0 and fp32_again.vectors[0, 0] == 1.0


def test_bf16_without_openvino_is_computed_by_torch_in_bf16(monkeypatch):
    monkeypatch.setattr(runtimes, "openvino_precision", lambda: None)
    module, batch = _tiny_backbone(), _batch()
    exact = torch_extractor(module, CPU, channels_last=False)(batch)
    run = make_extractor("tiny", module, SPEC, CPU, "auto", 1, precision=BF16)
    rounded = run(batch)
    assert not np.allclose(rounded, exact, atol=1e-5)  # bf16 really, not fp32 under a bf16 key
    assert _cosines(rounded, exact).min() > 0.99


def test_a_broken_openvino_falls_back_in_the_same_precision(monkeypatch):
    monkeypatch.setattr(runtimes, "openvino_precision", lambda: BF16)

    def broken(*args: object) -> None:
        raise RuntimeError("cannot compile")

    monkeypatch.setattr(runtimes, "openvino_extractor", broken)
    module, batch = _tiny_backbone(), _batch()
    with pytest.warns(UserWarning, match="cannot compile"):
        run = make_extractor("tiny", module, SPEC, CPU, "auto", 1)
    exact = torch_extractor(module, CPU, channels_last=False)(batch)
    assert not np.allclose(run(batch), exact, atol=1e-5)
    with pytest.raises(RuntimeError, match="cannot compile"):  # asked for by name: no quiet substitute
        make_extractor("tiny", module, SPEC, CPU, "openvino", 1)


def test_openvino_agrees_with_onnx_runtime(tmp_path):
    pytest.importorskip("openvino")
    module, batch = _tiny_backbone(), _batch()
    path = export_backbone_onnx(module, SPEC.input_size, tmp_path / "tiny.onnx")
    reference = ort_extractor(path, 1)(batch)
    fp32 = runtimes.openvino_extractor(path, 1, FP32)(batch)
    assert np.allclose(fp32, reference, atol=1e-4)
    if runtimes.openvino_precision() == BF16:
        bf16 = runtimes.openvino_extractor(path, 1, BF16)(batch)
        assert not np.allclose(bf16, reference, atol=1e-5) and _cosines(bf16, reference).min() > 0.99
    auto = make_extractor("tiny", module, SPEC, CPU, "auto", 1)
    assert _cosines(auto(batch), reference).min() > 0.99
