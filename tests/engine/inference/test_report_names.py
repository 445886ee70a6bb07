"""Prediction output with hostile file names: CSV cells and text lines stay whole and readable."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass

from cli.predict_cmd import _human
from engine.inference.report import write_predictions_csv

NON_UTF8 = os.fsdecode(b"/d/caf\xe9.png")


@dataclass
class Row:
    path: str
    top: tuple[tuple[str, float], ...] = (("=cmd", 0.9), ("cats", 0.1))
    error: str | None = None
    unknown: bool | None = None
    unknown_score: float | None = None


def test_csv_with_a_non_utf8_name_a_newline_and_a_formula(tmp_path):
    rows = [Row(NON_UTF8), Row("/d/new\nline.png"), Row("=cmd.png", (), "bad\nfile")]
    out = tmp_path / "p.csv"
    write_predictions_csv(rows, out, top_k=2)
    parsed = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [r["path"] for r in parsed] == ["/d/caf\ufffd.png", "/d/new\nline.png", "'=cmd.png"]
    assert parsed[0]["label_1"] == "'=cmd"


def test_text_output_is_one_line_per_image():
    assert _human(Row("/d/new\nline\t.png")) == "/d/new\\nline\\t.png\t=cmd 0.900 | cats 0.100"
    line = _human(Row(NON_UTF8, (), "truncated\nimage"))
    assert line.startswith("/d/caf\ufffd.png\tERROR: truncated\\nimage")
