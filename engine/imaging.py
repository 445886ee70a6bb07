"""Robust image decoding shared by scanning, training, thumbnails and prediction.

Imports neither torch nor Qt, so the predictor and the GUI's thumbnail workers can use it.
Every failure becomes an :class:`~engine.errors.ImageError` that names the file and the reason;
nothing is decoded silently into a wrong picture (16-bit, float, alpha and CMYK are handled).
HEIC/HEIF photos decode through pillow-heif and AVIF through Pillow when available; otherwise each
such file is reported with the reason (the decoder to install), never dropped silently.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from engine.errors import ImageError

# Formats that need a decoder Pillow may lack: extension -> (Pillow format, what to install)
OPTIONAL_FORMATS = {
    ".heic": ("HEIF", "the pillow-heif package"),
    ".heif": ("HEIF", "the pillow-heif package"),
    ".hif": ("HEIF", "the pillow-heif package"),
    ".avif": ("AVIF", "Pillow 11.2 or newer built with AVIF support"),
    ".avifs": ("AVIF", "Pillow 11.2 or newer built with AVIF support"),
}
IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm",
     ".pgm", ".pbm", *OPTIONAL_FORMATS}
)


def _register_heif() -> None:
    """Let Pillow open HEIC/HEIF photos through pillow-heif, when it is installed."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return
    register_heif_opener()


Image.init()
_register_heif()
ALLOWED_FORMATS = tuple(
    f for f in ("JPEG", "MPO", "PNG", "BMP", "GIF", "TIFF", "WEBP", "PPM", "HEIF", "AVIF") if f in Image.OPEN
)
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
MAX_PIXELS = 89_478_485  # Pillow's own default cap; above it a file is refused, not warned about
MIN_SIDE = 4
BACKGROUND = (255, 255, 255)  # transparent pixels are composited on white

# Never load truncated files as grey-padded garbage (reliability plan, lesson 3).
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True)
class ImageInfo:
    """What a quick probe learns about a readable image."""

    width: int
    height: int
    format: str
    mode: str


def is_image_candidate(path: Path) -> bool:
    """Tell whether a directory entry should be treated as an image by its name alone.

    Hidden files, AppleDouble ``._*`` files and OS clutter are ignored; extensions are
    matched case-insensitively.
    """
    name = path.name
    if name.startswith(".") or name.lower() in IGNORED_NAMES:
        return False
    return path.suffix.lower() in IMAGE_EXTENSIONS


def _open(path: Path) -> Image.Image:
    """Open ``path`` lazily with the format allow-list and the pixel cap as hard errors."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ImageError(path, "file not found (moved or deleted?)") from exc
    except OSError as exc:
        raise ImageError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if size == 0:
        raise ImageError(path, "empty file (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path, formats=ALLOWED_FORMATS)
    except UnidentifiedImageError as exc:
        raise ImageError(path, _unidentified_reason(path)) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(path, "image is too large (possible decompression bomb)") from exc
    except PermissionError as exc:
        raise ImageError(path, "permission denied") from exc
    except OSError as exc:
        raise ImageError(path, f"cannot open image: {exc}") from exc
    width, height = img.size
    if width * height > MAX_PIXELS:
        img.close()
        raise ImageError(
            path, f"image is too large ({width}x{height} pixels; the limit is {MAX_PIXELS:,})"
        )
    if min(width, height) < MIN_SIDE:
        img.close()
        raise ImageError(path, f"image is too small ({width}x{height}; at least {MIN_SIDE} px)")
    return img


def _unidentified_reason(path: Path) -> str:
    """Why Pillow could not identify ``path``: a missing decoder for its format, or not an image."""
    needs = OPTIONAL_FORMATS.get(path.suffix.lower())
    if needs and needs[0] not in ALLOWED_FORMATS:
        return f"{needs[0]} images cannot be decoded here; install {needs[1]} or convert the file to JPEG"
    return "not an image, or a format that is not supported"


def _load(img: Image.Image, path: Path) -> None:
    """Force the real decode, turning Pillow's many failure types into ImageError."""
    try:
        img.seek(0)
        img.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(path, f"truncated or damaged image data ({exc})") from exc


def probe_image(path: str | Path) -> ImageInfo:
    """Check that ``path`` really decodes, cheaply (JPEGs are decoded at reduced scale).

    ``Image.verify()`` passes truncated JPEGs, so this does a real reduced decode instead.

    Raises:
        ImageError: If the file would fail to load.
    """
    path = Path(path)
    img = _open(path)
    with img:
        info = ImageInfo(img.size[0], img.size[1], img.format or "?", img.mode)
        if img.format in ("JPEG", "MPO"):
            img.draft("RGB", (64, 64))
        _load(img, path)
    return info


def _high_depth_to_l(img: Image.Image) -> Image.Image:
    """Convert 16-bit, 32-bit integer and float grayscale to 8-bit ``L``, scaled, not clipped."""
    arr = np.asarray(img)
    if img.mode == "F":
        arr = np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        lo, hi = float(arr.min()), float(arr.max())
        if lo >= 0.0 and hi <= 1.0:
            scaled = arr * 255.0
        elif hi > lo:
            scaled = (arr - lo) * (255.0 / (hi - lo))
        else:
            scaled = np.zeros_like(arr)
    else:
        arr = arr.astype(np.float64)
        hi = float(arr.max()) if arr.size else 0.0
        scaled = arr / 257.0 if (img.mode.startswith("I;16") or hi > 255.0) else arr
    return Image.fromarray(np.clip(np.round(scaled), 0, 255).astype(np.uint8), mode="L")


def _to_rgb(img: Image.Image) -> Image.Image:
    """Turn any decoded mode into correct 8-bit RGB."""
    if img.mode in ("I", "F") or img.mode.startswith("I;16"):
        img = _high_depth_to_l(img)
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        img.mode == "P" and "transparency" in img.info
    )
    if has_alpha:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*BACKGROUND, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img if img.mode == "RGB" else img.convert("RGB")


def _draft_down(img: Image.Image, min_side: int) -> None:
    """Let a JPEG decode at 1/2, 1/4 or 1/8 scale (in the DCT domain), its shorter side kept >= ``min_side``.

    Only a photo at least twice ``min_side`` on its shorter side gains anything; any other image is
    left alone. The caller's own resize still brings the image to its exact size.
    """
    if img.format in ("JPEG", "MPO") and min(img.size) >= 2 * min_side:
        img.draft(None, (min_side, min_side))


def load_rgb(path: str | Path, min_side: int | None = None) -> Image.Image:
    """Decode ``path`` into an upright 8-bit RGB image.

    EXIF orientation is applied; palette, grayscale, CMYK, 16-bit and float images are
    converted correctly; transparency is composited on white; animations give frame 0.

    Args:
        path: The image file.
        min_side: When given, a large JPEG may be decoded at reduced scale, its shorter side
            still at least ``min_side`` (for a caller that resizes it down to that anyway).

    Raises:
        ImageError: If the file is missing, empty, truncated, not an image, a format outside
            the allow-list, or larger than :data:`MAX_PIXELS`.
    """
    path = Path(path)
    img = _open(path)
    with img:
        if min_side:
            _draft_down(img, min_side)
        _load(img, path)
        try:
            upright = ImageOps.exif_transpose(img)
        except (OSError, ValueError, SyntaxError, KeyError, TypeError):
            upright = img  # unreadable EXIF block: keep the pixels as stored
        try:
            return _to_rgb(upright)
        except (OSError, ValueError) as exc:
            raise ImageError(path, f"cannot convert image mode {img.mode!r} to RGB ({exc})") from exc


def load_rgb_array(path: str | Path, min_side: int | None = None) -> np.ndarray:
    """Decode ``path`` like :func:`load_rgb` and return an ``HxWx3`` ``uint8`` array."""
    # a writable copy: torch wraps it without warnings
    return np.array(load_rgb(path, min_side), dtype=np.uint8)


def try_load_rgb_array(path: str | Path) -> np.ndarray | ImageError:
    """:func:`load_rgb_array`, with a file that cannot be decoded returned as its error."""
    try:
        return load_rgb_array(path)
    except ImageError as exc:
        return exc


def load_rgb_arrays(paths: Sequence[str], workers: int = 2) -> Iterator[tuple[str, np.ndarray | ImageError]]:
    """Decode ``paths`` in a small thread pool, yielding ``(path, array or error)`` in order.

    The pool runs ahead of the consumer, so decoding overlaps whatever is done with each image.
    """
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ts-decode") as pool:
        yield from zip(paths, pool.map(try_load_rgb_array, paths), strict=True)
