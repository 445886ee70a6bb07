"""The exported graph's "none of my classes" agrees with the engine's, fitted on the run's best weights."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import shared_dataset

from engine.runs.files import PREDICTIONS
from engine.trust.model import load_trust


def test_calibration_is_fitted_on_the_weights_the_run_kept(exported):
    """The best weights are on disk before calibration reads them (they were once still queued)."""
    trust = load_trust(exported.run_dir)
    rows = json.loads((exported.run_dir / PREDICTIONS).read_text())["rows"]
    kept = -np.mean([np.log(max(r["probs"][r["label"]], 1e-6)) for r in rows])  # the best epoch's val NLL
    assert trust.calibration["n"] == len(rows)
    assert trust.calibration["nll_before"] == pytest.approx(kept, abs=2e-3)


@pytest.mark.slow
def test_onnx_rejects_about_five_percent_of_its_own_validation_images(tmp_path):
    """hymenoptera, features on Lite0: the threshold accepts 95% of validation, via the engine and ONNX."""
    from cli.main import run as cli_run
    from engine.data.scan import VAL, scan_dataset
    from engine.inference.predictor import OnnxPredictor

    data = shared_dataset("hymenoptera")
    run_dir, model = tmp_path / "run", tmp_path / "model.onnx"
    assert cli_run(["train", str(data), "--strategy", "features", "--out", str(run_dir), "--json"]) == 0
    assert cli_run(["export", str(run_dir), "--out", str(model), "--json"]) == 0
    trust = load_trust(run_dir)
    assert trust.held_out == "out-of-fold"
    val = [s.path for s in scan_dataset(data).subset(VAL)]
    results = [r for r in OnnxPredictor(model).predict_paths(val) if r.ok]
    via_onnx = float(np.mean([bool(r.unknown) for r in results]))
    via_engine = trust.novelty_report["val_rejected"]
    assert 0.03 <= via_engine <= 0.07 and 0.03 <= via_onnx <= 0.07
    assert abs(via_onnx - via_engine) <= 2 / len(results)  # an image or two on the threshold at most
