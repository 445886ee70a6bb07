"""Bad and unusual image files: each gets a clear error naming the file, or the correct pixels.

Each case builds one file (generated here, nothing committed) and decodes it the way scanning,
training and prediction do (``probe_image`` then ``load_rgb_array``). The case id ends in
``-error`` (an :class:`ImageError` naming the file and the reason, nothing else) or ``-correct``
(the decoded picture checked by pixel statistics, not only "no exception"). The last test puts
every case in one dataset folder and checks that the scan skips exactly the bad ones.
"""

from __future__ import annotations

import io
import os
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine import imaging
from engine.data.scan import scan_dataset
from engine.errors import ImageError
from engine.imaging import is_image_candidate, load_rgb_array, probe_image

RNG = np.random.default_rng(0)
PHOTO = RNG.integers(0, 255, (48, 64, 3), dtype=np.uint8)
Check = Callable[[np.ndarray], None]


def _jpeg_bytes(arr: np.ndarray = PHOTO, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=95, **kwargs)
    return buf.getvalue()


def _png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _png_with_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` (a decompression bomb)."""
    data = bytearray(_png_bytes(Image.new("L", (8, 8))))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def _smooth(shape: tuple[int, int] = (48, 64)) -> np.ndarray:
    """A smooth colour gradient (lossy codecs keep it close)."""
    h, w = shape
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // w, y * 255 // h, np.full_like(x, 128)], axis=2).astype(np.uint8)


def _close_to(reference: np.ndarray, tolerance: float) -> Check:
    def check(rgb: np.ndarray) -> None:
        assert rgb.shape == reference.shape
        assert np.abs(rgb.astype(int) - reference.astype(int)).mean() <= tolerance

    return check


def _rgb_shape(h: int, w: int) -> Check:
    def check(rgb: np.ndarray) -> None:
        assert rgb.shape == (h, w, 3) and rgb.dtype == np.uint8

    return check


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --------------------------------------------------------------- files that must fail clearly
def zero_byte(folder: Path) -> Path:
    return _write(folder / "empty.jpg", b"")


def truncated_jpeg(folder: Path) -> Path:
    data = _jpeg_bytes()
    return _write(folder / "half.jpg", data[: len(data) // 2])


def jpeg_without_end_marker(folder: Path) -> Path:
    return _write(folder / "no_eoi.jpg", _jpeg_bytes()[:-200])


def truncated_png(folder: Path) -> Path:
    data = _png_bytes(Image.fromarray(PHOTO))
    return _write(folder / "half.png", data[: len(data) // 2])


def html_error_page(folder: Path) -> Path:
    return _write(folder / "download.jpg", b"<!doctype html><title>404 Not Found</title>")


def random_bytes(folder: Path) -> Path:
    return _write(folder / "noise.png", RNG.integers(0, 255, 4096, dtype=np.uint8).tobytes())


def bomb_below_twice_the_cap(folder: Path) -> Path:
    return _write(folder / "bomb_10k.png", _png_with_size(10_000, 10_000))


def bomb_above_twice_the_cap(folder: Path) -> Path:
    return _write(folder / "bomb_40k.png", _png_with_size(40_000, 40_000))


def one_pixel(folder: Path) -> Path:
    return _write(folder / "dot.png", _png_bytes(Image.new("RGB", (1, 1))))


def dangling_link(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "moved.jpg"
    os.symlink(folder / "nowhere.jpg", link)
    return link


def heic_without_decoder(folder: Path) -> Path:
    """A real HEIC file while HEIF decoding is unavailable (the decoder is switched off by the test)."""
    return heic_photo(folder, "no_decoder.heic")


ERROR_CASES = {
    "zero_byte": zero_byte,
    "truncated_jpeg": truncated_jpeg,
    "jpeg_without_end_marker": jpeg_without_end_marker,
    "truncated_png": truncated_png,
    "html_page_named_jpg": html_error_page,
    "random_bytes": random_bytes,
    "bomb_10000x10000": bomb_below_twice_the_cap,
    "bomb_40000x40000": bomb_above_twice_the_cap,
    "one_pixel": one_pixel,
    "deleted_file_dangling_link": dangling_link,
    "heic_without_decoder": heic_without_decoder,
}


# ------------------------------------------------------------ files that must decode correctly
def jpeg_named_png(folder: Path) -> tuple[Path, Check]:
    return _write(folder / "really_jpeg.png", _jpeg_bytes(_smooth())), _close_to(_smooth(), 4)


def cmyk_jpeg(folder: Path) -> tuple[Path, Check]:
    path = folder / "cmyk.jpg"
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(_smooth()).convert("CMYK").save(path, quality=95)
    return path, _close_to(_smooth(), 8)


def palette_with_transparency(folder: Path) -> tuple[Path, Check]:
    img = Image.new("P", (16, 16), 0)
    img.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    img.paste(1, (8, 0, 16, 16))
    img.info["transparency"] = 0
    path = _write(folder / "palette.png", _png_bytes(img))

    def check(rgb: np.ndarray) -> None:
        assert (rgb[:, :8] == imaging.BACKGROUND).all() and (rgb[:, 8:] == (0, 0, 255)).all()

    return path, check


def rgba_transparent(folder: Path) -> tuple[Path, Check]:
    arr = np.zeros((16, 16, 4), np.uint8)
    arr[:, :, 1] = 200
    arr[:, 8:, 3] = 255
    path = _write(folder / "rgba.png", _png_bytes(Image.fromarray(arr, "RGBA")))

    def check(rgb: np.ndarray) -> None:
        assert (rgb[:, :8] == imaging.BACKGROUND).all() and (rgb[:, 8:] == (0, 200, 0)).all()

    return path, check


def grey_with_alpha(folder: Path) -> tuple[Path, Check]:
    return _write(folder / "la.png", _png_bytes(Image.new("LA", (12, 10), (90, 255)))), _rgb_shape(10, 12)


def one_bit(folder: Path) -> tuple[Path, Check]:
    return _write(folder / "bits.png", _png_bytes(Image.new("1", (12, 10), 1))), _rgb_shape(10, 12)


def sixteen_bit_ramp(folder: Path) -> tuple[Path, Check]:
    ramp = np.tile(np.linspace(0, 65535, 512).astype(np.uint16), (8, 1))
    path = _write(folder / "ramp16.png", _png_bytes(Image.fromarray(ramp)))

    def check(rgb: np.ndarray) -> None:
        assert len(np.unique(rgb[..., 0])) >= 250 and (rgb == 255).mean() < 0.01

    return path, check


def float_tiff(folder: Path) -> tuple[Path, Check]:
    path = folder / "float.tif"
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.tile(np.linspace(0, 1, 64, dtype=np.float32), (8, 1)), "F").save(path)

    def check(rgb: np.ndarray) -> None:
        assert rgb.max() >= 250 and rgb.min() <= 5

    return path, check


def exif_rotated(folder: Path) -> tuple[Path, Check]:
    arr = np.zeros((20, 40, 3), np.uint8)
    arr[:5, :5] = 255  # a white mark in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    path = _write(folder / "rotated.jpg", _jpeg_bytes(arr, exif=exif.tobytes()))

    def check(rgb: np.ndarray) -> None:
        assert rgb.shape == (40, 20, 3)  # upright: portrait
        assert rgb[:5, -5:].mean() > 200 and rgb[-5:, :5].mean() < 50  # the mark is top-right

    return path, check


def animated_gif(folder: Path) -> tuple[Path, Check]:
    path = folder / "anim.gif"
    folder.mkdir(parents=True, exist_ok=True)
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(path, save_all=True, append_images=frames[1:])

    def check(rgb: np.ndarray) -> None:
        assert rgb[..., 0].mean() > 200 and rgb[..., 2].mean() < 50  # frame 0 (red)

    return path, check


def non_utf8_name(folder: Path) -> tuple[Path, Check]:
    folder.mkdir(parents=True, exist_ok=True)
    raw = os.path.join(os.fsencode(folder), b"caf\xe9.png")
    with open(raw, "wb") as handle:
        handle.write(_png_bytes(Image.fromarray(PHOTO)))
    return Path(os.fsdecode(raw)), _close_to(PHOTO, 0)


def unicode_and_long_name(folder: Path) -> tuple[Path, Check]:
    name = "猫 café 🐱 שלום " + "x" * 200 + ".png"
    return _write(folder / name, _png_bytes(Image.fromarray(PHOTO))), _close_to(PHOTO, 0)


def heic_photo(folder: Path, name: str = "photo.heic") -> Path:
    pillow_heif = pytest.importorskip("pillow_heif")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    pillow_heif.from_pillow(Image.fromarray(_smooth())).save(path, quality=95)
    return path


def heic(folder: Path) -> tuple[Path, Check]:
    return heic_photo(folder), _close_to(_smooth(), 8)


def avif(folder: Path) -> tuple[Path, Check]:
    from PIL import features

    if not features.check("avif"):
        pytest.skip("this Pillow cannot write AVIF")
    path = folder / "photo.avif"
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(_smooth()).save(path, quality=95)
    return path, _close_to(_smooth(), 8)


CORRECT_CASES = {
    "jpeg_named_png": jpeg_named_png,
    "cmyk_jpeg": cmyk_jpeg,
    "palette_transparency": palette_with_transparency,
    "rgba_transparent": rgba_transparent,
    "grey_alpha_LA": grey_with_alpha,
    "one_bit_mode_1": one_bit,
    "sixteen_bit_ramp": sixteen_bit_ramp,
    "float32_tiff": float_tiff,
    "exif_orientation_6": exif_rotated,
    "animated_gif_first_frame": animated_gif,
    "non_utf8_name": non_utf8_name,
    "unicode_long_name": unicode_and_long_name,
    "heic": heic,
    "avif": avif,
}


def _without_heif(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend pillow-heif is not installed."""
    monkeypatch.setattr(imaging, "ALLOWED_FORMATS", tuple(f for f in imaging.ALLOWED_FORMATS if f != "HEIF"))


@pytest.mark.parametrize("make", ERROR_CASES.values(), ids=[f"{k}-error" for k in ERROR_CASES])
def test_bad_image_gives_a_clear_error_naming_the_file(make, tmp_path, monkeypatch):
    path = make(tmp_path)
    if make is heic_without_decoder:
        _without_heif(monkeypatch)
    for decode in (probe_image, load_rgb_array):
        with pytest.raises(ImageError) as caught:
            decode(path)
        assert caught.value.path == str(path) and len(caught.value.reason) > 10
    if make is heic_without_decoder:
        assert "pillow-heif" in caught.value.reason


@pytest.mark.parametrize("make", CORRECT_CASES.values(), ids=[f"{k}-correct" for k in CORRECT_CASES])
def test_unusual_image_decodes_correctly(make, tmp_path):
    path, check = make(tmp_path)
    assert is_image_candidate(path)
    probe_image(path)
    check(load_rgb_array(path))


def test_bombs_are_refused_quickly(tmp_path):
    import time

    path = bomb_below_twice_the_cap(tmp_path)
    start = time.perf_counter()
    with pytest.raises(ImageError, match="too large"):
        load_rgb_array(path)
    assert time.perf_counter() - start < 0.1


def test_os_clutter_is_never_an_image(tmp_path):
    for name in ("._photo.jpg", ".hidden.png", "Thumbs.db", "desktop.ini", ".DS_Store", "notes.txt"):
        assert not is_image_candidate(_write(tmp_path / name, _jpeg_bytes()))


@pytest.mark.skipif(sys.platform != "linux", reason="byte file names are a Linux matter")
def test_scan_skips_exactly_the_bad_files_among_good_ones(tmp_path):
    data = tmp_path / "data"
    for i in range(3):
        _write(data / "b" / f"good_{i}.png", _png_bytes(Image.fromarray(PHOTO)))
    bad = {str(make(data / "a")) for make in ERROR_CASES.values() if make is not heic_without_decoder}
    good = {str(make(data / "a")[0]) for make in CORRECT_CASES.values() if make not in (heic, avif)}
    index = scan_dataset(data)
    assert {s.path for s in index.skipped} == bad  # precision and recall 1.0
    assert good <= {s.path for s in index.samples}
