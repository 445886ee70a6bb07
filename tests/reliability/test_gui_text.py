"""User-provided text is shown literally on every page (issue 9, defect 8).

A class named ``<b>x</b><img src=x>`` and image, project and run paths inside a folder named
``<script>`` go through the Data, Train, Evaluate and Predict pages, the welcome screen, the status
bar and the message boxes. Every label, tooltip, status tip and item tooltip that carries one of
them is rendered the way Qt renders it (plain, or HTML when Qt takes it for rich text) and must
show the string exactly as written.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import html
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PIL import Image
from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QModelIndex, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QMessageBox, QTreeView, QWidget

from gui.widgets.plain_text import plain_label, rich_text, set_plain_text, tooltip_text

EVIL_CLASS = "<b>x</b><img src=x>"
EVIL_DIR = "<script>"
MARKERS = (EVIL_CLASS, EVIL_DIR)


# ------------------------------------------------------------------ rendering
def shown(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt displays for ``text``: itself when plain, the document's text when taken as HTML."""
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)
    )
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText().replace("\u2028", "\n").replace("\xa0", " ")


def _item_texts(view: QAbstractItemView, where: str) -> Iterator[tuple[str, str, Qt.TextFormat]]:
    model = view.model()
    if model is None:
        return
    stack = [QModelIndex()]
    while stack:
        parent = stack.pop()
        for row in range(min(model.rowCount(parent), 500)):
            for column in range(_columns(model, parent)):
                index = model.index(row, column, parent)
                for role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.StatusTipRole):
                    value = model.data(index, role)
                    if isinstance(value, str) and value:
                        yield f"{where} item {row},{column} role {role.name}", value, Qt.TextFormat.AutoText
            first = model.index(row, 0, parent)
            if isinstance(view, QTreeView) and model.rowCount(first):
                stack.append(first)


def _columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    try:
        return model.columnCount(parent)
    except TypeError:  # a list model keeps columnCount private in PySide6: one column
        return 1


def texts_of(root: QWidget) -> Iterator[tuple[str, str, Qt.TextFormat]]:
    """(where, text, format) of every label, tooltip and status tip under ``root``."""
    auto = Qt.TextFormat.AutoText
    for widget in [root, *root.findChildren(QWidget)]:
        where = f"{type(widget).__name__} {widget.objectName()!r}"
        if widget.toolTip():
            yield f"{where} tooltip", widget.toolTip(), auto
        if widget.statusTip():
            yield f"{where} status tip", widget.statusTip(), auto
        if isinstance(widget, QLabel) and widget.text():
            yield f"{where} text", widget.text(), widget.textFormat()
        if isinstance(widget, QAbstractItemView):
            yield from _item_texts(widget, where)
        for action in widget.actions():
            for kind, text in (("tooltip", action.toolTip()), ("status tip", action.statusTip())):
                if text:
                    yield f"action {action.text()!r} {kind}", text, auto


def check_literal(texts: Iterator[tuple[str, str, Qt.TextFormat]]) -> dict[str, int]:
    """Assert every text carrying a marker (raw or escaped) displays it literally; count per marker."""
    seen = dict.fromkeys(MARKERS, 0)
    for where, text, text_format in texts:
        for marker in MARKERS:
            if marker in text or html.escape(marker) in text:
                assert marker in shown(text, text_format), f"{where} shows {shown(text, text_format)!r}"
                seen[marker] += 1
    return seen


# ------------------------------------------------------------------ fixtures
@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSFER_STUDIO_CACHE", str(tmp_path / "cache"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QCoreApplication.setOrganizationName("TransferStudioTests")
    QCoreApplication.setApplicationName("Transfer Studio Tests")
    QSettings().clear()


@pytest.fixture
def boxes(monkeypatch) -> list[tuple[str, str]]:
    """Message boxes are recorded (title, text), never shown."""
    calls: list[tuple[str, str]] = []

    def record(_parent, title, text, *args, **kwargs):
        calls.append((str(title), str(text)))
        return QMessageBox.StandardButton.Ok

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(record))
    return calls


@pytest.fixture
def evil_project(tmp_path):
    """A project in ``<script>/proj`` with classes ``ants`` and EVIL_CLASS, and one evaluated run."""
    from engine.project.schema import ImageEntry
    from engine.project.store import Project

    folder = tmp_path / EVIL_DIR / "proj"
    image_dir = folder / EVIL_DIR
    image_dir.mkdir(parents=True)
    paths = []
    for i in range(6):
        path = image_dir / f"{EVIL_DIR}{i}.png"
        Image.new("RGB", (24, 24), (30 * i, 90, 160)).save(path)
        paths.append(str(path))
    classes = ["ants", EVIL_CLASS]
    labels = [classes[i % 2] for i in range(6)]
    project = Project.create(folder)
    project.add_images([ImageEntry(p, label, "val") for p, label in zip(paths, labels, strict=True)], classes)
    run_dir = _write_run(folder / "runs" / EVIL_DIR, classes, paths, labels)
    project.add_run({"run_dir": str(run_dir), "strategy": "features", "backbones": [EVIL_CLASS],
                     "best_val_acc": 0.5, "created": "2026-12-01T10:00:00"})
    project.save()
    return folder, run_dir, paths


def _write_run(run_dir: Path, classes: list[str], paths: list[str], labels: list[str]) -> Path:
    run_dir.mkdir(parents=True)
    rows = [{"path": p, "label": classes.index(label), "probs": [0.3, 0.7] if i % 3 else [0.8, 0.2]}
            for i, (p, label) in enumerate(zip(paths, labels, strict=True))]
    (run_dir / "val_predictions.json").write_text(json.dumps({"epoch": 2, "classes": classes, "rows": rows}))
    info = {"strategy": "features", "backbones": [EVIL_CLASS], "status": "completed", "best_epoch": 2,
            "best_val_acc": 0.5, "created": "2026-12-01T10:00:00", "epochs_completed": 3}
    (run_dir / "run.json").write_text(json.dumps(info))
    (run_dir / "config.json").write_text("{}")
    return run_dir


@pytest.fixture
def window(qtbot, boxes):
    from gui.window.main_window import MainWindow
    from gui.window.stages import install_stage_pages

    win = MainWindow()
    qtbot.addWidget(win)
    install_stage_pages(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


# --------------------------------------------------------------------- tests
def test_helpers_show_text_literally(qtbot):
    for text in (EVIL_CLASS, f"{EVIL_DIR}/a.png", "R&amp;D", "plain name", "two\nlines  spaced"):
        assert shown(tooltip_text(text)) == text
        assert shown(rich_text(text), Qt.TextFormat.RichText).strip() == text
        label = plain_label(text)
        assert shown(label.text(), label.textFormat()) == text
        other = QLabel("<i>was rich</i>")
        set_plain_text(other, text)
        assert shown(other.text(), other.textFormat()) == text
    assert tooltip_text("ordinary text") == "ordinary text"  # untouched when Qt would not take it for HTML


def test_every_page_shows_names_and_paths_literally(qtbot, window, evil_project, boxes):
    folder, run_dir, paths = evil_project
    window.open_path(str(folder))
    qtbot.waitUntil(lambda: window.state.project is not None and not window.state.busy, timeout=10_000)
    pages = window.stage_pages
    seen = dict.fromkeys(MARKERS, 0)

    def add(counts: dict[str, int]) -> None:
        for marker, n in counts.items():
            seen[marker] += n

    # Data page, status bar, menus
    qtbot.waitUntil(lambda: window.state.saver is not None, timeout=5_000)
    window.state.save_now()
    add(check_literal(texts_of(window)))
    # Train page: the runs panel
    window.show_stage("train")
    assert pages.train.runs.tree.topLevelItemCount() == 1
    add(check_literal(texts_of(pages.train)))
    # Evaluate page: run chooser, matrix tooltip, galleries, titles
    window.show_stage("evaluate")
    assert pages.evaluate.load_run(str(run_dir))
    pages.evaluate.show_cell(1, 1)
    _hover(pages.evaluate.matrix, 1, 0)
    assert EVIL_CLASS in shown(pages.evaluate.matrix.toolTip())
    evaluate_counts = check_literal(texts_of(pages.evaluate))
    assert evaluate_counts[EVIL_CLASS] >= 3 and evaluate_counts[EVIL_DIR] >= 3
    add(evaluate_counts)
    # Predict page: cards and the table
    predict_counts = _predict_page_counts(qtbot, pages.predict, paths)
    assert predict_counts[EVIL_CLASS] and predict_counts[EVIL_DIR]
    add(predict_counts)
    # Message boxes with a path in them
    window.open_path(str(folder.parent / f"{EVIL_DIR}missing"))
    assert boxes and any(EVIL_DIR in shown(text) for _, text in boxes)
    add(check_literal((f"message box {title!r}", text, Qt.TextFormat.AutoText) for title, text in boxes))
    # Welcome screen: the recent projects list
    assert window.state.close_project()
    welcome_counts = check_literal(texts_of(window.data_page.welcome))
    assert welcome_counts[EVIL_DIR] >= 1
    add(welcome_counts)
    assert seen[EVIL_CLASS] >= 8 and seen[EVIL_DIR] >= 8, seen


def _hover(matrix: QWidget, true: int, predicted: int) -> None:
    centre = matrix.cell_rect(true, predicted).center()
    event = QMouseEvent(QMouseEvent.Type.MouseMove, QPointF(centre), matrix.mapToGlobal(centre),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(matrix, event)


def _predict_page_counts(qtbot, page: QWidget, paths: list[str]) -> dict[str, int]:
    from engine.inference.results import PathResult
    from gui.workers.prediction_workers import PredictionBatch

    rows = [PathResult(p, ((EVIL_CLASS, 0.7), ("ants", 0.3))) for p in paths[:3]]
    rows.append(PathResult(paths[3], error=f"cannot read {paths[3]}"))
    page._on_result(PredictionBatch(rows, folder=False))
    counts = check_literal(texts_of(page))
    page._on_result(PredictionBatch(rows, folder=True))
    table = check_literal(texts_of(page))
    return {marker: counts[marker] + table[marker] for marker in MARKERS}
