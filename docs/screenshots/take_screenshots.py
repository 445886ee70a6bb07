"""Regenerate the screenshots in this folder (run under a real or virtual X server).

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python docs/screenshots/take_screenshots.py [DATASET]

Builds a project from the hymenoptera dataset in a temporary folder (the dataset is not
touched), opens it in the main window, waits for the thumbnails and saves light and dark shots.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from gui.window.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = Path(__file__).resolve().parent
DATASET = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/datasets/hymenoptera")


def settle(app: QApplication, seconds: float, window: MainWindow | None = None) -> None:
    """Process events for ``seconds`` (and until the thumbnails on screen have arrived)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end or (window and (window.state.thumbnails._pending
                                                 or window.state.thumbnails._in_flight)):
        app.processEvents()
        time.sleep(0.01)
        if time.monotonic() > end + 20:
            break


def main() -> None:
    """Take the screenshots."""
    from _setup import isolated_app

    app, work = isolated_app("screens_")
    from engine.project.importing import import_dataset_folder
    from gui.theme import ThemeManager
    from gui.window.main_window import MainWindow

    project = import_dataset_folder(DATASET, work / "hymenoptera-project")
    theme = ThemeManager(app, "light")
    window = MainWindow(theme=theme)
    window.resize(1440, 900)
    window.show()
    window.state.open_project(project.folder)
    browser = window.data_page.browser
    settle(app, 1.0, window)
    browser.select_rows(3, 5)
    window.state.message.emit(f"Opened {project.folder}")
    settle(app, 1.5, window)
    window.grab().save(str(OUT / "data_page.png"))
    theme.set_mode("dark")
    settle(app, 1.0, window)
    window.grab().save(str(OUT / "data_page_dark.png"))
    if "--all" in sys.argv:
        viewer = window.data_page.open_viewer(4)
        settle(app, 1.5)
        viewer.grab().save(str(work / "viewer_dark.png"))
        viewer.close()
        theme.set_mode("light")
        window.state.close_project()
        settle(app, 0.5)
        window.grab().save(str(work / "welcome.png"))
        print(work)
    window.close()


if __name__ == "__main__":
    main()
