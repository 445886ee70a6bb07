"""Feature extraction: bounded read-ahead, non-UTF-8 file names, files gone since the scan."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import make_image

from engine.data.scan import Sample
from engine.features import extraction
from engine.features.extraction import FeatureStore, _decoded_in_order, extract_features
from engine.models.registry import get_spec


def test_read_ahead_is_bounded_and_keeps_order(monkeypatch):
    lock, state = threading.Lock(), {"decoded": 0, "consumed": 0, "most_ahead": 0}

    def fake_load(path: str, min_side: int | None = None) -> np.ndarray:
        with lock:
            state["decoded"] += 1
            state["most_ahead"] = max(state["most_ahead"], state["decoded"] - state["consumed"])
        return np.zeros((4, 4, 3), np.uint8)

    monkeypatch.setattr(extraction, "load_rgb_array", fake_load)
    items = [(i, Sample(f"/x/{i}.png", 0, "train")) for i in range(300)]
    rows = []
    for row, _ in _decoded_in_order(items, lambda t: t, window=8):
        time.sleep(0.0005)  # a slower consumer: decoding must wait, not run ahead
        with lock:
            state["consumed"] += 1
        rows.append(row)
    assert rows == list(range(300))
    assert state["most_ahead"] <= 8 + 1


def _store(tmp_path: Path) -> FeatureStore:
    return FeatureStore(tmp_path / "features.sqlite")


def _fake_extractor(batch: torch.Tensor) -> np.ndarray:
    return batch.float().mean(dim=(2, 3)).numpy()


@pytest.mark.skipif(sys.platform != "linux", reason="byte file names are a Linux matter")
def test_non_utf8_name_and_a_vanished_file(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.png")
    make_image(Path(os.fsdecode(raw)), (200, 10, 10))
    ok = make_image(tmp_path / "ok.png", (10, 200, 10))
    gone = tmp_path / "gone.png"
    samples = [Sample(p, i % 2, "train") for i, p in enumerate((os.fsdecode(raw), str(ok), str(gone)))]
    store = _store(tmp_path)
    spec = get_spec("efficientnet_lite0").preprocess
    try:
        first = extract_features(samples, store, "p", lambda: _fake_extractor, spec)
        again = extract_features(samples, store, "p", lambda: _fake_extractor, spec)
    finally:
        store.close()
    assert first.kept == [0, 1] and first.computed == 2
    assert [(Path(p).name, "cannot read" in r) for p, r in first.skipped] == [("gone.png", True)]
    assert again.computed == 0 and np.allclose(again.vectors, first.vectors)  # memo keyed by raw bytes


def test_only_the_eval_view_decodes_large_jpegs_at_reduced_scale(monkeypatch, tmp_path):
    asked: list[int | None] = []

    def fake_load(path: str, min_side: int | None = None) -> np.ndarray:
        asked.append(min_side)
        return np.zeros((300, 400, 3), np.uint8)

    monkeypatch.setattr(extraction, "load_rgb_array", fake_load)
    image = make_image(tmp_path / "a.png", (10, 200, 10))
    spec = get_spec("efficientnet_lite0").preprocess
    store = _store(tmp_path)
    samples = [Sample(str(image), 0, "train")]
    try:
        for view in (0, 1):
            extract_features(samples, store, "p", lambda: _fake_extractor, spec, view)
    finally:
        store.close()
    assert asked == [2 * spec.resize_size, None]  # the augmented views crop first: full resolution


def test_reduced_decode_keeps_the_vectors_of_real_photos():
    from helpers import shared_dataset

    from engine.data.transforms import EvalTransform, to_uint8_chw
    from engine.imaging import load_rgb_array
    from engine.models.registry import build_backbone

    root = shared_dataset("hymenoptera")
    photos = [*root.glob("train/ants/Nepenthes_rafflesiana*"), *root.glob("val/ants/ants-devouring*")]
    assert len(photos) == 2  # the two photos of 1,488 and 1,944 pixels
    spec = get_spec("efficientnet_lite0").preprocess
    transform, side = EvalTransform(spec), extraction.decode_min_side(spec, 0)
    full = torch.stack([transform(to_uint8_chw(load_rgb_array(p))) for p in photos])
    reduced_arrays = [load_rgb_array(p, min_side=side) for p in photos]
    assert all(a.shape[0] < 1000 and min(a.shape[:2]) >= side for a in reduced_arrays)  # really reduced
    reduced = torch.stack([transform(to_uint8_chw(a)) for a in reduced_arrays])
    with torch.no_grad():
        backbone = build_backbone("efficientnet_lite0", pretrained=True).eval()
        a, b = backbone(full).flatten(1), backbone(reduced).flatten(1)
    assert torch.nn.functional.cosine_similarity(a, b).min() > 0.999
