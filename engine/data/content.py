"""Content hashes of image files: the one definition of "the same image" across the engine."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha1(path: str | Path) -> str:
    """SHA-1 of the file's bytes (hex), read in chunks.

    Raises:
        OSError: If the file cannot be read.
    """
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha1").hexdigest()
