"""An immutable copy of a project and how it is written: the project file's JSON, saved atomically.

:meth:`engine.project.store.Project.snapshot` takes one on the GUI thread; the autosave serialises
and writes it on a worker thread. Reading the file back is :mod:`engine.project.file_format`.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.atomic import write_bytes
from engine.filenames import escape_surrogates
from engine.project.schema import FORMAT_NAME, FORMAT_VERSION, PROJECT_FILE_NAME, ImageEntry


@dataclass(frozen=True)
class ProjectSnapshot:
    """An immutable copy of a project, cheap to take, safe to serialise on another thread."""

    folder: Path
    classes: tuple[str, ...]
    images: tuple[ImageEntry, ...]
    runs: tuple[dict[str, Any], ...]
    val_fraction: float
    seed: int
    dismissed_findings: tuple[str, ...] = ()

    def _image_items(self) -> list[dict[str, Any]]:
        prefix = str(self.folder) + os.sep
        items = []
        for e in self.images:
            item: dict[str, Any] = {"path": e.path}
            if e.path.startswith(prefix):
                item["rel"] = e.path[len(prefix):].replace(os.sep, "/")
            item.update(label=e.label, split=e.split, broken=e.broken)
            if e.excluded:
                item["excluded"] = True  # written only when set: most images are not excluded
            items.append(item)
        return items

    def _header(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "settings": {"val_fraction": self.val_fraction, "seed": self.seed},
            "classes": list(self.classes),
            "runs": [copy.deepcopy(r) for r in self.runs],
            "dismissed_findings": list(self.dismissed_findings),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document of the project file."""
        return {**self._header(), "images": self._image_items()}

    def to_json(self) -> str:
        """Serialise the whole document (one image per line: readable, diffable, fast).

        Raises:
            ValueError: If a value cannot be stored (NaN in a run, for example).
        """
        encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
        head = json.dumps(self._header(), indent=2, ensure_ascii=False, allow_nan=False)
        lines = ",\n    ".join(encoder.encode(item) for item in self._image_items())
        body = f"\n    {lines}\n  " if lines else ""
        return escape_surrogates(f'{head[:-2]},\n  "images": [{body}]\n}}\n')

    def write(self) -> Path:
        """Write the project file atomically: serialised and encoded first, then temp file + rename.

        A file name that is not valid UTF-8 is stored losslessly (see :mod:`engine.filenames`).
        """
        path = self.folder / PROJECT_FILE_NAME
        write_bytes(path, self.to_json().encode("utf-8", errors="strict"))
        return path
