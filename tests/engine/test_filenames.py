"""File names that are not valid UTF-8, newlines and tabs: stored losslessly, shown readably."""

from __future__ import annotations

import json
import os

import pytest

from engine.atomic import read_json, write_json
from engine.filenames import display_text, dumps_json, is_utf8, one_line

LATIN1 = os.fsdecode(b"/data/caf\xe9.jpg")  # what os.listdir gives for a Latin-1 name on Linux


def test_json_keeps_a_non_utf8_name_losslessly_and_the_file_is_utf8(tmp_path):
    path = tmp_path / "index.json"
    write_json(path, {"files": [LATIN1, "猫.png"]})
    text = path.read_bytes().decode("utf-8")  # valid UTF-8 on disk
    assert "猫.png" in text and "\\udce9" in text
    [name, cat] = read_json(path)["files"]
    assert os.fsencode(name) == b"/data/caf\xe9.jpg" and cat == "猫.png"


def test_dumps_json_round_trips_and_still_refuses_nan():
    assert json.loads(dumps_json({"p": LATIN1})) == {"p": LATIN1}
    with pytest.raises(ValueError):
        dumps_json({"x": float("nan")})


def test_display_and_one_line():
    assert not is_utf8(LATIN1) and is_utf8("café")
    assert display_text(LATIN1) == "/data/caf\ufffd.jpg"
    assert one_line("a\nb\tc\x01" + LATIN1[-5:]) == "a\\nb\\tc\\x01\ufffd.jpg"
    assert one_line("plain name.png") == "plain name.png"
