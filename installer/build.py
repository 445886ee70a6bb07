"""``python tasks.py installer``: build the one-folder app, archive it, self-test it in a clean environment.

Standard library only (it runs from ``tasks.py`` before anything else is known to be installed). The
steps: PyInstaller on ``installer/transfer_studio.spec`` into ``out/installer/dist/TransferStudio``; the
folder's size; a ``.tar.gz`` (``.zip`` on Windows) of it beside it; then the built executable's own
``--self-test`` run from an empty temporary folder with another HOME, a PATH without the project or its
virtual environment, and ``QT_QPA_PLATFORM=offscreen``. The figures are printed and written to
``out/installer/report.json``; the exit status is the self-test's (or the build's, if that failed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "out" / "installer"
NAME = "TransferStudio"
# what a clean environment keeps: the OS needs these to start a process at all
KEEP_ENV = ("SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "LANG", "LC_ALL", "TZ")


def folder_size(folder: Path) -> int:
    """Bytes in every file below ``folder`` (links not followed)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def executable(dist: Path) -> Path:
    """The built app's executable inside its folder."""
    return dist / NAME / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def clean_env(home: Path) -> dict[str, str]:
    """An environment with nothing of this project in it: another HOME, no venv, offscreen Qt."""
    env = {key: os.environ[key] for key in KEEP_ENV if key in os.environ}
    root = str(ROOT)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and not p.startswith(root)]
    env.update(
        PATH=os.pathsep.join(p for p in path if ".venv" not in p),
        HOME=str(home),
        USERPROFILE=str(home),
        LOCALAPPDATA=str(home / "AppData" / "Local"),
        APPDATA=str(home / "AppData" / "Roaming"),
        TMPDIR=str(home / "tmp"),
        TEMP=str(home / "tmp"),
        TMP=str(home / "tmp"),
        QT_QPA_PLATFORM="offscreen",
    )
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    return env


def run_pyinstaller(uv: list[str], dist: Path) -> int:
    """Build the one-folder app from the locked environment (the ``installer`` extra)."""
    command = [
        *uv, "run", "--frozen", "--extra", "installer", "pyinstaller", "installer/transfer_studio.spec",
        "--noconfirm", "--distpath", str(dist), "--workpath", str(OUT / "build"),
    ]
    print("+", " ".join(command), flush=True)
    return subprocess.call(command, cwd=ROOT)


def make_archive(dist: Path) -> Path:
    """Archive the app folder the way it would be shipped: ``.zip`` on Windows, ``.tar.gz`` elsewhere."""
    kind = "zip" if sys.platform == "win32" else "gztar"
    return Path(shutil.make_archive(str(OUT / NAME), kind, root_dir=dist, base_dir=NAME))


def run_self_test(exe: Path, timeout: float) -> dict[str, object]:
    """Run ``exe --self-test`` from an empty folder in a clean environment; its output and verdict."""
    with tempfile.TemporaryDirectory(prefix="transfer-studio-installer-") as scratch:
        home, cwd = Path(scratch) / "home", Path(scratch) / "cwd"
        cwd.mkdir(parents=True)
        report = Path(scratch) / "self-test.txt"
        command = [str(exe), "--self-test", "--report", str(report)]
        print("+", " ".join(command), f"(in {cwd}, HOME={home}, QT_QPA_PLATFORM=offscreen)", flush=True)
        started = time.perf_counter()
        try:
            done = subprocess.run(command, cwd=cwd, env=clean_env(home), timeout=timeout,
                                  capture_output=True, text=True, errors="replace")
            code, output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as exc:
            code, output = -1, f"the self-test did not finish within {timeout:.0f}s\n{exc.stdout or ''}"
        lines = report.read_text(encoding="utf-8") if report.is_file() else ""
    print(output, flush=True)
    return {"exit_code": code, "seconds": round(time.perf_counter() - started, 1),
            "report": lines or output, "passed": code == 0 and "self-test passed" in (lines or output)}


def main(uv: list[str], argv: list[str]) -> int:
    """Build (unless ``--skip-build``), measure, archive (unless ``--no-archive``) and self-test."""
    parser = argparse.ArgumentParser(prog="python tasks.py installer")
    parser.add_argument("--skip-build", action="store_true", help="self-test the app already built")
    parser.add_argument("--no-archive", action="store_true", help="do not write the .tar.gz/.zip")
    parser.add_argument("--timeout", type=float, default=1800, help="self-test limit in seconds")
    args = parser.parse_args(argv)
    dist, figures = OUT / "dist", {}
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.skip_build:
        started = time.perf_counter()
        code = run_pyinstaller(uv, dist)
        figures["build_seconds"] = round(time.perf_counter() - started, 1)
        if code:
            print(f"PyInstaller failed (exit {code}); see the lines above", file=sys.stderr)
            return code
    exe = executable(dist)
    if not exe.is_file():
        print(f"{exe} does not exist: build it first (python tasks.py installer)", file=sys.stderr)
        return 1
    figures["folder"] = str(exe.parent)
    figures["folder_bytes"] = folder_size(exe.parent)
    if not args.no_archive:
        archive = make_archive(dist)
        figures["archive"], figures["archive_bytes"] = str(archive), archive.stat().st_size
    figures["self_test"] = run_self_test(exe, args.timeout)
    (OUT / "report.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"folder {figures['folder_bytes'] / 1e9:.2f} GB"
          + (f", archive {figures['archive_bytes'] / 1e9:.2f} GB" if "archive_bytes" in figures else "")
          + f"; report in {OUT / 'report.json'}")
    return 0 if figures["self_test"]["passed"] else 1  # type: ignore[index]
