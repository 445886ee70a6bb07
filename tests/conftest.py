"""Shared fixtures (no Qt, no network): tiny generated datasets, an isolated cache, one exported model."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import make_dataset, train_tiny_run


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own feature/split/thumbnail cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("TRANSFER_STUDIO_CACHE", str(cache))
    return cache


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Path:
    """Two classes of six generated images each, no split given."""
    return make_dataset(tmp_path / "data")


@dataclass
class Exported:
    """A trained and exported run, shared by the export, predictor and Predict-page tests."""

    root: Path
    data: Path
    run_dir: Path
    onnx_path: Path
    summary: dict


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """A tiny Lite0 ``features`` run (2 classes x 6 images, 2 epochs), exported through the CLI once."""
    from cli.main import run as cli_run

    root = tmp_path_factory.mktemp("exported")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRANSFER_STUDIO_CACHE", str(root / "cache"))
        _, data = train_tiny_run(root, "run")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = cli_run(["export", str(root / "run"), "--out", str(root / "model.onnx"), "--json"])
        assert code == 0
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    return Exported(root, data, root / "run", root / "model.onnx", summary)
