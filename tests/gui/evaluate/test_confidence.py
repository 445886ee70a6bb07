"""Evaluate page, Confidence tab: calibration and rejection figures from a run's trust.json (offscreen)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("PySide6")

CLASSES = ["ants", "<b>bees</b>", "wasps"]


@pytest.fixture
def page(qtbot):
    from gui.evaluate.evaluation_page import EvaluationPage

    widget = EvaluationPage()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def test_confidence_tab_shows_calibration_and_rejection(page, make_run):
    run_dir, trust = make_run(CLASSES, n_val=120)
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


def test_enough_validation_images_give_no_warning(page, make_run):
    run_dir, _ = make_run(CLASSES, n_val=320)
    assert page.load_run(str(run_dir))
    assert page.confidence.warning.isHidden()


def test_a_run_without_calibration_says_so_calmly(page, make_run):
    from gui.evaluate.confidence import NO_TRUST

    run_dir, _ = make_run(CLASSES)
    assert page.load_run(str(run_dir))
    assert page.confidence.pages.currentIndex() == 0 and page.confidence.message.text() == NO_TRUST


def test_a_damaged_trust_file_is_named(page, make_run):
    run_dir, _ = make_run(CLASSES)
    (run_dir / "trust.json").write_text('{"temperature": "hot"}')
    assert page.load_run(str(run_dir))
    message = page.confidence.message.text()
    assert page.confidence.pages.currentIndex() == 0 and "trust.json" in message and "damaged" in message
