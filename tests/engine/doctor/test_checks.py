"""The doctor's checks on synthetic embeddings and real (generated) image files."""

from __future__ import annotations

import numpy as np
from helpers import make_image
from PIL import Image

from engine.doctor import thresholds as th
from engine.doctor.checks import balance_findings, duplicate_findings, outlier_findings, quality_findings
from engine.doctor.findings import Finding, counts_by_kind
from engine.doctor.labels import label_issues, out_of_fold_probabilities
from engine.doctor.neighbours import neighbour_graph
from engine.doctor.pixels import PixelStats, hamming, image_stats, pixel_stats


def _clusters(per_class=40, classes=3, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, dim)) * 3
    x = np.concatenate([c + rng.normal(size=(per_class, dim)) for c in centres])
    return x.astype(np.float32), np.repeat(np.arange(classes), per_class)


def _scene(path, seed):
    """A picture with structure: a gradient and a bright rectangle placed by ``seed``."""
    yy, xx = np.mgrid[0:100, 0:120]
    scene = np.stack([xx * 2, yy * 2, (xx * (seed + 1) + yy) % 255], axis=2).clip(0, 255).astype(np.uint8)
    top, left = 10 + 7 * seed, 15 + 11 * seed
    scene[top : top + 30, left : left + 35] = (250, 240, 30)
    Image.fromarray(scene).save(path)
    return path


def test_neighbour_graph_matches_brute_force_and_excludes_self():
    x, _ = _clusters()
    g = neighbour_graph(x, 5)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    expected = np.argsort(-sims, axis=1)[:, :5]
    assert np.array_equal(np.sort(g.index, axis=1), np.sort(expected, axis=1))
    assert (np.diff(g.distance, axis=1) >= -1e-6).all() and (g.index != np.arange(len(x))[:, None]).all()


def test_confident_learning_finds_flipped_labels():
    x, y = _clusters(per_class=60)
    rng = np.random.default_rng(1)
    flipped = rng.choice(len(y), 9, replace=False)
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + 1) % 3
    probs = out_of_fold_probabilities(x, noisy)
    issues = label_issues(probs, noisy)
    top = [i for i, _, _ in issues[: len(flipped)]]
    assert len(set(top) & set(flipped.tolist())) >= 0.5 * len(flipped)
    assert len({i for i, _, _ in issues} & set(flipped.tolist())) >= 0.8 * len(issues)  # precision
    suggested = {i: j for i, j, _ in issues}
    assert all(suggested[i] == y[i] for i in flipped if i in suggested)  # the true class is suggested


def test_exact_and_near_copies_across_splits_are_leakage(tmp_path):
    paths = [_scene(tmp_path / f"img_{i}.png", i) for i in range(6)]
    original = Image.open(paths[0]).convert("RGB")
    original.save(tmp_path / "copy.bmp")  # same pixels, other bytes
    original.resize((64, 48)).save(tmp_path / "small.jpg", quality=80)
    paths += [tmp_path / "copy.bmp", tmp_path / "small.jpg"]
    stats = pixel_stats([str(p) for p in paths])
    assert stats[0].pixel_hash == stats[6].pixel_hash
    assert hamming(stats[0].perceptual_hash, stats[7].perceptual_hash) <= 6
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(8, 32)).astype(np.float32)
    emb[6], emb[7] = emb[0], emb[0] + 0.05 * rng.normal(size=32)
    splits = ["train"] * 6 + ["val", "val"]
    findings = duplicate_findings(neighbour_graph(emb, 3), stats, [str(p) for p in paths], splits)
    (leak,) = [f for f in findings if f.kind == "leakage"]
    assert set(leak.paths) == {str(paths[0]), str(paths[6]), str(paths[7])}
    assert leak.action == "move_to:val" and leak.severity == "high"


def test_quality_thresholds_name_the_reason(tmp_path):
    black = tmp_path / "black.png"
    Image.new("RGB", (200, 150), (2, 2, 2)).save(black)
    tiny = make_image(tmp_path / "tiny.png", (120, 60, 30), size=(30, 20))
    strip = make_image(tmp_path / "strip.png", (20, 120, 200), size=(400, 60))
    photo = _scene(tmp_path / "photo.png", 0)
    stats = [image_stats(str(p)) for p in (black, tiny, strip, photo)]
    findings = quality_findings(stats, ["black", "tiny", "strip", "photo"])
    kinds = {(f.paths[0], f.kind) for f in findings}
    assert ("black", "dark") in kinds and ("black", "low_contrast") in kinds
    assert ("tiny", "tiny") in kinds and ("strip", "odd_shape") in kinds
    assert not any(p == "photo" for p, _ in kinds)
    dark = next(f for f in findings if f.kind == "dark")
    assert str(th.DARK_BRIGHTNESS) in dark.reason and dark.action == "exclude"
    stats_back = PixelStats.from_vector(stats[0].to_vector())
    assert stats_back.pixel_hash == stats[0].pixel_hash
    assert stats_back.perceptual_hash == stats[0].perceptual_hash


def test_outliers_and_balance():
    x, _ = _clusters(per_class=30)
    far = np.full((1, 16), 40.0, dtype=np.float32)
    far[0, ::2] = -40
    graph = neighbour_graph(np.vstack([x, far]), 10)
    labels = np.concatenate([np.repeat(np.arange(3), 30), [0]])
    out = outlier_findings(graph, [f"p{i}" for i in range(len(x) + 1)], labels)
    assert [f.paths[0] for f in out][:1] == [f"p{len(x)}"]
    balance = balance_findings({"a": 200, "b": 15, "c": 4})
    assert {f.classes for f in balance} == {("c",), ("c", "a")}
    assert counts_by_kind(balance)["balance"] == 2


def test_finding_key_is_stable_and_order_free():
    a = Finding("duplicate", "medium", ("x", "y"), 2.0, "r", "exclude_extra")
    b = Finding("duplicate", "low", ("y", "x"), 3.0, "other", "review")
    assert a.key == b.key and a.to_dict()["key"] == a.key
    assert Finding("leakage", "high", ("x", "y"), 2.0, "r", "move_to:val").key != a.key
