import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sorted(sys.modules)))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return set(out.stdout.split())


def test_engine_imports_no_qt():
    loaded = _modules_after(
        "import engine, engine.training.loop, engine.features.extraction, engine.data.scan, "
        "engine.runs.folder"
    )
    qt = {m for m in loaded if m.split(".")[0] in {"PySide6", "shiboken6", "pyqtgraph"}}
    assert not qt, qt
    assert "engine.training.loop" in loaded


def test_imaging_and_scan_import_no_torch():
    loaded = _modules_after("import engine.imaging, engine.data.scan")
    assert "torch" not in loaded
