"""``python tasks.py installer``: the clean environment it self-tests in, and (marked) the real build."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from installer import build

ROOT = Path(__file__).resolve().parents[2]


def test_clean_environment_has_no_project_no_venv_and_another_home(tmp_path, monkeypatch):
    venv_bin = str(ROOT / ".venv" / "bin")
    monkeypatch.setenv("PATH", os.pathsep.join([venv_bin, "/elsewhere/.venv/bin", "/usr/bin"]))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("VIRTUAL_ENV", str(ROOT / ".venv"))

    env = build.clean_env(tmp_path / "home")

    assert env["PATH"].split(os.pathsep) == ["/usr/bin"]
    assert "PYTHONPATH" not in env and "VIRTUAL_ENV" not in env
    assert env["HOME"] == str(tmp_path / "home") and env["QT_QPA_PLATFORM"] == "offscreen"
    assert (tmp_path / "home" / "tmp").is_dir()


def test_folder_size_counts_every_file(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.bin").write_bytes(b"x" * 10)
    (tmp_path / "a" / "b" / "two.bin").write_bytes(b"x" * 32)

    assert build.folder_size(tmp_path) == 42


def test_self_test_of_a_missing_build_says_to_build_first(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build, "OUT", tmp_path)

    assert build.main(["uv"], ["--skip-build"]) == 1
    assert "build it first" in capsys.readouterr().err


def _python_with_uv() -> str | None:
    """A Python that can run ``tasks.py`` (it needs uv on PATH or as a module), or None."""
    if shutil.which("uv") or importlib.util.find_spec("uv"):
        return sys.executable
    for name in ("python3.11", "python3", "python"):
        found = shutil.which(name)
        if found and subprocess.run([found, "-m", "uv", "--version"], capture_output=True).returncode == 0:
            return found
    return None


@pytest.mark.installer
def test_tasks_installer_builds_an_app_whose_self_test_passes():
    """The real build (minutes, several GB under out/installer/)."""
    python = _python_with_uv()
    if python is None:
        pytest.skip("no uv: install it (pip install uv) to build the installer")
    done = subprocess.run([python, "tasks.py", "installer"], cwd=ROOT, timeout=5400)

    report = json.loads((build.OUT / "report.json").read_text(encoding="utf-8"))
    assert done.returncode == 0, report["self_test"]["report"]
    assert report["self_test"]["passed"]
    assert "frozen=True" in report["self_test"]["report"]
    assert report["folder_bytes"] > 0
