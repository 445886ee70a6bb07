"""The pieces of Transfer Studio a distributed job needs, as plain code over torch, torchvision and timm.

Copied into every exported job folder (it imports nothing of the app). ``job.json`` says what to build:
the backbone (timm or torchvision), where its ImageNet head sits and what replaces it, its layer groups,
its preprocessing and its weights file; ``manifest.json`` lists every image with its content hash.
The run folder written here is the app's own format (config.json, run.json, history.json, best.pt,
last.pt, val_predictions.json), so the app imports it as a run of its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from PIL import Image, ImageOps
from torch import nn
from torch.nn import functional as F
from torchvision.transforms import v2

WHITE = (255, 255, 255)
CHANGED = "changed since the job was exported (its SHA-1 differs from {manifest}); put the original back "
CHANGED += "or export the job again"
GONE = "is missing (listed in {manifest}); copy the data folder next to the job or pass --data-root"


# ---- files -------------------------------------------------------------------------------------------


def read_json(path: Path) -> Any:
    """Read a JSON file."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file atomically: a temp file in the same folder, fsync, then replace."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically (NaN and infinities as null)."""
    write_bytes(path, json.dumps(_finite(obj), ensure_ascii=False, indent=1).encode("utf-8"))


def _finite(obj: Any) -> Any:
    if isinstance(obj, float) and (obj != obj or abs(obj) == float("inf")):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def now_iso() -> str:
    """Local time, ISO 8601, seconds precision."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def owner() -> dict[str, Any]:
    """The process writing the run (the app shows a run of another host as running until imported)."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "process_start": None}


# ---- the manifest ------------------------------------------------------------------------------------


def sha1_of(path: str) -> str:
    """SHA-1 of a file's bytes, read in chunks."""
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def image_path(data_root: Path, relative: str) -> str:
    """Where an image listed in the manifest lives on this machine."""
    return str(Path(relative) if Path(relative).is_absolute() else data_root / relative)


def manifest_problems(images: list[dict[str, Any]], data_root: Path, manifest: str) -> list[str]:
    """One line per image that is missing or whose content hash differs from the manifest."""
    problems = []
    for image in images:
        path = image_path(data_root, image["path"])
        try:
            same = os.path.getsize(path) == image["size"] and sha1_of(path) == image["sha1"]
        except OSError:
            problems.append(f"{path}: {GONE.format(manifest=manifest)}")
            continue
        if not same:
            problems.append(f"{path}: {CHANGED.format(manifest=manifest)}")
    return problems


# ---- images and transforms ---------------------------------------------------------------------------


def load_rgb(path: str) -> torch.Tensor:
    """Decode an image upright (EXIF), as 8-bit RGB on white, into a ``3xHxW`` uint8 tensor."""
    with Image.open(path) as img:
        img.load()
        with contextlib.suppress(OSError, ValueError, SyntaxError, KeyError, TypeError):
            img = ImageOps.exif_transpose(img)  # an unreadable EXIF block keeps the pixels as stored
        if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (img.mode == "P" and "transparency" in img.info):
            rgba = img.convert("RGBA")
            img = Image.alpha_composite(Image.new("RGBA", rgba.size, (*WHITE, 255)), rgba)
        rgb = img.convert("RGB")
    pixels = torch.frombuffer(bytearray(rgb.tobytes()), dtype=torch.uint8)
    return pixels.view(rgb.height, rgb.width, 3).permute(2, 0, 1)


class EvalTransform:
    """Resize the shorter side (antialiased), center crop, normalise: as the app evaluates and exports."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.resize, self.crop = int(spec["resize_size"]), int(spec["input_size"])
        self.mode = spec["interpolation"]
        self.mean = torch.tensor(spec["mean"]).view(1, 3, 1, 1) * 255.0
        self.std = torch.tensor(spec["std"]).view(1, 3, 1, 1) * 255.0

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        """Preprocess one ``uint8`` CHW image."""
        height, width = int(image.shape[-2]), int(image.shape[-1])
        if height <= width:
            new_h, new_w = self.resize, max(1, int(self.resize * width / height))
        else:
            new_h, new_w = max(1, int(self.resize * height / width)), self.resize
        with torch.no_grad():
            size = (new_h, new_w)
            x = F.interpolate(image[None], size=size, mode=self.mode, align_corners=False, antialias=True)
            if x.dtype != torch.uint8:
                x = x.clamp(0.0, 255.0)
            top, left = round((new_h - self.crop) / 2.0), round((new_w - self.crop) / 2.0)
            x = x[..., top : top + self.crop, left : left + self.crop]
            return ((x.float() - self.mean) / self.std)[0]


def train_transform(spec: dict[str, Any], augment: str) -> Any:
    """The training transform of an augmentation preset (``none``, ``light``, ``strong``)."""
    if augment == "none":
        return EvalTransform(spec)
    modes = v2.InterpolationMode
    interp = modes.BICUBIC if spec["interpolation"] == "bicubic" else modes.BILINEAR
    scale = (0.6, 1.0) if augment == "light" else (0.25, 1.0)
    steps: list[Any] = [
        v2.RandomResizedCrop(int(spec["input_size"]), scale=scale, interpolation=interp, antialias=True),
        v2.RandomHorizontalFlip(),
    ]
    if augment == "strong":
        steps.append(v2.TrivialAugmentWide(interpolation=v2.InterpolationMode.BILINEAR))
    steps += [v2.ToDtype(torch.float32, scale=True), v2.Normalize(spec["mean"], spec["std"])]
    if augment == "strong":
        steps.append(v2.RandomErasing(p=0.25))
    return v2.Compose(steps)


class Images(torch.utils.data.Dataset):
    """``(image, label, row)`` per sample; an unreadable file gives ``(None, path, reason)``."""

    def __init__(self, samples: list[tuple[str, int]], transform: Any) -> None:
        self.samples, self.transform = samples, transform

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, row: int) -> tuple[Any, Any, Any]:
        path, label = self.samples[row]
        try:
            image = load_rgb(path)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            return None, path, f"cannot be read ({exc})"
        return self.transform(image), label, row


def collate(items: list[tuple[Any, Any, Any]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, list[Any]]:
    """Stack the readable items; return the unreadable ones as ``(path, reason)``."""
    good = [item for item in items if item[0] is not None]
    bad = [(item[1], item[2]) for item in items if item[0] is None]
    if not good:
        empty = torch.empty(0, dtype=torch.long)
        return torch.empty(0), empty, empty.clone(), bad
    images = torch.stack([item[0] for item in good])
    labels = torch.tensor([item[1] for item in good], dtype=torch.long)
    return images, labels, torch.tensor([item[2] for item in good], dtype=torch.long), bad


# ---- training ---------------------------------------------------------------------------------------


def class_weights(labels: list[int], n: int) -> torch.Tensor | None:
    """Inverse-frequency weights (mean 1) when classes are imbalanced by more than 1.5x."""
    counts = torch.bincount(torch.tensor(labels, dtype=torch.long), minlength=n).double()
    present = counts[counts > 0]
    if len(present) == 0 or present.max() <= 1.5 * present.min():
        return None
    weights = torch.where(counts > 0, counts.sum() / counts.clamp(min=1) / n, torch.zeros_like(counts))
    return (weights / weights[counts > 0].mean()).float()


def val_metrics(
    probs: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor | None
) -> tuple[float, float]:
    """Mean (class-weighted) cross-entropy and accuracy, as the app computes them."""
    if not len(labels):
        return float("nan"), 0.0
    w = torch.ones(len(labels), dtype=torch.float64) if weights is None else weights.double()[labels]
    per = -torch.log(probs.double()[torch.arange(len(labels)), labels].clamp(1e-12, 1.0))
    return float((w * per).sum() / w.sum()), float((probs.argmax(1) == labels).double().mean())


@dataclass
class Progress:
    """The best epoch by validation accuracy, and early stopping on validation loss."""

    patience: int
    best_acc: float = 0.0
    best_epoch: int = 0
    stale: int = 0
    best_loss: float = math.inf
    loss_epoch: int = 0
    stale_loss: int = 0

    def update(self, epoch: int, val_acc: float, val_loss: float) -> bool:
        """Record an epoch; True when its weights are the best so far."""
        improved = val_acc > self.best_acc or self.best_epoch < 1
        if improved:
            self.best_acc, self.best_epoch, self.stale = val_acc, epoch, 0
        else:
            self.stale += 1
        if math.isfinite(val_loss) and val_loss < self.best_loss - 1e-4:
            self.best_loss, self.loss_epoch, self.stale_loss = val_loss, epoch, 0
        elif math.isfinite(val_loss):
            self.stale_loss += 1
        return improved

    @property
    def should_stop(self) -> bool:
        """Whether validation loss stopped improving for ``patience`` epochs."""
        return self.patience > 0 and self.stale_loss >= self.patience

    @property
    def reason(self) -> str:
        """Why the run stopped, in the app's words."""
        return (f"validation loss did not improve for {self.stale_loss} epochs "
                f"(lowest {self.best_loss:.4f} at epoch {self.loss_epoch})")


# ---- the network -------------------------------------------------------------------------------------


class TransferModel(nn.Module):
    """The app's network: backbones whose features are concatenated, then a dropout + linear head."""

    def __init__(self, backbones: list[nn.Module], feature_dims: list[int], num_classes: int) -> None:
        super().__init__()
        self.backbones = nn.ModuleList(backbones)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(int(sum(feature_dims)), num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits."""
        feats = [backbone(x).flatten(1) for backbone in self.backbones]
        return self.head(feats[0] if len(feats) == 1 else torch.cat(feats, dim=1))


def build_backbone(spec: dict[str, Any], job_dir: Path) -> nn.Module:
    """The feature extractor ``job.json`` describes, with the weights file carried by the job."""
    if spec["builder"] == "timm":
        import timm

        model = timm.create_model(spec["arch"], pretrained=False, **spec["kwargs"])
    else:
        from torchvision.models import get_model

        model = get_model(spec["arch"], weights=None, **spec["kwargs"])
    replacement = nn.AdaptiveAvgPool2d(1) if spec["replacement"] == "avgpool" else nn.Identity()
    model.set_submodule(spec["head"], replacement)
    if spec.get("weights"):
        path = job_dir / spec["weights"]
        state = torch.load(path, map_location="cpu", weights_only=True)
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()[0]
            what = f"{spec['arch']} as built by this timm/torchvision"
            raise SystemExit(f"{path}: the weights do not fit {what} ({first})") from exc
    return model


def group_modules(backbone: nn.Module, groups: list[list[Any]]) -> list[list[Any]]:
    """The modules and parameters of each layer group, from input to output."""
    resolved = []
    for _name, paths in groups:
        members = []
        for path in paths:
            try:
                members.append(backbone.get_submodule(path))
            except AttributeError:
                members.append(backbone.get_parameter(path))
        resolved.append(members)
    return resolved


def parameters_of(members: list[Any]) -> list[nn.Parameter]:
    """Every parameter of a group's modules and parameters."""
    params: list[nn.Parameter] = []
    for member in members:
        params.extend([member] if isinstance(member, nn.Parameter) else list(member.parameters()))
    return params


def checkpoint_bytes(
    model: TransferModel, frozen: list[bool], epoch: int, val_acc: float, training: Any
) -> bytes:
    """``best.pt``/``last.pt`` as the app writes them: the head and every backbone that changed."""
    state: dict[str, Any] = {
        "format": 2,
        "epoch": epoch,
        "val_acc": val_acc,
        "head": {k: v.detach().cpu() for k, v in model.head.state_dict().items()},
        "backbones": [
            None if fixed else {k: v.detach().cpu() for k, v in backbone.state_dict().items()}
            for backbone, fixed in zip(model.backbones, frozen, strict=True)
        ],
    }
    if training is not None:
        state["training"] = training
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def json_bytes(obj: Any) -> bytes:
    """JSON text as UTF-8 bytes (NaN and infinities as null)."""
    return json.dumps(_finite(obj), ensure_ascii=False).encode("utf-8")
