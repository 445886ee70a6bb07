"""Regenerate doctor.png and data_suggestions.png (offscreen is enough).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take_doctor_screenshots.py [DATASET]

A project over part of hymenoptera (referenced in place, never touched) with two planted problems
(a copy of a training photo in validation, a black photo) and some photos left unlabelled. The
instant head's suggestions are shown after a batch of corrections; then the Doctor examines the
labelled photos with the real backbone. Settings and caches live in a temporary folder.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = Path(__file__).resolve().parent
DATASET = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "datasets" / "hymenoptera")
PER_CLASS = {"train": 40, "val": 12}
UNLABELLED_EVERY = 5  # every fifth training photo is left unlabelled


def build_project(work: Path):
    """The project, and the true class of each unlabelled photo."""
    from engine.project.schema import ImageEntry
    from engine.project.store import Project

    entries, truth = [], {}
    for split, count in PER_CLASS.items():
        for name in ("ants", "bees"):
            for i, path in enumerate(sorted((DATASET / split / name).iterdir())[:count]):
                unlabelled = split == "train" and i % UNLABELLED_EVERY == 1
                entries.append(ImageEntry(str(path), None if unlabelled else name, split))
                truth[str(path)] = name
    planted = work / "planted"
    planted.mkdir()
    copy = planted / "ants_copy.jpg"
    shutil.copyfile(entries[0].path, copy)
    Image.new("RGB", (320, 240), (3, 3, 3)).save(planted / "night_shot.jpg")
    night = planted / "night_shot.jpg"
    entries += [ImageEntry(str(copy), "ants", "val"), ImageEntry(str(night), "bees", "train")]
    project = Project.create(work / "hymenoptera-doctor")
    project.add_images(entries, ["ants", "bees"])
    project.save()
    return project, truth


def wait(app, condition, timeout_s: float = 600) -> None:
    """Process events until ``condition()``."""
    end = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main() -> None:
    """Take both screenshots."""
    from _setup import isolated_app

    app, work = isolated_app("doctor_screens_")
    from PySide6.QtCore import QSettings

    import gui.data.instant_head
    from gui.theme import ThemeManager
    from gui.window.main_window import MainWindow

    gui.data.instant_head.LOWEST_NICE = 0  # a picture, not a measurement: do not wait behind a busy machine
    QSettings().setValue("data/instantSuggestions", True)
    project, truth = build_project(work)
    window = MainWindow(theme=ThemeManager(app, "light"))
    window.resize(1440, 900)
    window.show()
    state, page = window.state, window.data_page
    state.open_project(project.folder)
    head = page.head
    wait(app, lambda: head.rounds >= 1 and not head.running)
    todo = [i for i, e in enumerate(state.project.images) if e.label is None][:6]
    for i in todo:  # a batch of corrections: the header tells what they changed
        state.label_images([i], truth[state.project.images[i].path])
    wait(app, lambda: head.rounds >= 2 and not head.running)
    page.sidebar.select_filter("unlabeled")
    page.browser.select_rows(0)
    wait(app, lambda: False, 3)  # thumbnails
    window.grab().save(str(OUT / "data_suggestions.png"))
    page.show_doctor()
    wait(app, lambda: not page.doctor.busy and page.doctor.model.scanned > 0)
    page.doctor.select_row(0)
    wait(app, lambda: False, 3)
    window.grab().save(str(OUT / "doctor.png"))
    print(head.status, page.doctor.summary.text(), sep="\n")
    window.close()


if __name__ == "__main__":
    main()
