"""Predict page: drop images for top-k cards, drop a folder for a sortable table and CSV (fake predictor)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication


def _drop(widget, paths):
    """Enter, move, drop: Qt only delivers a drop to a widget that accepted the drag."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos, actions = widget.rect().center(), Qt.DropAction.CopyAction
    button, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(widget, QDragEnterEvent(pos, actions, mime, button, mods))
    QApplication.sendEvent(widget, QDragMoveEvent(pos, actions, mime, button, mods))
    event = QDropEvent(QPointF(pos), actions, mime, button, mods)
    QApplication.sendEvent(widget, event)
    return event


def test_dropping_images_shows_top_k_cards(qtbot, page, tmp_path, images, dialogs):
    root = images(tmp_path / "imgs", {"a": 2})
    paths = sorted((root / "a").iterdir())
    assert "3 classes" in page.model_label.text() and "efficientnet_lite0" in page.model_label.text()
    with qtbot.waitSignal(page.predictions_ready, timeout=30_000) as ready:
        event = _drop(page, paths)
    assert event.isAccepted()
    batch = ready.args[0]
    assert not batch.folder and len(batch.rows) == 2
    assert page.results.currentIndex() == 0
    cards = [c for cs in page._cards.values() for c in cs]
    assert len(cards) == 2 and len(cards[0].bars.top) == 3
    assert abs(sum(p for _, p in cards[0].bars.top) - 1.0) < 1e-6
    qtbot.waitUntil(
        lambda: all(c.image.pixmap() is not None and not c.image.pixmap().isNull() for c in cards),
        timeout=30_000,
    )


def test_dropping_a_folder_gives_a_sortable_table_and_csv(qtbot, page, tmp_path, images):
    root = images(tmp_path / "folder", {"x": 3, "y": 2})
    (root / "x" / "broken_1.png").write_bytes(b"not an image")
    page.top_k.setValue(2)
    with qtbot.waitSignal(page.predictions_ready, timeout=30_000) as ready:
        _drop(page, [root])
    page.thumbnails.clear_pending()  # the Data page does this on a filter change: thumbnails must still come
    batch = ready.args[0]
    assert batch.folder and len(batch.rows) == 6
    assert page.results.currentIndex() == 1 and page.table.table.rowCount() == 6
    table_widget = page.table.table
    errors = [table_widget.item(r, 5).text() for r in range(6)]
    assert sum(bool(e) for e in errors) == 1
    good = [r for r in range(6) if not errors[r]]
    qtbot.waitUntil(lambda: all(not table_widget.item(r, 0).icon().isNull() for r in good), timeout=30_000)
    table_widget.sortItems(2, Qt.SortOrder.DescendingOrder)
    probs = [table_widget.item(r, 2).data(Qt.ItemDataRole.UserRole + 1) for r in range(6)]
    assert probs == sorted(probs, reverse=True)
    out = tmp_path / "preds.csv"
    page.save_csv(str(out))
    with open(out, encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == [
        "path", "label_1", "probability_1", "label_2", "probability_2", "unknown", "unknown_score", "error"
    ]
    assert len(table) == 7


def test_dropping_before_a_model_is_open_explains(qtbot, fake_predictor, dialogs, tmp_path, images):
    from gui.predict.predict_page import PredictPage

    widget = PredictPage()
    qtbot.addWidget(widget)
    widget.predict([str(images(tmp_path / "i", {"a": 1}))])
    assert dialogs.count("information") == 1


def test_rich_text_class_names_are_plain(qtbot, page, tmp_path, images):
    from PySide6.QtWidgets import QLabel

    from engine.inference.results import PathResult
    from gui.predict.cards import PredictionCard

    card = PredictionCard(PathResult("<u>x.png", (("<b>fox</b>", 0.9),)))
    qtbot.addWidget(card)
    labels = card.findChildren(QLabel)
    shown = [label.text() for label in labels]
    assert any("<b>fox</b>" in text for text in shown) and any("<u>x.png" in text for text in shown)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels if "<" in label.text())


def test_gui_stage_modules_import_neither_torch_nor_onnxruntime():
    """Heavy imports happen inside the workers, so the app starts fast and Predict works without torch."""
    import subprocess

    code = (
        "import sys, gui.window.stages, gui.workers.prediction_workers, engine.inference.predictor; "
        "print(sorted(m for m in ('torch', 'onnxruntime', 'torchvision') if m in sys.modules))"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=root
    )
    assert out.stdout.strip() == "[]"


def test_a_real_exported_model_classifies_a_dropped_folder(qtbot, exported, tmp_path):
    """No fake: the exported Lite0 model in ONNX Runtime behind the page, the CSV from the engine."""
    from gui.predict.predict_page import PredictPage

    widget = PredictPage()
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.model_loaded, timeout=30_000):
        assert widget.load_model(str(exported.onnx_path))
    assert "2 classes" in widget.model_label.text()
    with qtbot.waitSignal(widget.predictions_ready, timeout=60_000) as ready:
        _drop(widget, [exported.data])
    batch = ready.args[0]
    assert batch.folder and len(batch.rows) == 12
    for row in batch.rows:
        assert not row.error and row.top[0][0] == Path(row.path).parent.name  # red vs green: all right
    out = tmp_path / "preds.csv"
    widget.save_csv(str(out))
    with open(out, encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 12
    widget.shutdown()


def _junk_and_class_images(images, root):
    folder = images(root, {"a": 2})
    junk = folder / "a" / "junk_noise.png"
    (folder / "a" / sorted(os.listdir(folder / "a"))[0]).rename(junk)
    return folder, junk


def test_an_unknown_image_gets_the_unknown_verdict_not_a_class(qtbot, page, tmp_path, images):
    from gui.predict.cards import UNKNOWN_VERDICT

    folder, junk = _junk_and_class_images(images, tmp_path / "cards")
    with qtbot.waitSignal(page.predictions_ready, timeout=30_000) as ready:
        _drop(page, sorted((folder / "a").iterdir()))
    rows = {Path(r.path).name: r for r in ready.args[0].rows}
    assert rows["junk_noise.png"].unknown is True and rows["junk_noise.png"].unknown_score == 1.8
    unknown_card = page._cards[str(junk)][0]
    known_card = next(c for p, cs in page._cards.items() if p != str(junk) for c in cs)
    assert unknown_card.answer.text() == UNKNOWN_VERDICT
    assert unknown_card.objectName() == "unknownCard"  # its own frame colour and badge
    assert "unknown score 1.80 (threshold 1.00)" in unknown_card.score.text()
    assert unknown_card.bars.top == list(rows["junk_noise.png"].top)  # the nearest classes
    assert UNKNOWN_VERDICT not in known_card.answer.text() and known_card.objectName() != "unknownCard"
    assert known_card.answer.text().startswith(known_card.row.top[0][0])


def test_the_unknown_filter_keeps_unknowns_and_drops_classes(qtbot, page, tmp_path, images):
    folder, junk = _junk_and_class_images(images, tmp_path / "table")
    with qtbot.waitSignal(page.predictions_ready, timeout=30_000):
        _drop(page, [folder])
    results = page.table
    assert results.visible_paths() == sorted(str(p) for p in (folder / "a").iterdir())
    answers = {results.table.item(r, 0).text(): results.table.item(r, 1).text() for r in range(2)}
    assert answers["junk_noise.png"].startswith("Unknown · nearest: ")
    results.set_filter("unknown")
    assert results.visible_paths() == [str(junk)]
    assert "1 of 2 shown · 1 unknown" in results.counts.text()
    results.set_filter("known")
    assert results.visible_paths() == [p for p in results.paths() if p != str(junk)]
    results.table.sortItems(4, Qt.SortOrder.DescendingOrder)  # the filter survives a sort
    assert results.visible_paths() == [p for p in results.paths() if p != str(junk)]


def test_the_rejection_setting_persists_and_reaches_the_predictor(qtbot, page, fake_predictor, tmp_path,
                                                                    images):
    from gui.predict.rejection import RejectionSetting

    folder, junk = _junk_and_class_images(images, tmp_path / "setting")
    page.rejection.mode.setCurrentIndex(2)  # Custom
    page.rejection.custom.setValue(2.0)
    with qtbot.waitSignal(page.predictions_ready, timeout=30_000) as ready:
        _drop(page, [folder])
    assert fake_predictor.OnnxPredictor.thresholds[-1] == 2.0
    assert not any(r.unknown for r in ready.args[0].rows)  # 1.8 is below 2.0
    page.rejection.mode.setCurrentIndex(0)  # Auto: the shown rows are judged again at once
    assert [r.unknown for r in page.batch.rows if r.path == str(junk)] == [True]
    page.table.set_filter("unknown")
    assert page.table.visible_paths() == [str(junk)]
    page.rejection.mode.setCurrentIndex(1)  # Off: no verdicts
    assert all(r.unknown is None for r in page.batch.rows)
    page.rejection.mode.setCurrentIndex(2)
    again = RejectionSetting()
    qtbot.addWidget(again)
    assert again.mode_name() == "custom" and again.reject() == 2.0 and again.custom.isEnabled()


def test_an_old_model_says_once_that_it_cannot_reject(qtbot, fake_predictor, tmp_path, images):
    from gui.predict.predict_page import PredictPage

    widget = PredictPage()
    qtbot.addWidget(widget)
    model = tmp_path / "old.onnx"
    model.write_bytes(b"fake")
    with qtbot.waitSignal(widget.model_loaded, timeout=30_000):
        widget.load_model(str(model))
    assert not widget.note.isHidden() and "old.onnx was exported before" in widget.note.text()
    assert not widget.rejection.mode.isEnabled()
    with qtbot.waitSignal(widget.predictions_ready, timeout=30_000) as ready:
        widget.predict([str(images(tmp_path / "i", {"a": 1}))])
    assert all(r.unknown is None and r.unknown_score is None for r in ready.args[0].rows)
    widget.shutdown()
