"""Fitting a run's trust model from a real (tiny) network and real image files."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import make_dataset
from torch import nn

from engine.data.scan import Sample
from engine.errors import RunError
from engine.models.classifier import TransferModel
from engine.runs.files import TRUST, TRUST_REFERENCES
from engine.trust.fit_run import fit_run_trust
from engine.trust.model import load_trust, save_trust

SPEC = {"input_size": 16, "resize_size": 18, "mean": [0.5] * 3, "std": [0.5] * 3, "interpolation": "bilinear"}


class _MeanColour(nn.Module):
    """A 'backbone' whose features are the mean colour and its spread: separates the test colours."""

    def forward(self, x):
        return torch.cat([x.mean(dim=(2, 3)), x.std(dim=(2, 3))], dim=1)


def _samples(root, split, per_class):
    make_dataset(root, per_class=per_class, classes=("red", "green", "blue"))
    return [Sample(str(p), label, split) for label, name in enumerate(("red", "green", "blue"))
            for p in sorted((root / name).iterdir())]


@pytest.fixture
def trained(tmp_path):
    torch.manual_seed(0)
    model = TransferModel([_MeanColour()], [6], 3, dropout=0.0).eval()
    with torch.no_grad():  # a head that reads the mean colour: red, green, blue
        model.head[1].weight.zero_()
        model.head[1].weight[:, :3] = torch.eye(3) * 8
        model.head[1].bias.zero_()
    train = _samples(tmp_path / "train", "train", 12)
    val = _samples(tmp_path / "val", "val", 8)
    return model, train, val


def test_trust_fitted_from_images_rejects_junk_and_round_trips(trained, tmp_path):
    model, train, val = trained
    trust = fit_run_trust(model, [SPEC], train, val, torch.device("cpu"))
    assert trust is not None and trust.novelty is not None
    assert trust.calibration["n"] == len(val) and 0.05 <= trust.temperature <= 20
    report = trust.novelty_report
    assert set(report["loco_auroc"]) == {"0", "1", "2"}
    assert report["junk_count"] >= 10 and report["junk_rejected"] >= 0.6
    assert "noise-0" not in report["junk_missed"]
    assert [p["threshold"] for p in report["rejection_curve"]][15] == 1.25
    save_trust(tmp_path, trust)
    loaded = load_trust(tmp_path)
    assert loaded.temperature == trust.temperature and loaded.novelty.k == trust.novelty.k
    assert np.array_equal(loaded.novelty.reference, trust.novelty.reference)
    assert loaded.novelty_report == report


def test_reusing_cached_features_gives_the_same_references(trained):
    model, train, val = trained
    from engine.trust.fit_run import CachedEmbeddings, embed_samples

    _, embeddings, labels = embed_samples(model, [SPEC], train, torch.device("cpu"))
    cpu = torch.device("cpu")
    _, val_emb, val_labels = embed_samples(model, [SPEC], val, cpu)
    cached = CachedEmbeddings(val_emb, val_labels, list(range(len(val_labels))), embeddings, labels)
    via_cache = fit_run_trust(model, [SPEC], train, val, cpu, cached=cached)
    direct = fit_run_trust(model, [SPEC], train, val, torch.device("cpu"))
    assert np.allclose(via_cache.novelty.reference, direct.novelty.reference, atol=1e-6)


def test_no_validation_images_means_no_trust_and_damaged_files_are_named(trained, tmp_path):
    model, train, _ = trained
    assert fit_run_trust(model, [SPEC], train, [], torch.device("cpu")) is None
    assert load_trust(tmp_path) is None  # a run from before calibration
    (tmp_path / TRUST).write_text('{"temperature": "hot"}')
    with pytest.raises(RunError, match=r"trust\.json"):
        load_trust(tmp_path)
    (tmp_path / TRUST).write_text('{"temperature": 1.5, "calibration": {}, "novelty": {"k": 1}}')
    (tmp_path / TRUST_REFERENCES).write_bytes(b"not numpy")
    with pytest.raises(RunError, match=r"trust_references\.npy"):
        load_trust(tmp_path)


def test_head_only_runs_fit_t_out_of_fold_and_others_on_validation(trained):
    """Cached features (features, stack) and the run's recipe: T from 5 folds; ECE measured on validation."""
    from engine.config import TrainConfig
    from engine.trust.fit_run import CachedEmbeddings, embed_samples
    from engine.trust.out_of_fold import HeadRecipe

    model, train, val = trained
    cpu = torch.device("cpu")
    _, embeddings, labels = embed_samples(model, [SPEC], train, cpu)
    _, val_emb, val_labels = embed_samples(model, [SPEC], val, cpu)
    cached = CachedEmbeddings(val_emb, val_labels, list(range(len(val_labels))), embeddings, labels)
    config = TrainConfig(data_dir="unused", strategy="features", epochs=20, batch_size=8, lr=0.05)
    recipe = HeadRecipe(config, 20)

    folded = fit_run_trust(model, [SPEC], train, val, cpu, cached=cached, recipe=recipe)
    assert folded.held_out == "out-of-fold"
    assert folded.calibration["source"] == f"out-of-fold (5 folds, {len(train)} training images)"
    assert folded.calibration["fitted_n"] == len(train) and folded.calibration["n"] == len(val)
    assert folded.metadata()["calibration"]["source"] == folded.calibration["source"]

    image_run = fit_run_trust(model, [SPEC], train, val, cpu)  # partial, full, ...: no cached features
    assert image_run.held_out == "validation"
    assert image_run.calibration["source"] == f"validation ({len(val)} images)"
    assert image_run.calibration["fitted_n"] == image_run.calibration["n"] == len(val)
    assert folded.temperature != image_run.temperature  # fitted on other logits
    # both measure ECE on the same validation logits: only T differs
    assert folded.calibration["ece_before"] == image_run.calibration["ece_before"]
