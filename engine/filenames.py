r"""File names as the engine stores and shows them, including names that are not valid UTF-8.

On Linux a file name is bytes; Python decodes one that is not valid UTF-8 (``caf\xe9.jpg`` written
in Latin-1) with ``surrogateescape``, so the ``str`` holds lone surrogates (``'caf\udce9.jpg'``)
that ``os.fsencode`` turns back into the original bytes. Such a ``str`` cannot be encoded as
UTF-8, so the engine handles it in one documented way everywhere:

- **Stored losslessly.** JSON files (:func:`engine.atomic.write_json`, project files, JSON output
  lines) write each lone surrogate as a ``\udcXX`` escape (:func:`escape_surrogates`); every JSON
  reader turns it back into the same ``str``, and ``os.fsencode`` gives the exact bytes again.
  The rest of the text stays readable UTF-8.
- **Shown with replacement characters.** :func:`display_text` turns the undecodable bytes into
  U+FFFD, for messages, CSV cells and the GUI; :func:`one_line` also makes control characters
  (a newline or tab in a file name) visible, so one name never splits an output line.
"""

from __future__ import annotations

import json
import re
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def is_utf8(text: str) -> bool:
    """Tell whether ``text`` encodes as UTF-8 (False for a non-UTF-8 file name's lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def escape_surrogates(json_text: str) -> str:
    r"""Write each lone surrogate in a JSON document as a ``\uXXXX`` escape, losslessly.

    A lone surrogate can only occur inside a JSON string, where the escape is valid JSON and is
    read back as the same character.
    """
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def dumps_json(obj: Any, indent: int | None = None) -> str:
    """``json.dumps`` that keeps non-ASCII text readable and non-UTF-8 file names lossless.

    Raises:
        ValueError: For NaN or infinity, which JSON cannot hold.
    """
    return escape_surrogates(json.dumps(obj, indent=indent, ensure_ascii=False, allow_nan=False))


def display_text(text: str) -> str:
    """``text`` as a person should see it: undecodable file-name bytes become U+FFFD."""
    if is_utf8(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def one_line(text: str) -> str:
    r""":func:`display_text` with control characters shown as escapes (``\n``, ``\t``, ``\x01``)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], display_text(text))
