"""``main.py doctor``: findings as JSON lines, the last line a summary with counts per kind."""

from __future__ import annotations

import json

from helpers import make_dataset
from PIL import Image

from cli.main import run as cli_run


def test_doctor_json_names_the_black_image_and_the_copy(tmp_path, capsys):
    data = make_dataset(tmp_path / "data", per_class=12, classes=("red", "green", "blue"))
    Image.new("RGB", (64, 64), (0, 0, 0)).save(data / "red" / "black.png")
    Image.open(data / "green" / "img_0.png").save(data / "green" / "copy_of_0.bmp")
    code = cli_run(["doctor", str(data), "--json"])
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    summary = json.loads(out[-1])
    findings = [json.loads(line) for line in out[:-1]]
    assert summary["images"] == 38 and summary["counts"]["dark"] == 1
    assert sum(summary["counts"].values()) == len(findings)
    dark = next(f for f in findings if f["kind"] == "dark")
    assert dark["paths"] == [str(data / "red" / "black.png")] and dark["action"] == "exclude"
    copies = [f for f in findings if f["kind"] in ("duplicate", "leakage")
              and str(data / "green" / "copy_of_0.bmp") in f["paths"]]
    assert copies and str(data / "green" / "img_0.png") in copies[0]["paths"]


def test_doctor_on_a_missing_folder_is_a_clear_error(tmp_path, capsys):
    code = cli_run(["doctor", str(tmp_path / "nowhere")])
    assert code == 2 and "nowhere" in capsys.readouterr().err
