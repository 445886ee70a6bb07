"""Chinese and English: the shipped catalogue is complete and current, the language switches at
runtime, and a pseudo-locale walk of every page and dialog finds no string that skipped translation
and no text clipped by a fixed-width widget (issue 13, item 2)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from i18n_walk import LATIN_WORD, PSEUDO_SEGMENT, check, menu_texts, plain, untranslated_words
from PIL import Image
from PySide6.QtWidgets import QApplication

from gui import i18n
from gui.i18n_catalog import (
    I18N_DIR,
    TRANSLATED,
    compile_catalogue,
    pseudo_text,
    update_catalogue,
    write_pseudo_catalogue,
)


# ------------------------------------------------------------------ the catalogue
def unfinished(ts: Path) -> list[str]:
    """Source strings of ``ts`` with no translation, or one marked unfinished."""
    missing = []
    for message in ET.parse(ts).iter("message"):
        translation = message.find("translation")
        texts = [translation.text] if translation is not None else []
        if translation is not None and translation.findall("numerusform"):
            texts = [f.text for f in translation.findall("numerusform")]
        if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete") \
                or not all(t and t.strip() for t in texts):
            missing.append(message.findtext("source") or "")
    return missing


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_has_every_string_translated(tmp_path, language):
    work = tmp_path / "i18n"
    shutil.copytree(I18N_DIR, work)
    written = update_catalogue(language, work)  # today's sources: a new string shows up unfinished
    assert written
    missing = {ts.name: unfinished(ts) for ts in written}
    assert not any(missing.values()), {k: v[:10] for k, v in missing.items() if v}
    total = sum(1 for ts in written for _ in ET.parse(ts).iter("message"))
    assert total > 300  # the whole interface, not a sample of it


@pytest.mark.parametrize("language", TRANSLATED)
def test_shipped_qm_is_compiled_from_the_shipped_ts(tmp_path, language):
    fresh = compile_catalogue(language, I18N_DIR, out=tmp_path)
    assert fresh.read_bytes() == i18n.qm_path(language).read_bytes(), "run `python tasks.py translations`"


def test_pseudo_text_keeps_placeholders_and_grows():
    text = "Saved %n image(s) to {path} in <b>R&amp;D</b> &Now"
    pseudo = pseudo_text(text)
    for kept in ("%n", "{path}", "<b>", "</b>", "&amp;", "&N"):
        assert kept in pseudo
    assert len(pseudo) >= len(text) * 1.3 and not LATIN_WORD.search(PSEUDO_SEGMENT.sub("", pseudo))


# ------------------------------------------------------------------ runtime switch
@pytest.fixture
def window(qtbot):
    from gui.window.main_window import MainWindow
    from gui.window.stages import install_stage_pages

    win = MainWindow()
    qtbot.addWidget(win)
    install_stage_pages(win)
    win.resize(1440, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    i18n.install_language(i18n.ENGLISH, remember=False)
    win.close()


def _menu_titles(win) -> list[str]:
    return [a.text() for a in win.menuBar().actions()]


def test_language_switches_at_runtime_and_persists(qtbot, window):
    from PySide6.QtCore import QSettings

    english = _menu_titles(window)
    assert "&File" in english
    assert i18n.install_language("zh_CN")
    QApplication.processEvents()
    chinese = _menu_titles(window)
    assert chinese != english and all(re.search(r"[\u4e00-\u9fff]", t) for t in chinese), chinese
    assert QSettings().value(i18n.LANGUAGE_KEY) == "zh_CN" and i18n.saved_language() == "zh_CN"
    assert i18n.install_language(i18n.ENGLISH)
    QApplication.processEvents()
    assert _menu_titles(window) == english


# ------------------------------------------------------------------ pseudo-locale walk (tests/i18n_walk.py)
@pytest.fixture
def non_latin_project(tmp_path):
    """A project whose class, image and folder names hold no Latin letters, with one finished run."""
    from engine.project.schema import ImageEntry
    from engine.project.store import Project

    folder = tmp_path / "项目"
    images = folder / "图片"
    images.mkdir(parents=True)
    classes, paths = ["蚂蚁", "蜜蜂"], []
    for i in range(12):
        path = images / f"图{i}.png"
        Image.new("RGB", (40, 40), (20 * i, 90, 160 - 10 * i)).save(path)
        paths.append(str(path))
    labels = [classes[i % 2] for i in range(12)]
    project = Project.create(folder)
    project.add_images([ImageEntry(p, lab, "val" if i % 3 == 0 else "train")
                        for i, (p, lab) in enumerate(zip(paths, labels, strict=True))], classes)
    run_dir = folder / "运行" / "一"
    run_dir.mkdir(parents=True)
    rows = [{"path": p, "label": classes.index(lab), "probs": [0.3, 0.7] if i % 3 else [0.8, 0.2]}
            for i, (p, lab) in enumerate(zip(paths, labels, strict=True))]
    (run_dir / "val_predictions.json").write_text(json.dumps({"epoch": 2, "classes": classes, "rows": rows}))
    info = {"strategy": "features", "backbones": ["efficientnet_lite0"], "status": "completed",
            "best_epoch": 2, "best_val_acc": 0.5, "created": "2026-12-01T10:00:00", "epochs_completed": 3}
    (run_dir / "run.json").write_text(json.dumps(info))
    (run_dir / "config.json").write_text("{}")
    project.add_run({"run_dir": str(run_dir), "strategy": "features", "backbones": ["efficientnet_lite0"],
                     "best_val_acc": 0.5, "created": "2026-12-01T10:00:00"})
    project.save()
    return folder, run_dir, paths


def test_pseudo_locale_walk_finds_nothing_untranslated_or_clipped(qtbot, window, non_latin_project, tmp_path,
                                                                   dialogs):
    assert i18n.install_language("pseudo", folder=write_pseudo_catalogue(tmp_path / "pseudo").parent,
                                 remember=False)
    problems: dict[str, list[str]] = {}
    check(window, problems, "welcome")
    for menu_action in window.menuBar().actions():
        for where, text in menu_texts(menu_action.menu(), "menu"):
            if untranslated_words(text):
                problems.setdefault("menus", []).append(f"{where}: {text!r}")
    folder, run_dir, _paths = non_latin_project
    window.open_path(str(folder))
    qtbot.waitUntil(lambda: window.state.project is not None and not window.state.busy, timeout=10_000)
    check(window, problems, "data")
    for stage in ("train", "evaluate", "predict"):
        window.show_stage(stage)
        if stage == "evaluate":
            assert window.stage_pages.evaluate.load_run(str(run_dir))
        check(window, problems, stage)
    window.show_stage("data")
    window.show_shortcuts()
    window.show_about()
    window.open_path(str(folder.parent / "不存在"))
    for kind, title, text in dialogs.calls:
        for part in (title, text):
            if untranslated_words(plain(part)):
                problems.setdefault("message boxes", []).append(f"{kind}: {part[:80]!r}")
    report = "\n".join(f"[{stage}] {line}" for stage, lines in problems.items() for line in lines)
    assert not problems, f"{sum(map(len, problems.values()))} problems:\n{report}"
