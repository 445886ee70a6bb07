"""The bundled EfficientNet-Lite0/1/2: pinned weights, refused when wrong, built at their own sizes."""

from __future__ import annotations

import math
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from helpers import shared_dataset
from torch import nn

from engine.errors import WeightsError
from engine.imaging import load_rgb_array
from engine.models import lite, registry, weights
from engine.models.lite import LITE_VARIANTS, LiteVariant

NAMES = list(LITE_VARIANTS)
SPEC = Path(__file__).resolve().parents[3] / "installer" / "transfer_studio.spec"
ANT, BEE = 310, 309  # ImageNet classes "ant, emmet, pismire" and "bee"


@pytest.fixture(scope="module", autouse=True)
def hub_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty torch hub cache, so no weights the user imported stand in for the bundled ones."""
    hub = tmp_path_factory.mktemp("hub")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(torch.hub, "_hub_dir", str(hub))
        yield hub


@pytest.fixture(scope="module")
def backbones(hub_dir: Path) -> dict[str, nn.Module]:
    """Each variant as a pretrained feature extractor, built once for the module."""
    return {name: registry.build_backbone(name, pretrained=True) for name in NAMES}


@pytest.fixture
def swapped_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Install a stand-in package for a variant whose file (same name) holds other bytes."""

    def swap(variant: LiteVariant, data: bytes) -> Path:
        path = tmp_path / variant.file_name
        path.write_bytes(data)
        package = types.ModuleType(variant.module)
        holder = type(variant.file_class, (), {"get_model_file_path": staticmethod(lambda: str(path))})
        setattr(package, variant.file_class, holder)
        monkeypatch.setitem(sys.modules, variant.module, package)
        return path

    return swap


@pytest.mark.parametrize("name", NAMES)
def test_table_agrees_with_timm_pretrained_cfg(name: str) -> None:
    import timm

    variant = LITE_VARIANTS[name]
    cfg = timm.models.get_pretrained_cfg(f"{variant.timm_name}.in1k")
    assert cfg.input_size == (3, variant.input_size, variant.input_size)
    assert math.floor(variant.input_size / cfg.crop_pct) == variant.resize_size
    assert (tuple(cfg.mean), tuple(cfg.std), cfg.interpolation) == (variant.mean, variant.std, "bicubic")
    assert registry.get_spec(name).preprocess == variant.preprocess
    assert registry.get_spec(name).weights_id == variant.weights_id
    assert variant.weights_id.startswith(weights.PACKAGE_PREFIX)


@pytest.mark.parametrize("name", NAMES)
def test_bundled_file_matches_its_pin(name: str) -> None:
    variant = LITE_VARIANTS[name]
    path = weights.ensure_weights(variant.weights_id)
    assert path.name == variant.file_name
    assert weights.sha256_file(path) == variant.sha256 == weights.KNOWN_SHA256[variant.file_name]
    assert registry.offline_available(name)


@pytest.mark.parametrize("name", NAMES)
def test_wrong_file_is_refused_naming_it(name: str, swapped_package) -> None:
    variant = LITE_VARIANTS[name]
    path = swapped_package(variant, b"not the EfficientNet weights")
    assert not registry.offline_available(name)
    with pytest.raises(WeightsError) as info:
        registry.build_backbone(name, pretrained=True)
    message = str(info.value)
    assert str(path) in message and "SHA-256" in message
    assert "Reinstall" in message and variant.package in message


def test_another_variants_file_is_refused(swapped_package) -> None:
    """Lite0's real file where Lite1's should be: a valid checkpoint, but not the pinned one."""
    lite0, lite1 = LITE_VARIANTS["efficientnet_lite0"], LITE_VARIANTS["efficientnet_lite1"]
    swapped_package(lite1, weights.ensure_weights(lite0.weights_id).read_bytes())
    with pytest.raises(WeightsError, match="does not match its pinned SHA-256"):
        weights.ensure_weights(lite1.weights_id)


def test_missing_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    variant = LITE_VARIANTS["efficientnet_lite2"]
    monkeypatch.setitem(sys.modules, variant.module, None)  # makes the import fail
    with pytest.raises(WeightsError, match=f"install the {variant.package} package"):
        weights.ensure_weights(variant.weights_id)


def test_unknown_bundled_id_is_refused() -> None:
    with pytest.raises(WeightsError, match="Unknown bundled weights"):
        lite.bundled_file("package:efficientnet-lite9-pytorch-model")


@pytest.mark.parametrize("name", NAMES)
def test_pretrained_backbone_takes_its_input_size(name: str, backbones: dict[str, nn.Module]) -> None:
    spec = registry.get_spec(name)
    side = LITE_VARIANTS[name].input_size
    with torch.no_grad():
        out = backbones[name](torch.zeros(1, 3, side, side))
    assert tuple(out.shape) == (1, spec.feature_dim) == (1, 1280)
    published = weights.load_state_dict(weights.ensure_weights(LITE_VARIANTS[name].weights_id))
    assert torch.equal(backbones[name].conv_stem.weight, next(iter(published.values())))


@pytest.mark.parametrize("name", NAMES)
def test_layer_groups_are_stem_seven_stages_head(name: str, backbones: dict[str, nn.Module]) -> None:
    groups = registry.layer_groups(name, backbones[name])
    assert [g for g, _ in groups] == ["stem", *[f"blocks{i}" for i in range(7)], "conv_head"]
    grouped = {id(p) for _, module in groups for p in module.parameters()}
    assert grouped == {id(p) for p in backbones[name].parameters()}


def test_package_tensors_load_by_position_into_the_classifier() -> None:
    """Lite1's file, head included, lands tensor for tensor in timm's network (names differ)."""
    variant = LITE_VARIANTS["efficientnet_lite1"]
    published = weights.load_state_dict(weights.ensure_weights(variant.weights_id))
    classifier = registry.build_imagenet_classifier("efficientnet_lite1")
    loaded = classifier.state_dict()
    assert set(published) != set(loaded)
    for (key, value), original in zip(loaded.items(), published.values(), strict=True):
        assert torch.equal(value, original), key


def test_installer_bundles_every_variant_package() -> None:
    recipe = SPEC.read_text(encoding="utf-8")
    for variant in LITE_VARIANTS.values():
        assert f'"{variant.module}"' in recipe, variant.module


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_imagenet_head_tells_ants_from_bees(name: str) -> None:
    """Zero-shot: the ImageNet head's ant vs bee logit on a few hymenoptera validation images."""
    from engine.data.transforms import EvalPreprocess, to_uint8_chw

    val = shared_dataset("hymenoptera") / "val"
    images = [(p, ANT) for p in sorted((val / "ants").iterdir())[:5]]
    images += [(p, BEE) for p in sorted((val / "bees").iterdir())[:5]]
    classifier = registry.build_imagenet_classifier(name)
    prepare = EvalPreprocess(registry.get_spec(name).preprocess)
    right = 0
    with torch.no_grad():
        for path, label in images:
            logits = classifier(prepare(to_uint8_chw(load_rgb_array(path)).unsqueeze(0)))[0]
            right += int((ANT if logits[ANT] > logits[BEE] else BEE) == label)
    assert right >= 9, f"{name}: {right}/10"
