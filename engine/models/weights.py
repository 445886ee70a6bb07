"""Pretrained weight files: where they live, how they are downloaded, verified and loaded.

The transfer itself (timeouts, streamed hashing, atomic write) is :mod:`engine.models.weights_http`.

Files live in the standard torch hub cache (``torch.hub.get_dir()/checkpoints``), so weights that
torchvision already downloaded are reused. Every load re-checks the file's **full** SHA-256 against
a pinned value, then deserialises the very bytes that were hashed (no window for a swap between
check and load) with ``torch.load(..., weights_only=True)`` or safetensors. There is no fallback to
``weights_only=False``.

Where the pinned hash comes from:

* ``KNOWN_SHA256`` (file name -> full hex digest), shipped with the app. It holds the bundled
  EfficientNet-Lite0/1/2 files (pinned in :mod:`engine.models.lite`); torchvision's files are not
  listed because their full digests could not be confirmed when this table was written (pin them
  here once confirmed).
* Otherwise trust-on-first-use: torchvision names its files ``<name>-<sha256 prefix>.pth``. The first
  time a file is downloaded (or found in the cache, downloaded earlier by torchvision) its full
  SHA-256 must start with that prefix; the full digest is then recorded in the pin file
  ``transfer_studio_sha256.json`` beside the files and every later load must match it exactly.
  A prefix of 8 hex digits is a weaker guarantee than a full pin: it protects against corruption and
  accidental mix-ups, not against a deliberate collision.
* Files the user imports (:func:`engine.models.registry.import_weights`) are pinned when they are
  copied in (:func:`store_imported`).

A cached file that fails its check is moved aside (``*.corrupt``) and downloaded again; with no
network the user gets a :class:`~engine.errors.WeightsError` that offers the offline choices.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import torch

from engine.atomic import write_bytes, write_json
from engine.errors import WeightsError
from engine.models.lite import BUNDLED_SHA256, LITE_VARIANTS, bundled_file
from engine.models.state_dicts import StateDict, deserialize_state_dict, read_bytes
from engine.models.weights_http import CHUNK_BYTES, fetch_verified
from engine.progress import Progress

KNOWN_SHA256: dict[str, str] = dict(BUNDLED_SHA256)

PACKAGE_PREFIX = "package:"
LITE0_PACKAGE_ID = LITE_VARIANTS["efficientnet_lite0"].weights_id
PIN_FILE = "transfer_studio_sha256.json"
IMPORTED_DIR = "transfer_studio_imported"
MIRROR_ENV = "TRANSFER_STUDIO_WEIGHTS_MIRROR"
WEIGHT_SUFFIXES = (".pth", ".pt", ".bin", ".safetensors")
OFFLINE_CHOICES = (
    "Use efficientnet_lite0, efficientnet_lite1 or efficientnet_lite2 (bundled, they work offline), "
    "import a .pth/.safetensors file you have, or train from scratch."
)

_PREFIX_RE = re.compile(r"-([0-9a-f]{8,64})\.[A-Za-z]+$")
_pin_lock = threading.Lock()
_verified: dict[tuple[str, int, int, str], bool] = {}


def weights_dir() -> Path:
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
    return weights_dir() / _url_filename(str(torchvision_weights(weights_id).url))


def imported_weights_path(name: str) -> Path | None:
    """Return the weights file the user imported for backbone ``name``, or None if there is none."""
    for suffix in (".safetensors", ".pth"):
        candidate = weights_dir() / IMPORTED_DIR / f"{name}{suffix}"
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
        write_json(weights_dir() / PIN_FILE, dict(sorted(pins.items())))


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
        progress: Reports bytes received of the total (0 when unknown).

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
    data = read_bytes(source)
    expected = expected_sha256 or pinned_sha256(source)
    if expected:
        _check_digest(source, hashlib.sha256(data).hexdigest(), expected)
    return deserialize_state_dict(data, source)


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


def read_weights_file(source: Path) -> bytes:
    """Read a user's weights file whole, after checking its suffix.

    Raises:
        WeightsError: If the suffix is not one of ``WEIGHT_SUFFIXES`` or the file cannot be read.
    """
    if source.suffix.lower() not in WEIGHT_SUFFIXES:
        raise WeightsError(f"{source}: expected one of {', '.join(WEIGHT_SUFFIXES)}.")
    return read_bytes(source)


def store_imported(name: str, data: bytes, source: Path) -> Path:
    """Store an already validated weights file for backbone ``name`` in the cache and pin it.

    The copy is ``<weights_dir>/transfer_studio_imported/<name>.pth|.safetensors``; a previous
    import for ``name`` with the other suffix is removed. Validation against the architecture is
    :func:`engine.models.registry.import_weights`, which calls this.

    Returns:
        The path of the stored copy.
    """
    suffix = ".safetensors" if source.suffix.lower() == ".safetensors" else ".pth"
    dest = weights_dir() / IMPORTED_DIR / f"{name}{suffix}"
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
        return resolved.relative_to(weights_dir().resolve()).as_posix()
    except ValueError:
        return str(resolved)


def _read_pins() -> dict[str, str]:
    """Read the pin file; a missing or unreadable pin file counts as empty."""
    try:
        pins = json.loads((weights_dir() / PIN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in pins.items()} if isinstance(pins, dict) else {}


def _check_digest(path: Path, actual: str, expected: str) -> None:
    """Raise if a file's full SHA-256 differs from the pinned one."""
    if actual != expected.lower():
        raise WeightsError(
            f"Weights file {path} does not match its pinned SHA-256 (expected {expected[:16]}…, "
            f"found {actual[:16]}…): it is corrupt or was modified. Delete it so it is downloaded "
            "again, or import the file again."
        )


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
    """Return the weights file shipped inside a Python package (see :mod:`engine.models.lite`)."""
    return bundled_file(weights_id)


def _verified_package_file(weights_id: str) -> Path:
    """Return the bundled file after checking its pinned full SHA-256."""
    path = _package_file(weights_id)
    if not path.is_file():
        raise WeightsError(f"The bundled weights file {path} is missing; reinstall the app.")
    if not _verify_cached(path):
        package = weights_id.removeprefix(PACKAGE_PREFIX)
        raise WeightsError(
            f"The bundled weights file {path} does not match its pinned SHA-256: it is damaged or "
            f"was replaced. Reinstall the app (or the {package} package)."
        )
    return path
