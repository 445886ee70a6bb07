"""The self-test the installer runs (``main.py --self-test``), from the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui import self_test

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def private_settings(tmp_path, monkeypatch):
    """QSettings and logs in tmp, under a test-only organisation."""
    from PySide6.QtCore import QCoreApplication, QSettings

    monkeypatch.setenv("TRANSFER_STUDIO_CACHE", str(tmp_path / "cache"))
    QCoreApplication.setOrganizationName("TransferStudioTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))


def test_window_step_opens_the_main_window_and_reports_the_start_time(qapp, private_settings, tmp_path):
    from PySide6.QtWidgets import QApplication

    from gui.window.main_window import MainWindow

    results = self_test.run_steps(tmp_path, only={"window"})

    assert [(r.name, r.ok) for r in results] == [("window", True)], results[0].detail
    assert "'Transfer Studio' shown" in results[0].detail
    age, _how = self_test.process_age()
    assert 0 < age < 24 * 3600
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_translations_pass_with_none_and_name_a_file_that_does_not_load(qapp, tmp_path):
    assert "none shipped" in self_test.check_translations(tmp_path)
    (tmp_path / "i18n").mkdir()
    (tmp_path / "i18n" / "broken_zh_CN.qm").write_bytes(b"not a translation")

    with pytest.raises(RuntimeError, match=r"broken_zh_CN\.qm"):
        self_test.check_translations(tmp_path)


def test_a_compiled_translation_loads(qapp, tmp_path):
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    if not lrelease.exists():
        pytest.skip("pyside6-lrelease is not installed")
    ts = tmp_path / "app_zh_CN.ts"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="zh_CN">'
                  "<context><name>MainWindow</name><message><source>Data</source>"
                  "<translation>数据</translation></message></context></TS>", encoding="utf-8")
    subprocess.run([str(lrelease), str(ts), "-qm", str(tmp_path / "app_zh_CN.qm")], check=True,
                   capture_output=True)

    assert "1 translation file(s) loaded" in self_test.check_translations(tmp_path)


def test_a_step_whose_input_is_missing_fails_and_the_exit_status_says_so(tmp_path, capsys):
    code = self_test.main(["--only", "onnx export", "--keep", str(tmp_path / "work"),
                           "--report", str(tmp_path / "report.txt")])

    out = capsys.readouterr().out
    assert code == 1
    assert "self-test: FAIL onnx export" in out and "skipped" in out
    assert out.rstrip().endswith("self-test FAILED: onnx export")
    report = (tmp_path / "report.txt").read_text(encoding="utf-8").splitlines()
    assert report[-1] == "self-test FAILED: onnx export"


def test_main_routes_self_test(qapp, capsys):
    import main

    assert main.main(["--self-test", "--only", "translations"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("self-test passed")


@pytest.mark.slow
def test_the_whole_self_test_passes_from_source_in_a_clean_environment(tmp_path):
    """Every step, as the installer runs it, but unfrozen (minutes on 2 busy cores)."""
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    cwd.mkdir()
    env = {"PATH": os.defpath, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
           "TRANSFER_STUDIO_CACHE": str(tmp_path / "cache")}

    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--self-test"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=1200)

    assert done.returncode == 0, done.stdout + done.stderr
    for step, _needs in self_test.STEPS:
        assert f"self-test: PASS {step}" in done.stdout
    assert done.stdout.rstrip().endswith("self-test passed")
