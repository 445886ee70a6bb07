"""Evaluate page fixtures: a run folder with validation predictions and, on request, a fitted trust.json."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def _synthetic(n_val: int, seed: int = 0):
    """Overconfident logits (80% right, always ~99% sure) and class-clustered embeddings."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 16)) * 3

    def embed(labels):
        return centres[labels] + rng.normal(size=(len(labels), 16))

    val_labels = rng.integers(0, 3, n_val)
    predicted = np.where(rng.random(n_val) < 0.8, val_labels, (val_labels + 1) % 3)
    logits = rng.normal(size=(n_val, 3)) * 0.5
    logits[np.arange(n_val), predicted] += 6.0
    train_labels = np.repeat(np.arange(3), 30)
    return logits, val_labels, embed(val_labels), embed(train_labels), train_labels, rng


def _write_trust(run_dir, n_val: int):
    """Fit a TrustModel on synthetic data and save it with a measured novelty report."""
    import dataclasses

    from engine.trust.model import fit_trust, save_trust
    from engine.trust.novelty import leave_one_class_out_auroc
    from engine.trust.temperature import softmax

    logits, labels, val_emb, train_emb, train_labels, rng = _synthetic(n_val)
    trust = fit_trust(logits, labels, logits, val_emb, train_emb, train_labels)
    scores = trust.novelty.scores(val_emb, softmax(logits, trust.temperature).max(axis=1))
    junk = trust.novelty.scores(rng.normal(size=(6, 16)) * 20, np.full(6, 0.4))
    report = {
        "rejection_curve": [{"threshold": float(t), "rejected": float((scores > t).mean())}
                            for t in np.linspace(0.5, 2.0, 31)],
        "val_rejected": float((scores > 1.0).mean()),
        "loco_auroc": {str(c): a for c, a in leave_one_class_out_auroc(train_emb, train_labels, val_emb,
                                                                       labels).items()},
        "junk_rejected": float((junk > 1.0).mean()),
        "junk_count": 6,
        "junk_missed": [],
    }
    trust = dataclasses.replace(trust, novelty_report=report)
    save_trust(run_dir, trust)
    return trust


def _run(tmp_path: Path, classes: Sequence[str], n_val: int = 0, name: str = "r1", images: bool = False,
         wrong: int = 0):
    """A run folder with validation predictions (and trust.json when ``n_val``).

    ``images`` writes the six validation images too; the first ``wrong`` of them are predicted as
    the next class.
    """
    run_dir = tmp_path / name
    run_dir.mkdir()
    rows = []
    for i in range(6):
        path = tmp_path / f"img_{i}.png"
        if images:
            Image.new("RGB", (24, 24), (40 * i, 90, 160)).save(path)
        predicted = (i + 1) % 3 if i < wrong else i % 3
        rows.append({"path": str(path), "label": i % 3,
                     "probs": [0.8 if j == predicted else 0.1 for j in range(3)]})
    (run_dir / "val_predictions.json").write_text(json.dumps({"epoch": 2, "classes": list(classes),
                                                              "rows": rows}))
    (run_dir / "run.json").write_text(json.dumps({"strategy": "features", "backbones": ["x"],
                                                  "status": "completed", "best_epoch": 2,
                                                  "best_val_acc": 1.0, "created": "2026"}))
    (run_dir / "config.json").write_text("{}")
    trust = _write_trust(run_dir, n_val) if n_val else None
    return run_dir, trust


@pytest.fixture
def make_run(tmp_path) -> Callable[..., tuple[Path, object]]:
    """``make_run(classes, n_val=0, name="r1", images=False, wrong=0)``: a run folder and its TrustModel."""

    def make(classes: Sequence[str], **options):
        return _run(tmp_path, classes, **options)

    return make
