"""Damaged or malicious weight files given to ``main.py import-weights`` (issue 9, defect 12).

Each case writes a file (or a folder) and runs the command in-process on a real small backbone
(SqueezeNet 1.1, 1.2 M parameters). A good file is stored, pinned and then used by
``build_backbone``; every other one is refused with one ``error:`` line naming the file, no
traceback, nothing stored, and no code from the file run.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
from safetensors.torch import save as save_safetensors  # noqa: E402
from torchvision.models import get_model  # noqa: E402

from cli.main import run  # noqa: E402
from engine.models import registry, weights  # noqa: E402

BACKBONE = "squeezenet1_1"
MARKER_NAME = "payload-ran.txt"


@pytest.fixture(autouse=True)
def hub_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty torch hub cache per test; never the user's real one."""
    hub = tmp_path / "hub"
    monkeypatch.setattr(torch.hub, "_hub_dir", str(hub))
    monkeypatch.delenv(weights.MIRROR_ENV, raising=False)
    return hub


_STATES: dict[tuple[str, int], dict] = {}


def state_of(name: str = BACKBONE, classes: int = 1000) -> dict:
    """A torchvision state dict with random weights (cached per session: building takes a moment)."""
    key = (name, classes)
    if key not in _STATES:
        torch.manual_seed(0)
        _STATES[key] = get_model(name, weights=None, num_classes=classes).state_dict()
    return dict(_STATES[key])


def torch_bytes(obj: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


class Payload:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple:
        return (open, (self.marker, "w"))


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(argv)
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------- good files
def _wrapped(state: dict) -> bytes:
    return torch_bytes({"state_dict": {f"module.{k}": v for k, v in state.items()}, "epoch": 7})


GOOD = [  # file name, state dict, how it is written
    pytest.param("weights.safetensors", state_of, save_safetensors, id="safetensors-state-dict"),
    pytest.param("weights.pth", state_of, torch_bytes, id="pth-state-dict"),
    pytest.param("squeezenet1_1-ckpt.pt", state_of, _wrapped, id="pt-wrapped-checkpoint-module-prefix"),
    pytest.param("finetuned.pth", lambda: state_of(classes=3), torch_bytes, id="pth-other-head"),
]


@pytest.mark.parametrize(("name", "state_fn", "encode"), GOOD)
def test_good_weights_are_imported_and_used(tmp_path, capsys, name, state_fn, encode):
    source = tmp_path / name
    state = state_fn()
    source.write_bytes(encode(state))
    code, out, err = run_cli(["import-weights", str(source), "--backbone", BACKBONE, "--json"], capsys)
    assert code == 0, err
    summary = json.loads(out.splitlines()[-1])
    stored = Path(summary["stored"])
    assert summary["backbone"] == BACKBONE and stored.is_file()
    digest = hashlib.sha256(stored.read_bytes()).hexdigest()
    assert summary["sha256"] == digest == weights.pinned_sha256(stored)
    assert weights.imported_weights_path(BACKBONE) == stored
    backbone = registry.build_backbone(BACKBONE, pretrained=True)
    for key in ("features.0.weight", "features.12.expand3x3.bias"):
        assert torch.equal(backbone.state_dict()[key], state[key])


def test_plain_output_says_where_it_went(tmp_path, capsys):
    source = tmp_path / "w.safetensors"
    source.write_bytes(save_safetensors(state_of()))
    code, out, _ = run_cli(["import-weights", str(source), "--backbone", BACKBONE], capsys)
    assert code == 0 and f"Imported {source}" in out and "SHA-256" in out


# -------------------------------------------------------------------- bad files
def _payload_pickle(directory: Path) -> bytes:
    return pickle.dumps(Payload(directory / MARKER_NAME))


def _payload_in_torch_zip(directory: Path) -> bytes:
    return torch_bytes({"features.0.weight": torch.zeros(1), "x": Payload(directory / MARKER_NAME)})


def _payload_replacing_data_pkl(directory: Path) -> bytes:
    """A genuine torch zip whose data.pkl is swapped for a pickle that runs code."""
    original = zipfile.ZipFile(io.BytesIO(torch_bytes(state_of())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in original.infolist():
            body = original.read(item)
            if item.filename.endswith("data.pkl"):
                body = pickle.dumps(Payload(directory / MARKER_NAME), protocol=2)
            target.writestr(item, body)
    return out.getvalue()


def _truncated_safetensors(_d: Path) -> bytes:
    data = save_safetensors(state_of())
    return data[: len(data) // 2]


def _safetensors_header_only(_d: Path) -> bytes:
    data = save_safetensors(state_of())
    header = int.from_bytes(data[:8], "little")
    return data[: 8 + header]


def _safetensors_huge_header(_d: Path) -> bytes:
    return (2**62).to_bytes(8, "little") + b"{}"


def _safetensors_bad_json(_d: Path) -> bytes:
    return (10).to_bytes(8, "little") + b"{not json}"


def _wrong_shape(_d: Path) -> bytes:
    state = state_of()
    state["features.0.weight"] = torch.zeros(64, 3, 5, 5)
    return torch_bytes(state)


def _missing_keys(_d: Path) -> bytes:
    state = state_of()
    for key in list(state)[:4]:
        del state[key]
    return torch_bytes(state)


def _renamed_keys(_d: Path) -> bytes:
    return torch_bytes({f"backbone.{k}": v for k, v in state_of().items()})


def _other_architecture(_d: Path) -> bytes:
    return save_safetensors(state_of("mobilenet_v3_small"))


def _non_tensor_values(_d: Path) -> bytes:
    return torch_bytes({**state_of(), "note": "hello", "lr": 0.1})


def _tensor_not_dict(_d: Path) -> bytes:
    return torch_bytes(torch.zeros(3))


def _random_zip(_d: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("archive/data.pkl", b"garbage")
    return out.getvalue()


BAD: list = [
    pytest.param("evil.pth", _payload_pickle, id="pickle-reduce-payload-pth"),
    pytest.param("evil.bin", _payload_pickle, id="pickle-reduce-payload-bin"),
    pytest.param("evil.pt", _payload_in_torch_zip, id="torch-zip-with-payload-object"),
    pytest.param("evil2.pth", _payload_replacing_data_pkl, id="torch-zip-data-pkl-swapped"),
    pytest.param("evil.safetensors", _payload_pickle, id="pickle-named-safetensors"),
    pytest.param("cut.safetensors", _truncated_safetensors, id="truncated-safetensors"),
    pytest.param("head.safetensors", _safetensors_header_only, id="safetensors-header-without-data"),
    pytest.param("huge.safetensors", _safetensors_huge_header, id="safetensors-header-length-2e62"),
    pytest.param("json.safetensors", _safetensors_bad_json, id="safetensors-header-not-json"),
    pytest.param("cut.pth", lambda d: torch_bytes(state_of())[:5000], id="truncated-pth"),
    pytest.param("shape.pth", _wrong_shape, id="wrong-shape"),
    pytest.param("missing.pth", _missing_keys, id="missing-keys"),
    pytest.param("renamed.pth", _renamed_keys, id="wrong-key-names"),
    pytest.param("mobilenet.safetensors", _other_architecture, id="other-architecture"),
    pytest.param("extra.pth", _non_tensor_values, id="non-tensor-values"),
    pytest.param("tensor.pth", _tensor_not_dict, id="a-tensor-not-a-dict"),
    pytest.param("empty.pth", lambda d: b"", id="empty-pth"),
    pytest.param("empty.safetensors", lambda d: b"", id="empty-safetensors"),
    pytest.param("zip.pth", _random_zip, id="zip-that-is-not-torch"),
    pytest.param("text.pth", lambda d: b"<html>404 Not Found</html>", id="html-error-page"),
    pytest.param("model.onnx", lambda d: b"\x08\x07", id="wrong-suffix-onnx"),
    pytest.param("weights", lambda d: torch_bytes(state_of()), id="no-suffix"),
]


def _assert_refused(code: int, err: str, mentions: str, tmp_path: Path) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and mentions in lines[0], err
    assert "Traceback" not in err and "Nothing was imported" in err
    assert weights.imported_weights_path(BACKBONE) is None
    assert not (tmp_path / MARKER_NAME).exists(), "code inside the file ran"


@pytest.mark.parametrize(("name", "make"), BAD)
def test_bad_weights_are_refused_clearly(tmp_path, capsys, name, make):
    source = tmp_path / name
    source.write_bytes(make(tmp_path))
    code, _, err = run_cli(["import-weights", str(source), "--backbone", BACKBONE], capsys)
    _assert_refused(code, err, str(source), tmp_path)


def test_refusing_leaves_a_previous_import_in_place(tmp_path, capsys):
    good = tmp_path / "good.safetensors"
    good.write_bytes(save_safetensors(state_of()))
    assert run_cli(["import-weights", str(good), "--backbone", BACKBONE], capsys)[0] == 0
    stored = weights.imported_weights_path(BACKBONE)
    before = stored.read_bytes()
    bad = tmp_path / "bad.pth"
    bad.write_bytes(_wrong_shape(tmp_path))
    assert run_cli(["import-weights", str(bad), "--backbone", BACKBONE], capsys)[0] == 2
    assert weights.imported_weights_path(BACKBONE) == stored and stored.read_bytes() == before


@pytest.mark.parametrize("kind", ["folder", "folder-named-pth", "missing", "symlink-to-text"])
def test_not_a_weights_file_is_refused(tmp_path, capsys, kind):
    source = tmp_path / {"folder": "weights", "folder-named-pth": "weights.pth"}.get(kind, "weights.pth")
    if kind.startswith("folder"):
        source.mkdir()
    elif kind == "symlink-to-text":
        (tmp_path / "notes.txt").write_text("not weights")
        os.symlink(tmp_path / "notes.txt", source)
    code, _, err = run_cli(["import-weights", str(source), "--backbone", BACKBONE], capsys)
    assert code == 2 and err.startswith("error: ") and str(source) in err and "Traceback" not in err
    assert weights.imported_weights_path(BACKBONE) is None


def test_unknown_backbone_is_refused(tmp_path, capsys):
    source = tmp_path / "w.safetensors"
    source.write_bytes(save_safetensors(state_of()))
    code, _, err = run_cli(["import-weights", str(source), "--backbone", "resnet9000"], capsys)
    assert code == 2 and "resnet9000" in err and "Traceback" not in err


