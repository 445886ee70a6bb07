"""The doctor on a real dataset with planted problems (slow: embeds hymenoptera with Lite0)."""

from __future__ import annotations

import pytest
from doctor_fixture import build_planted
from helpers import shared_dataset

from engine.data.scan import scan_dataset
from engine.doctor.examine import examine


@pytest.mark.slow
def test_planted_leakage_black_images_and_flipped_labels_are_found(tmp_path):
    planted = build_planted(shared_dataset("hymenoptera"), tmp_path / "planted")
    report = examine(scan_dataset(planted.root))
    leaks = [set(f.paths) for f in report.findings if f.kind == "leakage"]
    leak_recall = sum(any(copy in g for g in leaks) for _, copy in planted.leaked) / len(planted.leaked)
    dark = {f.paths[0] for f in report.findings if f.kind == "dark"}
    labels = [f.paths[0] for f in report.findings if f.kind == "label"]
    top = labels[: len(planted.flipped)]
    assert leak_recall >= 0.9
    assert planted.black <= dark
    assert sum(p in planted.flipped for p in top) >= len(planted.flipped) / 2
