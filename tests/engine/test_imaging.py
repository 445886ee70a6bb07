import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.errors import ImageError
from engine.imaging import is_image_candidate, load_rgb_array, probe_image


def _jpeg_bytes(size=(64, 48), color=(200, 100, 50)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG", quality=95)
    return buf.getvalue()


def test_candidates_ignore_hidden_and_clutter():
    assert is_image_candidate(Path("a/B.JPG"))
    assert is_image_candidate(Path("x.Png"))
    assert not is_image_candidate(Path("._x.jpg"))
    assert not is_image_candidate(Path(".hidden.png"))
    assert not is_image_candidate(Path("Thumbs.db"))
    assert not is_image_candidate(Path("notes.txt"))


@pytest.mark.parametrize(
    ("payload", "reason"),
    [(b"", "empty file"), (b"<html>404</html>", "not an image")],
)
def test_bad_files_are_named_with_reason(tmp_path, payload, reason):
    path = tmp_path / "bad.jpg"
    path.write_bytes(payload)
    with pytest.raises(ImageError) as info:
        load_rgb_array(path)
    assert info.value.path == str(path)
    assert reason in info.value.reason


def test_truncated_jpeg_is_detected_by_probe(tmp_path):
    data = _jpeg_bytes((256, 256))
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="truncated"):
        probe_image(path)
    with pytest.raises(ImageError, match="truncated"):
        load_rgb_array(path)


def test_decompression_bomb_refused_fast(tmp_path):
    # a PNG header claiming 20000x20000 pixels, with no real data
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
    path = tmp_path / "bomb.png"
    path.write_bytes(png + chunk(b"IEND", b""))
    with pytest.raises(ImageError, match="too large"):
        load_rgb_array(path)


def test_sixteen_bit_gray_is_scaled_not_clipped(tmp_path):
    ramp = np.tile(np.linspace(0, 65535, 256).astype(np.uint16), (8, 1))
    path = tmp_path / "g16.png"
    Image.fromarray(ramp).save(path)
    rgb = load_rgb_array(path)
    assert rgb.shape == (8, 256, 3)
    assert len(np.unique(rgb[..., 0])) >= 250
    assert (rgb == 255).mean() < 0.01


def test_float_tiff_is_not_black(tmp_path):
    arr = np.tile(np.linspace(0, 1, 64, dtype=np.float32), (16, 1))
    path = tmp_path / "f.tif"
    Image.fromarray(arr, mode="F").save(path)
    rgb = load_rgb_array(path)
    assert rgb.max() >= 250 and rgb.min() <= 5


def test_rgba_transparent_pixels_become_white(tmp_path):
    arr = np.zeros((8, 8, 4), np.uint8)
    arr[..., 0] = 255  # red, fully transparent
    path = tmp_path / "a.png"
    Image.fromarray(arr, "RGBA").save(path)
    assert (load_rgb_array(path) == 255).all()


def test_palette_with_transparency_and_mode_1(tmp_path):
    p = Image.new("P", (8, 8), 0)
    p.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    p.info["transparency"] = 0
    p.save(tmp_path / "p.png", transparency=0)
    assert (load_rgb_array(tmp_path / "p.png") == 255).all()
    Image.new("1", (8, 8), 1).save(tmp_path / "b.png")
    assert load_rgb_array(tmp_path / "b.png").shape == (8, 8, 3)


def test_cmyk_jpeg_close_to_source(tmp_path):
    src = Image.new("RGB", (16, 16), (200, 120, 40))
    src.convert("CMYK").save(tmp_path / "c.jpg", quality=100)
    rgb = load_rgb_array(tmp_path / "c.jpg").astype(int)
    assert np.abs(rgb - np.array([200, 120, 40])).mean() <= 8


def test_exif_orientation_applied(tmp_path):
    img = Image.new("RGB", (40, 20), (0, 0, 0))
    img.paste((255, 255, 255), (0, 0, 10, 10))  # white square top-left of the stored pixels
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW for display
    img.save(tmp_path / "r.jpg", exif=exif, quality=95)
    rgb = load_rgb_array(tmp_path / "r.jpg")
    assert rgb.shape[:2] == (40, 20)  # upright: portrait
    assert rgb[:10, -10:].mean() > 200  # the stored top-left corner is now top-right


def test_animated_gif_gives_first_frame(tmp_path):
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    rgb = load_rgb_array(tmp_path / "a.gif")
    assert rgb[..., 0].mean() > 200 and rgb[..., 2].mean() < 50


def test_jpeg_named_png_is_accepted(tmp_path):
    path = tmp_path / "x.png"
    path.write_bytes(_jpeg_bytes())
    assert probe_image(path).format == "JPEG"


def _photo(path: Path, size: tuple[int, int], seed: int = 0, fmt: str = "JPEG", exif=None):
    """A photo-like picture: a smooth random scene with sensor-like noise."""
    rng = np.random.default_rng(seed)
    scene = Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8))
    scene = scene.resize(size, Image.Resampling.BICUBIC)
    pixels = np.clip(np.asarray(scene, dtype=np.int16) + rng.integers(-6, 7, (size[1], size[0], 3)), 0, 255)
    Image.fromarray(pixels.astype(np.uint8)).save(path, fmt, quality=90, **({"exif": exif} if exif else {}))
    return path


def test_large_jpeg_is_decoded_at_reduced_scale_never_below_min_side(tmp_path):
    path = _photo(tmp_path / "big.jpg", (2400, 1800))
    assert load_rgb_array(path).shape == (1800, 2400, 3)
    assert load_rgb_array(path, min_side=256).shape == (450, 600, 3)  # 1/4: 1/8 would give 225 < 256
    assert load_rgb_array(path, min_side=512).shape == (900, 1200, 3)


def test_images_under_twice_min_side_and_other_formats_are_decoded_in_full(tmp_path):
    small = _photo(tmp_path / "small.jpg", (1000, 500))
    png = _photo(tmp_path / "big.png", (2400, 1800), fmt="PNG")
    assert load_rgb_array(small, min_side=256).shape == (500, 1000, 3)
    assert load_rgb_array(png, min_side=256).shape == (1800, 2400, 3)


def test_reduced_decode_keeps_the_exif_orientation(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW for display
    path = _photo(tmp_path / "r.jpg", (2400, 1200), exif=exif)
    full, reduced = load_rgb_array(path), load_rgb_array(path, min_side=256)
    assert full.shape == (2400, 1200, 3) and reduced.shape == (600, 300, 3)  # upright, portrait
    shrunk = np.asarray(Image.fromarray(full).resize((300, 600), Image.Resampling.BOX), dtype=np.int16)
    assert np.abs(shrunk - reduced).mean() < 3  # the same picture, the same way up


def test_reduced_decode_stays_close_after_the_eval_resize(tmp_path):
    from engine.data.transforms import EvalTransform, to_uint8_chw
    from engine.models.registry import get_spec

    spec = get_spec("efficientnet_lite0").preprocess
    transform = EvalTransform(spec)
    path = _photo(tmp_path / "p.jpg", (4000, 3000), seed=3)  # 12 megapixels
    full = transform(to_uint8_chw(load_rgb_array(path)))
    reduced_array = load_rgb_array(path, min_side=2 * spec.resize_size)
    assert reduced_array.shape[:2] == (750, 1000)  # 1/4 scale
    reduced = transform(to_uint8_chw(reduced_array))
    levels = (full - reduced).abs() * 255 * spec.std[0]  # back to 0..255 pixel levels
    assert full.shape == reduced.shape and levels.mean() < 0.5 and levels.max() < 6
