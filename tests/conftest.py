"""Fixtures that need neither Qt nor a network: tiny generated datasets and an isolated cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_dataset


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
