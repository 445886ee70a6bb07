"""Hostile file and class names through the whole CLI: scan, train, export, predict (CSV, JSON, text).

One dataset holds every name at once (a newline, a tab, HTML, a spreadsheet formula, bytes that
are not UTF-8, for files and for class folders); it is trained once (``features``, 1 epoch, Lite0)
and exported, in subprocesses as a user runs them. Each case is then one test id ending in
``-correct``: the name survives each step losslessly where the output is a data format (JSON),
is shown readably where it is text (replacement characters, escaped control characters), never
splits a line, and is written spreadsheet-safe in CSV.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import make_image

from engine.filenames import display_text, one_line

pytestmark = [  # about 50 s on two cores (train, export and three predicts as subprocesses): run with -m slow
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="byte file names are a Linux matter"),
]
ROOT = Path(__file__).resolve().parents[2]
COLORS = {"red": (220, 30, 30), "=cmd": (30, 200, 40), "tab\tclass": (30, 40, 220)}
CLASS_NAMES = {"red": "red", "=cmd": "=cmd", "tab\tclass": "tab class"}  # folder -> class
FILE_CASES = {  # case id -> (class folder, file name as bytes)
    "newline_file": ("red", b"new\nline.png"),
    "tab_file": ("red", b"tab\tname.png"),
    "html_file": ("red", b"<img src=x onerror=alert(1)>.png"),
    "formula_file": ("=cmd", b'=HYPERLINK("http:x").png'),
    "non_utf8_file": ("red", b"caf\xe9.png"),
    "formula_class_file": ("=cmd", b"plain.png"),
    "tab_class_file": ("tab\tclass", b"plain.png"),
}


@dataclass
class Pipeline:
    """Everything the CLI wrote for the hostile dataset."""

    data: Path
    paths: dict[str, str]  # case id -> the file's path as Python sees it
    train: dict
    predictions: dict[str, dict]  # path -> --json line
    csv_rows: dict[str, dict[str, str]]  # displayed path -> row
    text_lines: list[str]


def _main(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")  # strict: a lone surrogate would crash the write
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=600, errors="strict")
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    root = tmp_path_factory.mktemp("names")
    data = root / "data"
    for folder, color in COLORS.items():
        for i in range(4):
            make_image(data / folder / f"img_{i}.png", color, size=(24, 24), seed=i)
    paths = {}
    for case, (folder, name) in FILE_CASES.items():
        raw = os.path.join(os.fsencode(data / folder), name)
        make_image(Path(os.fsdecode(raw)), COLORS[folder], size=(24, 24), seed=9)
        paths[case] = os.fsdecode(raw)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRANSFER_STUDIO_CACHE", str(root / "cache"))
        train = _main("train", str(data), "--strategy", "features", "--epochs", "1", "--json",
                      "--out", str(root / "run"), cwd=root)
        _main("export", str(root / "run"), "--out", str(root / "model.onnx"), cwd=root)
        as_json = _main("predict", str(root / "model.onnx"), str(data), "--json", cwd=root)
        _main("predict", str(root / "model.onnx"), str(data), "--csv", str(root / "out.csv"), cwd=root)
        as_text = _main("predict", str(root / "model.onnx"), str(data), cwd=root)
    lines = [json.loads(line) for line in as_json.stdout.splitlines() if line.startswith("{")]
    rows = list(csv.DictReader(io.StringIO((root / "out.csv").read_text(encoding="utf-8-sig"))))
    return Pipeline(
        data, paths, json.loads(train.stdout.strip().splitlines()[-1]),
        {p["path"]: p for p in lines}, {r["path"]: r for r in rows}, as_text.stdout.splitlines(),
    )


@pytest.mark.parametrize("case", FILE_CASES, ids=[f"{c}-correct" for c in FILE_CASES])
def test_hostile_file_name_survives_the_pipeline(case, pipeline):
    path = pipeline.paths[case]
    assert pipeline.train["status"] == "completed"
    assert path in pipeline.predictions  # --json: lossless, the exact path (bytes included)
    assert os.fsencode(pipeline.predictions[path]["path"]) == os.fsencode(path)
    shown = display_text(path)
    cell = "'" + shown if shown.startswith("=") else shown
    assert cell in pipeline.csv_rows  # --csv: readable, one row, spreadsheet-safe
    assert not pipeline.csv_rows[cell]["error"]
    [line] = [line for line in pipeline.text_lines if line.startswith(one_line(path) + "\t")]
    assert line.count("\t") == 1  # the name's own tab or newline is shown escaped


@pytest.mark.parametrize("folder", CLASS_NAMES, ids=["plain_class-correct", "formula_class-correct",
                                                     "tab_class-correct"])
def test_hostile_class_name_is_one_class_everywhere(folder, pipeline):
    name = CLASS_NAMES[folder]  # a tab in a folder name becomes a space, as in the app
    json_labels = {top["label"] for p in pipeline.predictions.values() for top in p["top"]}
    assert json_labels == set(CLASS_NAMES.values())
    csv_cells = {row[f"label_{k}"] for row in pipeline.csv_rows.values() for k in (1, 2, 3)}
    safe = "'" + name if name.startswith("=") else name
    assert safe in csv_cells and (safe == name or name not in csv_cells)  # formulas neutralised
    assert any(f"\t{name} " in line or f"| {name} " in line for line in pipeline.text_lines)
