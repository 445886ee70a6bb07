"""dataset.json: a run folder rebuilds its dataset alone and names images that changed or are gone."""

import json
import os

import pytest

from engine.data.scan import scan_dataset
from engine.errors import DatasetError, RunError
from engine.runs.files import DATASET
from engine.runs.manifest import (
    check_images,
    index_from_manifest,
    lost_images,
    read_manifest,
    unchanged_images,
    write_manifest,
)


def _recorded(tiny_dataset, tmp_path):
    index = scan_dataset(tiny_dataset)
    run = tmp_path / "run"
    run.mkdir()
    assert write_manifest(run, index) == []
    return index, run


def test_the_manifest_rebuilds_the_same_dataset(tiny_dataset, tmp_path):
    index, run = _recorded(tiny_dataset, tmp_path)
    rebuilt = index_from_manifest(run)
    assert rebuilt.classes == index.classes and rebuilt.samples == index.samples and not rebuilt.skipped
    classes, images, root, _layout = read_manifest(run)
    assert classes == ["green", "red"] and root == index.root
    assert all(os.path.isabs(i.path) and len(i.sha1) == 40 for i in images)


def test_changed_and_gone_images_are_left_out_and_named(tiny_dataset, tmp_path):
    index, run = _recorded(tiny_dataset, tmp_path)
    gone, changed, touched = index.samples[0].path, index.samples[1].path, index.samples[2].path
    os.remove(gone)
    with open(changed, "ab") as handle:
        handle.write(b"more bytes")
    os.utime(touched, ns=(1, 1))  # same content, another time: still the same image
    rebuilt = index_from_manifest(run)
    reasons = {s.path: s.reason for s in lost_images(rebuilt)}
    assert set(reasons) == {gone, changed}
    assert reasons[gone].startswith("gone") and DATASET in reasons[gone]
    assert reasons[changed].startswith("changed") and DATASET in reasons[changed]
    assert len(rebuilt.samples) == len(index.samples) - 2
    assert set(check_images(run, [gone, changed, touched])) == {gone, changed}
    assert gone not in unchanged_images(run, "train") + unchanged_images(run, "val")


def test_too_few_images_left_is_a_clear_dataset_error(tiny_dataset, tmp_path):
    index, run = _recorded(tiny_dataset, tmp_path)
    for sample in index.samples:
        if sample.label == 0:
            os.remove(sample.path)
    with pytest.raises(DatasetError, match=r"dataset\.json") as caught:
        index_from_manifest(run)
    assert "Put the images back" in str(caught.value)


def test_a_missing_or_damaged_manifest_is_named(tiny_dataset, tmp_path):
    _index, run = _recorded(tiny_dataset, tmp_path)
    (run / DATASET).write_text(json.dumps({"classes": ["a"], "images": [{"path": "x"}]}))
    with pytest.raises(RunError, match="damaged"):
        read_manifest(run)
    (run / DATASET).unlink()
    with pytest.raises(RunError, match="did not record its dataset"):
        index_from_manifest(run)
