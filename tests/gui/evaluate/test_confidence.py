"""Evaluate page, Confidence tab: calibration and rejection figures from a run's trust.json (offscreen)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json

import numpy as np
import pytest

pytest.importorskip("PySide6")

CLASSES = ["ants", "<b>bees</b>", "wasps"]


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


def _run(tmp_path, n_val: int = 0, name: str = "r1"):
    """A run folder with validation predictions (and trust.json when ``n_val``)."""
    run_dir = tmp_path / name
    run_dir.mkdir()
    rows = [{"path": str(tmp_path / f"img_{i}.png"), "label": i % 3, "probs": [0.8 if j == i % 3 else 0.1
                                                                            for j in range(3)]}
            for i in range(6)]
    (run_dir / "val_predictions.json").write_text(json.dumps({"epoch": 2, "classes": CLASSES, "rows": rows}))
    (run_dir / "run.json").write_text(json.dumps({"strategy": "features", "backbones": ["x"],
                                                  "status": "completed", "best_epoch": 2,
                                                  "best_val_acc": 1.0, "created": "2026"}))
    (run_dir / "config.json").write_text("{}")
    trust = _write_trust(run_dir, n_val) if n_val else None
    return run_dir, trust


@pytest.fixture
def page(qtbot):
    from gui.evaluate.evaluation_page import EvaluationPage

    widget = EvaluationPage()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def test_confidence_tab_shows_calibration_and_rejection(page, tmp_path):
    run_dir, trust = _run(tmp_path, n_val=120)
    assert page.load_run(str(run_dir))
    view = page.confidence
    assert page.tabs.indexOf(view) >= 0 and view.pages.currentIndex() == 1
    report = trust.calibration
    assert report["ece_after"] < report["ece_before"] / 2  # the overconfident logits were calibrated
    text = view.calibration.text()
    assert f"T = {trust.temperature:.2f}" in text
    assert f"{report['ece_before']:.1%} → {report['ece_after']:.1%}" in text
    assert f"{report['nll_before']:.3f} → {report['nll_after']:.3f}" in text
    assert not view.warning.isHidden() and "fewer than 300 validation images" in view.warning.text()
    counts = [int(label.toPlainText()) for label in view.reliability.count_labels]
    assert sum(counts) == 2 * 120  # every validation image counted once before and once after
    assert f"{trust.novelty_report['val_rejected']:.1%} of the validation" in view.rejection_text.text()
    assert "rejected: 100% of 6" in view.rejection_text.text()
    names = [view.loco.item(r, 0).text() for r in range(view.loco.rowCount())]
    assert names == CLASSES  # class names from the run, shown literally
    auroc = [float(view.loco.item(r, 1).text()) for r in range(3)]
    assert auroc == [round(trust.novelty_report["loco_auroc"][str(c)], 2) for c in range(3)]


def test_enough_validation_images_give_no_warning(page, tmp_path):
    run_dir, _ = _run(tmp_path, n_val=320)
    assert page.load_run(str(run_dir))
    assert page.confidence.warning.isHidden()


def test_a_run_without_calibration_says_so_calmly(page, tmp_path):
    from gui.evaluate.confidence import NO_TRUST

    run_dir, _ = _run(tmp_path)
    assert page.load_run(str(run_dir))
    assert page.confidence.pages.currentIndex() == 0 and page.confidence.message.text() == NO_TRUST


def test_a_damaged_trust_file_is_named(page, tmp_path):
    run_dir, _ = _run(tmp_path)
    (run_dir / "trust.json").write_text('{"temperature": "hot"}')
    assert page.load_run(str(run_dir))
    message = page.confidence.message.text()
    assert page.confidence.pages.currentIndex() == 0 and "trust.json" in message and "damaged" in message
