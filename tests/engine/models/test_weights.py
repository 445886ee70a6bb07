"""Weight files: download over a loopback server, hash pinning, safe loading, import, offline."""

from __future__ import annotations

import hashlib
import io
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file
from torchvision.models import get_model

from engine.errors import WeightsError
from engine.models import registry, weights, weights_http


@pytest.fixture(autouse=True)
def hub_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty torch hub cache per test; never the user's real one."""
    hub = tmp_path / "hub"
    monkeypatch.setattr(torch.hub, "_hub_dir", str(hub))
    monkeypatch.delenv(weights.MIRROR_ENV, raising=False)
    return hub


def tiny_state_bytes() -> bytes:
    buffer = io.BytesIO()
    torch.save({"w": torch.arange(6.0).reshape(2, 3), "b": torch.ones(2)}, buffer)
    return buffer.getvalue()


class Server:
    """A loopback HTTP server serving ``files``; ``short`` names files sent truncated."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.short: set[str] = set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = self.path.lstrip("/")
                if name not in server.files:
                    self.send_error(404)
                    return
                body = server.files[name]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if name in server.short else body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_download_streams_verifies_and_pins(server: Server, hub_dir: Path) -> None:
    data = tiny_state_bytes()
    server.files["tiny.pth"] = data
    digest = hashlib.sha256(data).hexdigest()
    calls: list[tuple[int, int]] = []
    dest = weights.weights_dir() / "tiny.pth"

    path = weights.download_weights(
        server.url("tiny.pth"), dest, digest, lambda d, t, _message: calls.append((d, t))
    )

    assert path == dest and path.read_bytes() == data
    assert calls[0] == (0, len(data)) and calls[-1] == (len(data), len(data))
    assert weights.pinned_sha256(dest) == digest
    state = weights.load_state_dict(dest)
    assert torch.equal(state["w"], torch.arange(6.0).reshape(2, 3))


def test_wrong_hash_leaves_nothing(server: Server) -> None:
    server.files["tiny.pth"] = tiny_state_bytes()
    dest = weights.weights_dir() / "tiny.pth"
    with pytest.raises(WeightsError, match="SHA-256"):
        weights.download_weights(server.url("tiny.pth"), dest, "0" * 64)
    assert not dest.exists()
    assert not [p for p in dest.parent.iterdir() if p.name != weights.PIN_FILE]
    assert weights.pinned_sha256(dest) is None


def test_truncated_response_raises(server: Server) -> None:
    data = tiny_state_bytes()
    server.files["tiny.pth"] = data
    server.short.add("tiny.pth")
    dest = weights.weights_dir() / "tiny.pth"
    with pytest.raises(WeightsError, match=r"cut short|interrupted"):
        weights.download_weights(server.url("tiny.pth"), dest, hashlib.sha256(data).hexdigest())
    assert not dest.exists()


def test_http_error_is_a_weights_error(server: Server) -> None:
    with pytest.raises(WeightsError, match="HTTP 404"):
        weights.download_weights(server.url("missing-0123abcd.pth"), weights.weights_dir() / "m.pth")


def test_name_prefix_trust_on_first_use(server: Server) -> None:
    data = tiny_state_bytes()
    digest = hashlib.sha256(data).hexdigest()
    good, bad = f"tiny-{digest[:8]}.pth", "tiny-deadbeef.pth"
    server.files.update({good: data, bad: data})

    path = weights.download_weights(server.url(good), weights.weights_dir() / good)
    assert weights.pinned_sha256(path) == digest
    with pytest.raises(WeightsError, match="does not start with"):
        weights.download_weights(server.url(bad), weights.weights_dir() / bad)
    assert not (weights.weights_dir() / bad).exists()


def test_download_without_any_hash_is_refused(server: Server) -> None:
    server.files["nohash.pth"] = tiny_state_bytes()
    with pytest.raises(WeightsError, match="no SHA-256"):
        weights.download_weights(server.url("nohash.pth"), weights.weights_dir() / "nohash.pth")


def test_load_refuses_bytes_changed_after_pinning(tmp_path: Path) -> None:
    path = weights.weights_dir() / "tiny.pth"
    path.parent.mkdir(parents=True)
    data = tiny_state_bytes()
    path.write_bytes(data)
    weights.pin_sha256(path, hashlib.sha256(data).hexdigest())
    assert set(weights.load_state_dict(path)) == {"w", "b"}

    tampered = bytearray(data)
    tampered[len(tampered) // 2] ^= 0xFF
    path.write_bytes(bytes(tampered))
    with pytest.raises(WeightsError, match=r"tiny\.pth.*pinned SHA-256"):
        weights.load_state_dict(path)


class Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    torch.save({"w": torch.zeros(1), "x": Evil(marker)}, path)
    with pytest.raises(WeightsError, match=r"evil\.pth.*safely"):
        weights.load_state_dict(path)
    assert not marker.exists()


def test_non_tensor_content_and_wrappers(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.pth"
    torch.save({"state_dict": {"module.w": torch.ones(1)}, "epoch": 3}, path)
    assert list(weights.load_state_dict(path)) == ["w"]
    torch.save({"w": torch.ones(1), "note": "hello"}, path)
    with pytest.raises(WeightsError, match="not tensors: note"):
        weights.load_state_dict(path)


def test_import_safetensors_then_build_uses_it(tmp_path: Path) -> None:
    reference = get_model("resnet18", weights=None).state_dict()
    src = tmp_path / "mine.safetensors"
    save_file(reference, str(src))

    stored = registry.import_weights(src, "resnet18")

    assert stored.is_file() and weights.pinned_sha256(stored)
    assert weights.imported_weights_path("resnet18") == stored
    assert registry.offline_available("resnet18")
    backbone = registry.build_backbone("resnet18", pretrained=True)
    assert torch.equal(backbone.state_dict()["conv1.weight"], reference["conv1.weight"])
    key = "layer4.1.bn2.running_var"
    assert torch.equal(backbone.state_dict()[key], reference[key])


def test_import_accepts_a_different_head(tmp_path: Path) -> None:
    src = tmp_path / "finetuned.pth"
    torch.save(get_model("resnet18", weights=None, num_classes=3).state_dict(), src)
    assert registry.import_weights(src, "resnet18").suffix == ".pth"


def test_import_rejects_a_mismatch(tmp_path: Path) -> None:
    src = tmp_path / "other.pth"
    state = get_model("resnet18", weights=None).state_dict()
    state["conv1.weight"] = torch.zeros(64, 3, 3, 3)
    del state["layer1.0.bn1.bias"]
    state["extra.weight"] = torch.zeros(1)
    torch.save(state, src)
    with pytest.raises(WeightsError) as info:
        registry.import_weights(src, "resnet18")
    message = str(info.value)
    assert "missing: layer1.0.bn1.bias" in message
    assert "unexpected: extra.weight" in message
    assert "wrong shape: conv1.weight" in message
    assert weights.imported_weights_path("resnet18") is None


def test_import_rejects_other_suffixes(tmp_path: Path) -> None:
    src = tmp_path / "weights.onnx"
    src.write_bytes(b"x")
    with pytest.raises(WeightsError, match="expected one of"):
        registry.import_weights(src, "resnet18")


def test_offline_cache_miss_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(weights.MIRROR_ENV, f"http://127.0.0.1:{closed_port()}/models")
    assert not registry.offline_available("resnet18")
    start = time.monotonic()
    with pytest.raises(WeightsError) as info:
        registry.build_backbone("resnet18", pretrained=True)
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert "efficientnet_lite0" in message and "resnet18-f37072fd.pth" in message
    assert "import" in message and "scratch" in message


def test_damaged_cached_file_is_quarantined(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(weights.MIRROR_ENV, f"http://127.0.0.1:{closed_port()}")
    path = weights.weights_path("ResNet18_Weights.IMAGENET1K_V1")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not the real file")
    assert not registry.offline_available("resnet18")
    with pytest.raises(WeightsError, match="damaged"):
        weights.ensure_weights("ResNet18_Weights.IMAGENET1K_V1")
    assert not path.exists()
    assert path.with_name(path.name + ".corrupt").exists()


def test_weights_path_is_in_the_hub_cache(hub_dir: Path) -> None:
    path = weights.weights_path("ResNet18_Weights.IMAGENET1K_V1")
    assert path == hub_dir / "checkpoints" / "resnet18-f37072fd.pth"
    assert weights.weights_path(weights.LITE0_PACKAGE_ID).is_file()


def test_bundled_lite0_is_verified() -> None:
    path = weights.ensure_weights(weights.LITE0_PACKAGE_ID)
    assert weights.sha256_file(path) == weights.KNOWN_SHA256[path.name]


def cache_as_official(name: str, state: dict[str, torch.Tensor]) -> None:
    """Put ``state`` where the official file for ``name`` lives, pinned as if downloaded."""
    path = weights.weights_path(registry.get_spec(name).weights_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    weights.pin_sha256(path, weights.sha256_file(path))


def densenet_old_keys(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """DenseNet's 2017 file: ``norm.1`` where the module now has ``norm1``, no num_batches_tracked."""
    return {
        re.sub(r"\.(norm|relu|conv)([12])\.", r".\1.\2.", k): v
        for k, v in state.items()
        if not k.endswith("num_batches_tracked")
    }


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("inception_v3", {"aux_logits": True, "init_weights": False}),
        ("googlenet", {"aux_logits": True, "init_weights": False}),
        ("densenet121", {}),
    ],
)
def test_official_file_layouts_load(name: str, kwargs: dict[str, object]) -> None:
    """The published files carry auxiliary heads (Inception, GoogLeNet) or old key names."""
    state = get_model(name, weights=None, **kwargs).state_dict()
    published = densenet_old_keys(state) if name == "densenet121" else state
    if name == "densenet121":
        assert "features.denseblock1.denselayer1.norm.1.weight" in published
    cache_as_official(name, published)
    assert registry.offline_available(name)

    backbone = registry.build_backbone(name, pretrained=True)
    for key, value in backbone.state_dict().items():
        assert torch.equal(value, state[key]), key
    if name == "googlenet":  # the smallest of the three; the ImageNet head loads too, aux dropped
        classifier = registry.build_imagenet_classifier(name)
        assert torch.equal(classifier.fc.weight, state["fc.weight"])
        assert classifier.aux1 is None and classifier.aux2 is None


def test_hanging_name_lookup_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_lookup(*args: object, **kwargs: object) -> list[object]:
        time.sleep(3)
        return []

    monkeypatch.setattr(weights_http, "CONNECT_TIMEOUT_S", 0.2)
    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    start = time.monotonic()
    with pytest.raises(WeightsError, match=r"no network.*efficientnet_lite0"):
        weights.download_weights("http://weights.invalid/x-0123abcd.pth", weights.weights_dir() / "x.pth")
    assert time.monotonic() - start < 2
