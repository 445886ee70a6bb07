"""The layer boundaries, checked at run time in fresh interpreters (import-linter checks them statically).

Every module of ``engine/`` is found with :func:`pkgutil.walk_packages` and imported; none may pull
in Qt (PySide6, shiboken6, pyqtgraph) or the GUI or the CLI. Every module of ``engine.inference``
is imported on its own; none may pull in torch, torchvision or timm, so prediction stays light.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QT_AND_UI = {"PySide6", "shiboken6", "pyqtgraph", "gui", "cli"}
TORCH = {"torch", "torchvision", "timm"}

_IMPORT_ALL = """
import importlib, json, pkgutil, sys
package = importlib.import_module({package!r})
failed = []
names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".",
                                               onerror=failed.append)]
for name in names:
    importlib.import_module(name)
print(json.dumps({{"walked": names, "failed": failed, "loaded": sorted(sys.modules)}}))
"""


def _walk_and_import(package: str) -> tuple[list[str], set[str]]:
    """Import every module of ``package`` in a fresh interpreter; return (walked, all loaded) modules."""
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL.format(package=package)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert not data["failed"], data["failed"]
    return data["walked"], set(data["loaded"])


def _modules_on_disk(package: str) -> set[str]:
    """Dotted names of the package's modules as files on disk (``__init__`` and tests left out)."""
    folder = ROOT.joinpath(*package.split("."))
    names = set()
    for path in folder.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "__pycache__" not in parts:
            names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names - {package}


def _top_level(modules: set[str], roots: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in roots}


def test_every_engine_module_imports_no_qt_gui_or_cli() -> None:
    walked, loaded = _walk_and_import("engine")
    assert set(walked) >= _modules_on_disk("engine"), "a module of engine/ was not walked"
    assert set(walked) <= loaded
    assert not _top_level(loaded, QT_AND_UI), sorted(_top_level(loaded, QT_AND_UI))


def test_every_inference_module_imports_no_torch() -> None:
    walked, loaded = _walk_and_import("engine.inference")
    assert set(walked) >= _modules_on_disk("engine.inference") and walked
    assert not _top_level(loaded, TORCH), sorted(_top_level(loaded, TORCH))


def test_imaging_and_scan_import_no_torch() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import engine.imaging, engine.data.scan, sys; print('torch' in sys.modules)"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "False"
