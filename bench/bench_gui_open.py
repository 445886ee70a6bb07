"""Open a generated 20,000-image project in the real main window and time it; prints JSON.

Measures time to first paint of the thumbnail grid, then the longest GUI-thread stall (a 2 ms
heartbeat timer) while thumbnails load and the grid is scrolled page by page, then the cost on
the GUI thread of a few heavy actions (filter, bulk label of 5,000 images, undo).
Targets: first paint < 1 s, no stall > 50 ms while thumbnails load.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui_open.py [--images 20000] [--keep DIR]
        [--photos ../shared/datasets/hymenoptera]   # real JPEGs (about 500x375) instead of tiny PNGs
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CLASSES = ("ants", "bees", "wasps", "moths")


def link_photos(folder: Path, n: int, source: Path) -> list[Path]:
    """``n`` distinct paths to real photos: symbolic links cycling over the JPEGs under ``source``."""
    photos = sorted(p for p in source.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg"))
    if not photos:
        raise SystemExit(f"{source}: no JPEG photos to link")
    paths = []
    for i in range(n):
        path = folder / f"{i // 1000:03d}" / f"photo_{i:05d}.jpg"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.symlink_to(photos[i % len(photos)].resolve())
        paths.append(path)
    return paths


def make_dataset(folder: Path, n: int) -> list[Path]:
    """Write ``n`` distinct 32x32 PNGs (reused when already there)."""
    from PIL import Image

    paths = []
    for i in range(n):
        path = folder / f"{i // 1000:03d}" / f"img_{i:05d}.png"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (32, 32), (i % 251, (i // 251) % 251, (i * 7) % 251)).save(path)
        paths.append(path)
    return paths


def make_project(folder: Path, images: list[Path]) -> Path:
    """Save a project referencing ``images``: 3/4 labelled in four classes, the rest unlabeled."""
    from engine.project.schema import ImageEntry
    from engine.project.store import Project

    project = Project(folder)
    folder.mkdir(parents=True, exist_ok=True)
    project.add_images(
        (ImageEntry(str(p), CLASSES[i % 4] if i % 4 else None) for i, p in enumerate(images)), CLASSES
    )
    project.save()
    return folder


class Heartbeat:
    """Records the gaps between ticks of a short GUI-thread timer."""

    def __init__(self, interval_ms: int = 2) -> None:
        from PySide6.QtCore import QTimer

        self.interval = interval_ms / 1000
        self.gaps: list[float] = []
        self.cpu: list[float] = []  # GUI-thread CPU time between ticks: work, not starvation
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self._last, self._last_cpu = time.perf_counter(), time.thread_time()
        self.gaps.clear()
        self.cpu.clear()
        self.timer.start()

    def tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.gaps.append(max(0.0, now - self._last - self.interval))
        self.cpu.append(cpu - self._last_cpu)
        self._last, self._last_cpu = now, cpu

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        gaps, cpu = sorted(self.gaps) or [0.0], sorted(self.cpu) or [0.0]
        return {"max_stall_ms": round(gaps[-1] * 1000, 1),
                "p99_stall_ms": round(gaps[int(0.99 * (len(gaps) - 1))] * 1000, 1),
                "median_stall_ms": round(statistics.median(gaps) * 1000, 2),
                "max_gui_cpu_between_ticks_ms": round(cpu[-1] * 1000, 1),
                "p99_gui_cpu_between_ticks_ms": round(cpu[int(0.99 * (len(cpu) - 1))] * 1000, 1),
                "ticks": len(gaps)}


def _timed(fn: object, *args: object) -> float:
    start = time.perf_counter()
    fn(*args)
    return round((time.perf_counter() - start) * 1000, 1)


def run(n_images: int, keep: Path | None, pages: int, photos: Path | None = None) -> dict[str, object]:
    """Run the benchmark and return its figures."""
    work = keep or Path(tempfile.mkdtemp(prefix="bench_gui_"))
    cold_cache = Path(tempfile.mkdtemp(prefix="bench_cache_"))  # thumbnails are decoded, not read back
    os.environ["TRANSFER_STUDIO_CACHE"] = str(cold_cache)
    started = time.perf_counter()
    if photos:
        images = link_photos(work / "photos", n_images, photos)
    else:
        images = make_dataset(work / "images", n_images)
    project_folder = make_project(work / f"project_{n_images}{'_photos' if photos else ''}", images)
    setup_s = time.perf_counter() - started

    from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QObject, QSettings
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("TransferStudioBench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = QApplication.instance() or QApplication([])
    from gui.window.main_window import MainWindow

    class PaintProbe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.first_paint: float | None = None

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and self.first_paint is None:
                self.first_paint = time.perf_counter()
            return False

    clock = QElapsedTimer()
    clock.start()
    t0 = time.perf_counter()
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    probe = PaintProbe()
    view = window.data_page.browser.view
    view.viewport().installEventFilter(probe)
    t_open = time.perf_counter()
    window.state.open_project(project_folder)
    open_ms = (time.perf_counter() - t_open) * 1000
    while probe.first_paint is None and time.perf_counter() - t0 < 10:
        app.processEvents()
    first_paint_ms = (probe.first_paint - t0) * 1000 if probe.first_paint else None

    cache = window.state.thumbnails
    heartbeat = Heartbeat()
    heartbeat.start()
    load_start = time.perf_counter()
    loaded_before = len(cache._memory)
    bar = view.verticalScrollBar()
    for page in range(pages + 1):
        deadline = time.perf_counter() + 3.0
        while (cache._pending or cache._in_flight) and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.001)
        if page < pages:
            bar.setValue(bar.value() + view.viewport().height())
            settle = time.perf_counter() + 0.05
            while time.perf_counter() < settle:
                app.processEvents()
    load_s = time.perf_counter() - load_start
    stalls = heartbeat.stop()
    decoded = len(cache._memory) - loaded_before

    heartbeat.start()
    state, page_ = window.state, window.data_page
    filter_ms = _timed(page_.sidebar.select_filter, "class", "bees")
    back_ms = _timed(page_.sidebar.select_filter, "all")
    label_ms = _timed(state.label_images, list(range(5000)), "wasps")
    undo_ms = _timed(state.undo_stack.undo)
    end = time.perf_counter() + 0.5
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    action_stalls = heartbeat.stop()
    close_ms = _timed(window.close)
    return {
        "images": n_images,
        "image_source": f"photos from {photos} (symbolic links)" if photos else "generated 32x32 PNGs",
        "first_paint_ms": round(first_paint_ms, 1) if first_paint_ms else None,
        "open_project_ms": round(open_ms, 1),
        "thumbnails": {"pages_scrolled": pages, "decoded": decoded, "seconds": round(load_s, 2),
                       "per_second": round(decoded / load_s, 1) if load_s else None, **stalls},
        "actions_ms": {"filter_class": filter_ms, "filter_all": back_ms, "label_5000": label_ms,
                       "undo_5000": undo_ms, **{f"heartbeat_{k}": v for k, v in action_stalls.items()}},
        "close_ms": close_ms,
        "targets": {"first_paint_under_1s": bool(first_paint_ms and first_paint_ms < 1000),
                    "no_stall_over_50ms_while_loading": stalls["max_stall_ms"] <= 50},
        "setup_seconds": round(setup_s, 1),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "platform": os.environ.get("QT_QPA_PLATFORM", ""),
        "cpu_count": os.cpu_count(),
    }


def main() -> None:
    """Parse arguments, run, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--pages", type=int, default=12, help="pages to scroll while thumbnails load")
    parser.add_argument("--keep", type=Path, default=None, help="reuse generated images in this folder")
    parser.add_argument(
        "--photos", type=Path, default=None, help="link real JPEGs from this folder instead of tiny PNGs"
    )
    args = parser.parse_args()
    print(json.dumps(run(args.images, args.keep, args.pages, args.photos), indent=2))


if __name__ == "__main__":
    main()
