"""ONNX export: one self-contained file, preprocessing inside, parity with the app's pipeline."""

from __future__ import annotations

import json
import shutil

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from helpers import make_image
from torch import nn

from cli.main import run as cli_run
from engine.data.preprocess import Preprocess
from engine.data.transforms import EvalPreprocess, to_uint8_chw
from engine.errors import RunError
from engine.export import export_run, failed_path
from engine.export import onnx_export as exporter
from engine.export.graph import _Spec, attach_preprocessing, build_graph
from engine.export.parity import ParityReport, TorchPipeline
from engine.export.quantize import quantize_core
from engine.imaging import load_rgb_array
from engine.models.classifier import TransferModel


def _session(path_or_model) -> ort.InferenceSession:
    data = (
        path_or_model.SerializeToString()
        if isinstance(path_or_model, onnx.ModelProto)
        else str(path_or_model)
    )
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def test_cli_export_json_and_parity_report(exported):
    s = exported.summary
    assert s["onnx_path"] == str(exported.onnx_path.resolve())
    assert s["passed"] is True and s["top1_agreement"] == 1.0
    assert s["images_compared"] == 2 and s["max_abs_diff"] < 1e-4
    assert s["size_bytes"] == exported.onnx_path.stat().st_size
    stored = json.loads((exported.root / "model.parity.json").read_text())
    assert stored["top1_agreement"] == 1.0 and stored["parity"]["passed"] is True


def test_file_is_self_contained_with_metadata(exported):
    assert sorted(p.name for p in exported.root.iterdir() if p.is_file()) == [
        "model.onnx",
        "model.parity.json",
    ]
    model = onnx.load(str(exported.onnx_path), load_external_data=False)
    onnx.checker.check_model(model)
    assert all(t.data_location != onnx.TensorProto.EXTERNAL for t in model.graph.initializer)
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["transfer_studio.format_version"] == "1"
    assert json.loads(meta["classes"]) == ["green", "red"]
    assert json.loads(meta["input"]) == {
        "name": "images",
        "dtype": "uint8",
        "layout": "NHWC",
        "channels": "RGB",
        "range": [0, 255],
    }
    assert json.loads(meta["backbones"]) == ["efficientnet_lite0"] and meta["strategy"] == "features"
    assert 0.0 <= float(meta["val_accuracy"]) <= 1.0 and meta["trained"] and meta["exported"]
    assert json.loads(meta["preprocess"])[0]["interpolation"] == "bicubic"
    parity = json.loads(meta["parity"])
    assert parity["passed"] is True and parity["top1_agreement"] == exported.summary["top1_agreement"]
    (image,) = model.graph.input
    assert image.name == "images" and image.type.tensor_type.elem_type == onnx.TensorProto.UINT8
    assert [d.dim_param or d.dim_value for d in image.type.tensor_type.shape.dim] == [
        "batch",
        "height",
        "width",
        3,
    ]
    outputs = [o.name for o in model.graph.output]
    assert outputs == ["probabilities", "embedding", "unknown_score", "is_unknown"]
    calibration, novelty = json.loads(meta["calibration"]), json.loads(meta["novelty"])
    assert calibration["temperature"] > 0 and calibration["fitted_on"] == "out-of-fold"  # a features run
    assert calibration["source"].startswith("out-of-fold (5 folds, ")
    assert novelty["threshold"] == 1.0 and novelty["k"] >= 1 and "95%" in novelty["chosen_by"]


def test_raw_images_of_two_sizes_match_the_torch_pipeline(exported):
    from engine.runs.checkpoints import load_run_model
    from engine.trust.model import load_trust

    model, info = load_run_model(exported.run_dir)
    pipeline = TorchPipeline(model, info.preprocess, load_trust(exported.run_dir))
    session = _session(exported.onnx_path)
    rng = np.random.default_rng(0)
    small = load_rgb_array(make_image(exported.root / "a.png", (200, 40, 40), size=(40, 32), seed=1))
    exact = rng.integers(0, 256, (256, 300, 3), dtype=np.uint8)  # shorter side = resize size: crop only
    for rgb in (small, exact):
        ref_p, ref_e, ref_score = pipeline(rgb)
        probs, embedding, score, _ = session.run(None, {"images": rgb[None]})
        assert np.abs(probs[0] - ref_p).max() < 1e-4
        assert np.abs(embedding[0] - ref_e).max() < 1e-3
        assert np.isclose(score[0], ref_score, rtol=1e-3, atol=1e-3)
    probs, *_ = session.run(None, {"images": np.stack([small] * 3)})
    assert np.abs(probs - probs[:1]).max() < 1e-6
    # Other sizes: torch's resampler quantises its weights to int16, ONNX Runtime's to 22 bits, so
    # some pixels differ by one level; probabilities then agree closely, not to the last bit.
    portrait = load_rgb_array(make_image(exported.root / "b.png", (40, 190, 60), size=(50, 70), seed=2))
    photo = np.clip(rng.normal(120, 40, (300, 410, 3)), 0, 255).astype(np.uint8)
    for rgb in (portrait, photo):
        ref_p, *_ = pipeline(rgb)
        probs, *_ = session.run(None, {"images": rgb[None]})
        assert probs[0].argmax() == ref_p.argmax() and np.abs(probs[0] - ref_p).max() < 5e-3


def _identity_core(crop: int, count: int = 1) -> onnx.ModelProto:
    from onnx import TensorProto, helper

    inputs = [
        helper.make_tensor_value_info(f"x{i}", TensorProto.FLOAT, ["n", 3, crop, crop]) for i in range(count)
    ]
    outputs = [helper.make_tensor_value_info(f"y{i}", TensorProto.FLOAT, None) for i in range(count)]
    nodes = [helper.make_node("Identity", [f"x{i}"], [f"y{i}"]) for i in range(count)]
    graph = helper.make_graph(nodes, "core", inputs, outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


SPEC = {"input_size": 8, "resize_size": 10, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
@pytest.mark.parametrize("shape", [(10, 13), (10, 15), (15, 10), (13, 10), (10, 10)])
def test_crop_offsets_and_normalisation_are_exact(interpolation, shape):
    """Images whose shorter side is already resize_size: no resampling, so the crop must be exact."""
    spec = {**SPEC, "interpolation": interpolation}
    graph = attach_preprocessing(_identity_core(8), [_Spec.from_dict(spec)])
    rgb = np.random.default_rng(3).integers(0, 256, (*shape, 3), dtype=np.uint8)
    (out,) = _session(graph).run(None, {"images": rgb[None]})
    ref = EvalPreprocess(Preprocess.from_dict(spec))(to_uint8_chw(rgb).unsqueeze(0)).numpy()
    assert out.shape == ref.shape == (1, 3, 8, 8)
    np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
@pytest.mark.parametrize("shape", [(37, 23), (23, 37), (64, 64), (7, 9), (120, 90)])
def test_resize_matches_eval_preprocess_within_one_level(interpolation, shape):
    spec = {**SPEC, "interpolation": interpolation, "input_size": 16, "resize_size": 18}
    graph = attach_preprocessing(_identity_core(16), [_Spec.from_dict(spec)])
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]]
    rgb = np.stack([x * 255 // max(1, shape[1] - 1), y * 255 // max(1, shape[0] - 1), (x * y) % 256], -1)
    rgb = rgb.astype(np.uint8)
    (out,) = _session(graph).run(None, {"images": rgb[None]})
    ref = EvalPreprocess(Preprocess.from_dict(spec))(to_uint8_chw(rgb).unsqueeze(0)).numpy()
    std = np.array(SPEC["std"]).reshape(1, 3, 1, 1) * 255
    levels = np.abs(out - ref) * std  # back to 0-255 units
    assert out.shape == ref.shape and levels.max() <= 2.01 and (levels > 0.5).mean() < 0.1


class _Tiny(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, channels, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1))

    def forward(self, x):
        return self.body(x).flatten(1)


def test_stack_with_two_preprocessings_is_one_graph():
    torch.manual_seed(0)
    model = TransferModel([_Tiny(4), _Tiny(5)], [4, 5], 3).eval()
    specs = [
        {**SPEC, "input_size": 16, "resize_size": 20, "interpolation": "bicubic"},
        {
            "input_size": 12,
            "resize_size": 12,
            "mean": [0.5] * 3,
            "std": [0.5] * 3,
            "interpolation": "bilinear",
        },
    ]
    graph = build_graph(model, specs)
    assert [i.name for i in graph.graph.input] == ["images"]
    session = _session(graph)
    pipeline = TorchPipeline(model, specs)
    for shape in [(30, 40), (41, 29)]:
        rgb = np.random.default_rng(shape[0]).integers(0, 256, (*shape, 3), dtype=np.uint8)
        probs, embedding = session.run(None, {"images": rgb[None]})
        ref_p, *_ = pipeline(rgb)
        assert embedding.shape == (1, 9)
        assert np.abs(probs[0] - ref_p).max() < 2e-3 and probs[0].argmax() == ref_p.argmax()


@pytest.mark.parametrize("mode", ["dynamic", "static"])
def test_quantised_network_keeps_the_contract(mode):
    from engine.export.graph import distinct_specs, export_core, finish_graph
    from engine.export.quantize import calibration_feeds

    torch.manual_seed(0)
    model = TransferModel([_Tiny(8)], [8], 2).eval()
    spec = {**SPEC, "input_size": 16, "resize_size": 18, "interpolation": "bilinear"}
    specs, index = distinct_specs([spec])
    core = export_core(model, specs, index, 18)
    images = [np.random.default_rng(i).integers(0, 256, (20, 30, 3), dtype=np.uint8) for i in range(4)]
    quantised = quantize_core(core, mode, calibration_feeds(images, [spec]))
    graph = finish_graph(quantised, specs, {"quantization": mode})
    probs, _ = _session(graph).run(None, {"images": np.stack(images[:2])})
    reference = TorchPipeline(model, [spec])(images[0])[0]
    assert probs.shape == (2, 2) and np.allclose(probs.sum(1), 1, atol=1e-5)
    assert np.abs(probs[0] - reference).max() < 0.05


def test_auto_quantisation_keeps_float_unless_faster_and_faithful():
    ok, bad = ParityReport(images_compared=50), ParityReport(images_compared=50, max_disagreements=1)
    bad.disagreements = [{"path": "a", "torch": "x", "onnx": "y"}] * 2
    ok.max_disagreements = 1
    reports = {"none": ParityReport(images_compared=50), "dynamic": ok, "static": bad}
    assert exporter._choose(reports, {"none": 10.0, "dynamic": 12.0, "static": 5.0}, "auto")[0] == "none"
    assert exporter._choose(reports, {"none": 10.0, "dynamic": 8.0, "static": 5.0}, "auto")[0] == "dynamic"
    assert exporter._choose(reports, {"none": 10.0, "dynamic": 8.0}, "none")[0] == "none"


def test_run_without_best_weights_is_refused(exported, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(exported.run_dir, run)
    (run / "best.pt").unlink()
    with pytest.raises(RunError, match=r"best\.pt"):
        export_run(run, tmp_path / "m.onnx")
    with pytest.raises(RunError, match="not a Transfer Studio run"):
        export_run(tmp_path / "nothing", tmp_path / "m.onnx")


def test_failed_parity_is_loud_and_leaves_the_old_file(exported, tmp_path, monkeypatch, capsys):
    class Wrong(TorchPipeline):
        def __call__(self, rgb):
            probs, embedding, score = super().__call__(rgb)
            return probs[::-1].copy(), embedding, score

    monkeypatch.setattr(exporter, "TorchPipeline", Wrong)
    target = tmp_path / "model.onnx"
    target.write_bytes(b"old")
    code = cli_run(["export", str(exported.run_dir), "--out", str(target), "--json"])
    captured = capsys.readouterr()
    assert code == 1 and "EXPORT FAILED PARITY" in captured.err
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert summary["passed"] is False and summary["top1_agreement"] == 0.0
    assert target.read_bytes() == b"old"
    assert summary["onnx_path"] == str(failed_path(target).resolve()) and failed_path(target).is_file()
    assert (tmp_path / "model.failed-parity.parity.json").is_file()
    from engine.errors import ModelFileError
    from engine.inference.predictor import read_model_file

    with pytest.raises(ModelFileError, match="failed its parity check"):
        read_model_file(failed_path(target))  # the file itself says it must not be used


def test_near_ties_are_reported_but_do_not_fail_parity():
    tie = {"path": "a.png", "torch": "x", "onnx": "y", "app_margin": 0.01}
    real = {"path": "b.png", "torch": "x", "onnx": "y", "app_margin": 0.4}
    ties = ParityReport(images_compared=400, top1_agreement=397 / 400, disagreements=[tie] * 3)
    wrong = ParityReport(images_compared=400, top1_agreement=397 / 400, disagreements=[real] * 3)
    assert ties.ties == 3 and ties.passed and "3 of them near-ties" in ties.summary()
    assert wrong.ties == 0 and not wrong.passed
    assert ties.to_dict()["ties"] == 3
