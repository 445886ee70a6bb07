"""Prediction from an exported file: file checks before any session, batching, errors, CLI, no torch."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from helpers import make_image
from onnx import TensorProto, helper

from cli.main import run as cli_run
from engine.errors import ModelFileError
from engine.inference.predictor import OnnxPredictor, read_model_file

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def folder(exported, tmp_path):
    """Two readable images of different sizes in nested folders, one broken file, one text file."""
    make_image(tmp_path / "imgs" / "a" / "red.png", (220, 30, 30), size=(40, 32), seed=7)
    make_image(tmp_path / "imgs" / "b" / "green.jpg", (30, 200, 40), size=(64, 48), seed=8)
    make_image(tmp_path / "imgs" / "b" / "green2.png", (30, 200, 40), size=(40, 32), seed=9)
    (tmp_path / "imgs" / "b" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (tmp_path / "imgs" / "notes.txt").write_text("not an image")
    return tmp_path / "imgs"


def test_predict_paths_in_order_with_errors_reported(exported, folder):
    predictor = OnnxPredictor(exported.onnx_path, threads=2, batch_size=4)
    assert predictor.classes == ("green", "red") and predictor.metadata["strategy"] == "features"
    assert predictor.providers[-1] == "CPUExecutionProvider"
    seen = []
    results = list(
        predictor.predict_paths(
            [folder, folder / "missing.png"], top_k=2, progress=lambda d, t, m: seen.append((d, t))
        )
    )
    names = [Path(r.path).name for r in results]
    assert names == ["red.png", "broken.jpg", "green.jpg", "green2.png", "missing.png"]
    by_name = dict(zip(names, results, strict=True))
    assert by_name["broken.jpg"].error and not by_name["broken.jpg"].ok
    assert by_name["missing.png"].error == "no such file or folder"
    assert by_name["red.png"].top[0][0] == "red" and by_name["green.jpg"].top[0][0] == "green"
    assert len(by_name["red.png"].top) == 2 and abs(sum(p for _, p in by_name["red.png"].top) - 1) < 1e-5
    assert seen[-1] == (5, 5)


def test_predict_arrays_batches_by_size_and_matches_single_calls(exported):
    predictor = OnnxPredictor(exported.onnx_path, threads=2, batch_size=2)
    rng = np.random.default_rng(1)
    images = [
        rng.integers(0, 256, shape, dtype=np.uint8)
        for shape in [(30, 40, 3), (50, 20, 3), (30, 40, 3), (30, 40)]
    ]
    together = predictor.predict_arrays(images)
    alone = [predictor.predict_arrays([image])[0] for image in images]
    assert len(together) == 4 and together[3].embedding.shape == (1280,)
    for a, b in zip(together, alone, strict=True):
        assert np.abs(a.probabilities - b.probabilities).max() < 1e-5
    assert together[0].label in predictor.classes and together[0].top(1)[0][0] == together[0].label
    with pytest.raises(ValueError, match="uint8"):
        predictor.predict_arrays([np.zeros((4, 4, 3), np.float32)])


def _no_session(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a session was created for a refused file")

    monkeypatch.setattr(ort, "InferenceSession", refuse)


def test_truncated_file_is_refused_before_a_session(exported, tmp_path, monkeypatch):
    data = exported.onnx_path.read_bytes()
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(data[: len(data) // 2])
    _no_session(monkeypatch)
    with pytest.raises(ModelFileError, match="truncated or not an ONNX file"):
        OnnxPredictor(truncated)
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    with pytest.raises(ModelFileError, match="empty"):
        OnnxPredictor(empty)
    with pytest.raises(ModelFileError, match="no such model file"):
        OnnxPredictor(tmp_path / "absent.onnx")


def test_foreign_model_is_refused_before_a_session(tmp_path, monkeypatch):
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "foreign",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
    )
    path = tmp_path / "foreign.onnx"
    onnx.save(helper.make_model(graph), str(path))
    _no_session(monkeypatch)
    with pytest.raises(ModelFileError, match="not a Transfer Studio model"):
        OnnxPredictor(path)


def test_newer_format_and_altered_graph_are_refused(exported, tmp_path, monkeypatch):
    model = onnx.load(str(exported.onnx_path))
    for prop in model.metadata_props:
        if prop.key == "transfer_studio.format_version":
            prop.value = "99"
    newer = tmp_path / "newer.onnx"
    onnx.save(model, str(newer))
    _no_session(monkeypatch)
    with pytest.raises(ModelFileError, match="newer than this app"):
        read_model_file(newer)


def test_external_data_is_refused_before_a_session(exported, tmp_path, monkeypatch):
    model = onnx.load(str(exported.onnx_path))
    path = tmp_path / "external.onnx"
    onnx.save(
        model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location="weights.bin"
    )
    _no_session(monkeypatch)
    with pytest.raises(ModelFileError, match="external data"):
        OnnxPredictor(path)


def test_cli_json_lines(exported, folder, capsys):
    code = cli_run(
        ["predict", str(exported.onnx_path), str(folder), "--json", "--top-k", "1", "--threads", "2"]
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and len(lines) == 4
    errors = [line for line in lines if "error" in line]
    assert [Path(e["path"]).name for e in errors] == ["broken.jpg"]
    good = [line for line in lines if "error" not in line]
    assert all(len(line["top"]) == 1 and line["label"] in ("green", "red") for line in good)


def test_cli_csv_and_refused_model(exported, folder, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert cli_run(["predict", str(exported.onnx_path), str(folder), "--csv", str(out), "--top-k", "2"]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4 and set(rows[0]) >= {"path", "label_1", "probability_1", "label_2", "error"}
    assert sum(bool(r["error"]) for r in rows) == 1
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"garbage")
    assert cli_run(["predict", str(bad), str(folder)]) == 2
    assert "error:" in capsys.readouterr().err


def test_predict_works_without_torch(exported, folder):
    code = f"""
import json, sys
sys.modules["torch"] = None  # any import of torch now fails
import main
sys.argv = ["main.py", "predict", {str(exported.onnx_path)!r}, {str(folder)!r}, "--json"]
code = main.main(sys.argv[1:])
assert code == 0, code
heavy = ("torch", "torchvision", "timm")
assert not [m for m in sys.modules if m.startswith(heavy) and sys.modules[m] is not None]
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 4 and sum("label" in line for line in lines) == 3


def test_csv_neutralises_formulas_and_pads_missing_labels():
    from types import SimpleNamespace

    from engine.inference.report import predictions_csv

    rows = [
        SimpleNamespace(path="=HYPERLINK(1).png", top=(("+cmd", 0.75), ("ok", 0.25)), error=None,
                        unknown=True, unknown_score=1.5),
        SimpleNamespace(path="b.png", top=(), error="-broken", unknown=None, unknown_score=None),
    ]
    table = list(csv.reader(predictions_csv(rows, top_k=2).splitlines()))
    header = ["path", "label_1", "probability_1", "label_2", "probability_2"]
    header += ["unknown", "unknown_score", "error"]
    assert table[0] == header
    assert table[1] == ["'=HYPERLINK(1).png", "'+cmd", "0.750000", "ok", "0.250000", "yes", "1.500000", ""]
    assert table[2] == ["b.png", "", "", "", "", "", "", "'-broken"]
