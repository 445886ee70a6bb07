"""The offline demo: deterministic generated data, and the whole pipeline on a small version."""

from __future__ import annotations

import hashlib
import json

from PIL import Image

from cli.main import run as cli_run
from engine.demo import CLASSES, SIZES, make_demo_dataset


def _digest(root):
    files = sorted(p for p in root.rglob("*.png"))
    return [(p.relative_to(root).as_posix(), hashlib.sha1(p.read_bytes()).hexdigest()) for p in files]


def test_demo_dataset_is_deterministic_and_varied(tmp_path):
    first = make_demo_dataset(tmp_path / "a", per_class=4)
    again = make_demo_dataset(tmp_path / "b", per_class=4)
    other = make_demo_dataset(tmp_path / "c", per_class=4, seed=1)
    assert _digest(first) == _digest(again) != _digest(other)
    assert sorted(p.name for p in first.iterdir()) == sorted(CLASSES)
    sizes = set()
    for path in first.rglob("*.png"):
        with Image.open(path) as image:
            sizes.add(image.size)
    assert sizes == set(SIZES)


def test_demo_runs_offline_end_to_end(tmp_path, capsys):
    out = tmp_path / "demo"
    code = cli_run(["demo", "--out", str(out), "--per-class", "6", "--threads", "2", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert summary["parity_passed"] is True and summary["top1_agreement"] == 1.0
    assert summary["new_images"] == 9 and (out / "model.onnx").is_file()
    assert summary["strategy"] and 0.0 <= summary["best_val_acc"] <= 1.0
    assert "predicted 9 new images" in captured.err
