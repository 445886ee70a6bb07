"""The preprocessing contract: validated on creation, and a lossless round trip through JSON."""

from __future__ import annotations

import json

import pytest

from engine.data.preprocess import Preprocess
from engine.errors import ConfigError


def test_preprocess_round_trips_through_json() -> None:
    spec = Preprocess(299, 342, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225), "bilinear")
    assert Preprocess.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def test_invalid_preprocess_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="interpolation"):
        Preprocess(224, 256, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5), "lanczos")
    with pytest.raises(ConfigError, match="input_size <= resize_size"):
        Preprocess(224, 200, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5), "bicubic")
    with pytest.raises(ConfigError, match="std > 0"):
        Preprocess(224, 256, (0.5, 0.5, 0.5), (0.5, 0.0, 0.5), "bicubic")
    with pytest.raises(ConfigError, match="missing field 'std'"):
        Preprocess.from_dict({"input_size": 1, "resize_size": 1, "mean": [0, 0, 0]})
    with pytest.raises(ConfigError, match="preprocess"):
        Preprocess.from_dict({"input_size": 1, "resize_size": 1, "mean": [0, 0], "std": [1, 1, 1],
                              "interpolation": "bilinear"})
