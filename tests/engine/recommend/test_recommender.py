"""The recommender: grid placement and ranges from fake scores, the pipeline on a tiny fake backbone."""

import json

import pytest
import torch
from helpers import make_dataset, shared_dataset
from torch import nn

import engine.features.cached as cached
import engine.recommend.measuring as measuring
import engine.recommend.recommender as rec_mod
from engine.config import STRATEGIES, TrainConfig
from engine.control import RunCancelled, RunControl
from engine.data.preprocess import Preprocess
from engine.data.scan import TRAIN, scan_dataset
from engine.models.backbone_spec import BackboneSpec
from engine.recommend.auto import resolve_auto
from engine.recommend.estimates import estimate_seconds
from engine.recommend.evidence import ProbeCurve
from engine.recommend.measuring import imagenet_head, sample_images
from engine.recommend.recommender import Recommendation, decide, recommend
from engine.recommend.rules import DatasetSize, Measurement, partial_k


def _m(name="a", probe=0.95, knn=0.93, conf=0.7, forward_s=0.01, train_s=0.03, groups=9, extract_s=None):
    scores = {"knn": knn, "probe": probe, "logme": 0.1, "imagenet_confidence": conf, "imagenet_entropy": 0.3}
    return Measurement(name, scores, forward_s, train_s, groups, extract_s)


def _size(per_class=100, classes=2, sample=60):
    train = per_class * classes
    return DatasetSize(train, train // 4, classes, min(sample, per_class) * classes, decode_s=0.005)


@pytest.mark.parametrize(
    "per_class, probe, conf, grid, cell",
    [
        (100, 0.95, 0.7, "features", ("small", "similar")),
        (100, 0.85, 0.2, "partial", ("small", "dissimilar")),
        (100, 0.95, 0.2, "partial", ("small", "dissimilar")),
        (2000, 0.95, 0.7, "full", ("large", "similar")),
        (2000, 0.7, 0.3, "full", ("large", "dissimilar")),
        (6000, 0.4, 0.05, "scratch", ("large", "dissimilar")),
    ],
)
def test_the_grid_stays_as_the_explanation(per_class, probe, conf, grid, cell):
    rec = decide(_size(per_class), [_m(probe=probe, conf=conf)])
    assert (rec.grid_strategy, rec.cell) == (grid, cell)
    assert (rec.k is not None) == (rec.strategy == "partial")
    assert rec.reason and rec.reason.count(". ") <= 3
    low, high = rec.expected_acc
    assert 0 <= low < high <= 1 and rec.strategies[rec.strategy]["expected_acc"] == [low, high]


@pytest.mark.parametrize("per_class", [100, 1000, 2000, 20000])
@pytest.mark.parametrize("probe", [0.98, 0.99, 1.0])
def test_an_imagenet_like_set_with_a_near_perfect_probe_never_gets_full(per_class, probe):
    rec = decide(_size(per_class), [_m(probe=probe, knn=probe, conf=0.8)])
    assert rec.strategy in ("features", "stack") and rec.strategy != "full"
    assert "Fine-tuning every layer would take" in rec.reason or "not expected to do better" in rec.reason


@pytest.mark.parametrize("per_class", [100, 1000, 20000])
@pytest.mark.parametrize("probe", [0.98, 0.995])
def test_a_rising_learning_curve_does_not_make_full_worth_it_either(per_class, probe):
    # the probe's curve still rising (more images, fewer errors): the head gains too, full barely more
    curve = ProbeCurve((24.0, 48.0, 96.0), (probe - 0.02, probe - 0.01, probe), 0.01, 120)
    scores = {"knn": probe, "probe": probe, "logme": 0.1, "imagenet_confidence": 0.8, "imagenet_entropy": 0.3}
    measure = Measurement("a", scores, 0.01, 0.03, 9, curve=curve)
    rec = decide(_size(per_class), [measure])
    assert rec.strategy == "features"
    low, high = rec.expected_acc
    assert high - low <= 0.12 and low >= probe - 0.05


def test_a_costly_strategy_is_recommended_only_for_more_than_a_point():
    rec = decide(_size(150), [_m(probe=0.7, knn=0.65, conf=0.1)])
    table = rec.forecasts()
    assert rec.strategy in ("partial", "full")
    assert table[rec.strategy].expected > table["features"].expected + 0.01
    assert rec.strategy == "partial" or table["full"].expected > table["partial"].expected + 0.01


def test_most_accurate_and_a_time_budget_change_the_pick():
    measures = [_m(probe=0.9, knn=0.88, conf=0.1)]
    fast = decide(_size(300), measures)
    best = decide(_size(300), measures, goal="most-accurate")
    table = best.forecasts()
    assert table[best.strategy].expected == max(f.expected for f in table.values())
    assert table[best.strategy].seconds >= table[fast.strategy].seconds
    tight = decide(_size(300), measures, goal="most-accurate", time_budget=table["features"].seconds + 1)
    assert tight.strategy == "features" and "budget" in tight.reason
    nothing_fits = decide(_size(300), measures, time_budget=0.001)
    assert nothing_fits.strategy == "features" and "quickest" in nothing_fits.reason


def test_partial_k_freezes_less_when_features_fit_poorly():
    assert partial_k(9, _m(probe=0.95, conf=0.1), _size(100)) == 4
    assert partial_k(9, _m(probe=0.7, conf=0.1), _size(100)) == 3
    rec = decide(_size(100), [_m(probe=0.95, conf=0.1)], goal="most-accurate")
    assert rec.strategy == "partial" and rec.k == 4


def test_stack_only_when_the_combination_helps():
    measures = [_m("a", probe=0.9, conf=0.6, knn=0.9), _m("b", probe=0.91, conf=0.6, knn=0.9)]
    stacked = decide(_size(), measures, stacked=0.95, goal="most-accurate")
    assert stacked.strategy == "stack" and set(stacked.backbones) == {"a", "b"}
    assert stacked.expected_acc[0] < 0.95 < stacked.expected_acc[1]
    assert decide(_size(), measures, stacked=0.915).strategy == "features"
    weak = [_m("a", probe=0.92, conf=0.6), _m("b", probe=0.5, conf=0.6)]
    assert decide(_size(), weak, stacked=0.95).strategy == "features"


def test_ties_go_to_the_faster_backbone():
    slow = _m("slow", probe=0.955, forward_s=0.1, train_s=0.3)
    fast = _m("fast", probe=0.95, forward_s=0.01, train_s=0.03)
    assert decide(_size(), [slow, fast]).backbones == ("fast",)


def test_estimates_grow_with_what_is_trained():
    size = _size(200)
    eta = estimate_seconds(size, [_m(extract_s=0.02)], _m(extract_s=0.02))
    assert 0 < eta["features"] < eta["linear"] < eta["partial"] < eta["full"] < eta["scratch"]
    assert "stack" not in eta


def test_to_dict_is_json_ready():
    data = decide(_size(), [_m()]).to_dict()
    again = json.loads(json.dumps(data))
    assert again["backbones"] == ["a"] and again["cell"] == ["small", "similar"]
    assert len(again["expected_acc"]) == 2 and set(again["scores"]["a"]) >= {"knn", "probe", "logme"}


def test_sample_is_capped_per_class_and_seeded(tmp_path):
    index = scan_dataset(make_dataset(tmp_path / "d", per_class=10), verify=False)
    picked = sample_images(index, 3, seed=1)
    assert [s.label for s in picked] == [0, 0, 0, 1, 1, 1]
    assert all(s.split == TRAIN for s in picked)
    assert picked == sample_images(index, 3, seed=1)


def test_imagenet_head_is_the_last_linear_on_the_features():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1000))
    assert imagenet_head(model, 8) is model[2]
    assert imagenet_head(model, 5) is None


# --- the pipeline on a tiny fake backbone (no weights, no ONNX) ------------------------------------


class _Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.stem = nn.Conv2d(3, 4, 3, stride=2)
        self.body = nn.Conv2d(4, 8, 3, stride=2)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())

    def forward(self, x):
        return self.pool(torch.relu(self.body(torch.relu(self.stem(x)))))


@pytest.fixture
def fake_backbone(monkeypatch):
    pre = Preprocess(32, 36, (0.5, 0.5, 0.5), (0.25, 0.25, 0.25), "bilinear")
    spec = BackboneSpec("tiny", "test", 8, pre, None, 0.0, "fake")
    monkeypatch.setattr(measuring, "get_spec", lambda name: spec)
    monkeypatch.setattr(measuring, "build_backbone", lambda name, pretrained: _Tiny().eval())
    monkeypatch.setattr(
        measuring, "build_imagenet_classifier", lambda name: nn.Sequential(_Tiny(), nn.Linear(8, 1000))
    )
    monkeypatch.setattr(measuring, "layer_groups", lambda name, b: [("stem", b.stem), ("body", b.body)])
    monkeypatch.setattr(
        cached, "make_extractor", lambda n, m, s, d, e, t: _torch_extractor(m, torch.device("cpu"))
    )
    monkeypatch.setattr(cached, "get_spec", lambda name: spec)
    return "tiny"


def _torch_extractor(module, device):
    from engine.features.extraction import torch_extractor

    return torch_extractor(module, device, channels_last=False)


def test_recommend_end_to_end_reports_progress_and_reuses_the_cache(tiny_dataset, fake_backbone):
    index = scan_dataset(tiny_dataset)
    stages = []
    rec = recommend(index, ["tiny"], sample_per_class=4, progress=lambda *a: stages.append(a), device="cpu")
    assert isinstance(rec, Recommendation) and rec.strategy in STRATEGIES
    assert rec.backbones == ("tiny",) and rec.sample_size == len(sample_images(index, 4))
    assert set(rec.scores["tiny"]) == {"knn", "probe", "logme", "imagenet_confidence", "imagenet_entropy"}
    assert all(isinstance(s, str) and isinstance(d, int) and isinstance(t, int) for d, t, s in stages)
    assert set(rec.eta_seconds) >= {"features", "linear", "partial", "full", "scratch"}
    json.dumps(rec.to_dict())
    measured = [a for a in stages if a[2].startswith("Measuring")]
    again = []
    recommend(index, ["tiny"], sample_per_class=4, progress=lambda *a: again.append(a), device="cpu")
    first_again = next(a for a in again if a[2].startswith("Measuring"))
    assert measured[0][0] == 0 and first_again[0] == first_again[1]  # second time: all from the cache


def test_recommend_honours_cancel(tiny_dataset, fake_backbone):
    control = RunControl()
    control.cancel()
    with pytest.raises(RunCancelled):
        recommend(scan_dataset(tiny_dataset), ["tiny"], control=control, device="cpu")


def test_resolve_auto_fills_strategy_backbones_and_k(tiny_dataset, fake_backbone):
    index = scan_dataset(tiny_dataset)
    config, reason = resolve_auto(TrainConfig(str(tiny_dataset), backbones=("tiny",), device="cpu"), index)
    assert config.strategy in STRATEGIES and config.backbones == ("tiny",) and reason
    assert (config.freeze_k is not None) == (config.strategy == "partial")
    basic, why = resolve_auto(TrainConfig(str(tiny_dataset), pretrained=False), index)
    assert basic.strategy == "features" and why


def test_cli_prints_the_recommendation_as_the_last_json_line(tiny_dataset, monkeypatch, capsys):
    from cli.main import run

    fixed = decide(_size(), [_m("efficientnet_lite0")])
    monkeypatch.setattr(rec_mod, "recommend", lambda *a, **k: fixed)
    assert run(["recommend", str(tiny_dataset), "--json"]) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"strategy", "backbones", "k", "reason", "expected_acc", "scores", "eta_seconds"} <= set(data)
    for forecast in data["strategies"].values():
        low, high = forecast["expected_acc"]
        assert 0 <= low <= high <= 1 and forecast["expected_seconds"] > 0
    assert run(["recommend", str(tiny_dataset)]) == 0
    assert "Recommended: features on efficientnet_lite0" in capsys.readouterr().out


# --- the two reference datasets ---------------------------------------------------------------------


@pytest.mark.slow
def test_hymenoptera_gets_a_frozen_backbone():
    rec = recommend(scan_dataset(shared_dataset("hymenoptera")))
    assert rec.strategy in ("features", "stack")
    assert rec.cell == ("small", "similar")
    low, high = rec.expected_acc
    # features runs measured 0.960 (Lite0) and 0.967 (Lite1, Lite2) on its 153 validation images
    assert high - low <= 0.12 and low <= 0.96 <= high


@pytest.mark.slow
def test_sign_language_digits_is_unlike_imagenet_and_its_range_is_narrow():
    rec = recommend(scan_dataset(shared_dataset("sign_language_digits")))
    assert rec.cell[1] == "dissimilar" and rec.grid_strategy in ("partial", "full")
    low, high = rec.expected_acc
    assert high - low <= 0.12


def test_measure_counts_what_a_features_run_must_still_embed(tmp_path, fake_backbone):
    from engine.recommend.measuring import RATE_PROBE
    from engine.recommend.recommender import measure

    index = scan_dataset(make_dataset(tmp_path / "d", per_class=30), verify=False)
    first = measure(index, ["tiny"], sample_per_class=3, device="cpu").measures[0]
    # 6 sample images are too few to time: RATE_PROBE others were embedded (and cached) for that
    assert first.extract_s is not None and first.uncached == max(0, 60 - 6 - RATE_PROBE)
    again = measure(index, ["tiny"], sample_per_class=3, device="cpu").measures[0]
    assert again.uncached == 0  # nothing left to embed (and so nothing to time)
