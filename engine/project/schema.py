"""What a project file is made of: its name, format and version, one image entry, and its error.

The one home of these types: :mod:`engine.project.store` (the project, and writing it) and
:mod:`engine.project.file_format` (reading and checking it) both import them from here, so neither
imports the other's internals and there is no import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.errors import TransferStudioError

FORMAT_NAME = "transfer-studio-project"
FORMAT_VERSION = 1
PROJECT_FILE_NAME = "transfer-studio-project.json"


class ProjectFileError(TransferStudioError):
    """A project file cannot be read or is not a valid project; ``field`` names the culprit."""

    def __init__(self, path: str | Path, field_name: str, problem: str) -> None:
        self.path = str(path)
        self.field = field_name
        self.problem = problem
        where = f"{field_name}: " if field_name else ""
        super().__init__(f"{self.path}: {where}{problem}")


@dataclass(frozen=True, slots=True)
class ImageEntry:
    """One referenced image: absolute path, class name or None, split or None, broken reason or None.

    ``excluded`` is a label state: the image stays in the project (label and split kept, file never
    touched) but never trains, as the dataset doctor's "exclude" decision leaves it.
    """

    path: str
    label: str | None = None
    split: str | None = None
    broken: str | None = None
    excluded: bool = False
