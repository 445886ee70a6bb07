"""How a dataset folder is read: split folder names, class folder names, and what to warn about.

One rule for the CLI (:func:`engine.data.scan.scan_dataset`) and the app
(:func:`engine.project.importing.scan_import`):

- ``DATA/<split>/<class>/*`` is a split layout when ``DATA`` has a training folder (``train``,
  ``training``) and a validation folder (``val``, ``valid``, ``validation``) or a test folder
  (``test``, ``testing``). The validation folder is used for validation; without one, the test
  folder is. A test folder beside a validation folder is left out (with a warning): it stays
  unseen, for a final evaluation.
- A class folder's name becomes the class name through :func:`clean_class_name`: runs of
  whitespace (a tab, a newline) become one space; a name that is still unusable (empty, other
  control characters, over 100 characters) is refused with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from engine.data.thresholds import FEW_IMAGES_PER_CLASS
from engine.filenames import display_text, one_line

TRAIN, VAL, TEST = "train", "val", "test"
SPLIT_NAMES: Mapping[str, frozenset[str]] = {
    TRAIN: frozenset({"train", "training"}),
    VAL: frozenset({"val", "valid", "validation"}),
    TEST: frozenset({"test", "testing"}),
}
MAX_CLASS_NAME = 100


def split_role(folder_name: str) -> str | None:
    """``"train"``, ``"val"`` or ``"test"`` when ``folder_name`` is a common split name, else None."""
    lowered = folder_name.strip().lower()
    return next((role for role, names in SPLIT_NAMES.items() if lowered in names), None)


def find_split_folders(subdirs: Sequence[Path]) -> dict[str, Path] | None:
    """``{"train": folder, "val": folder}`` (and ``"test"`` when left out) for a split layout, else None.

    The validation folder is the ``val`` one, or the ``test`` one when there is no ``val`` folder.
    """
    roles: dict[str, Path] = {}
    for folder in subdirs:
        role = split_role(folder.name)
        if role is not None and role not in roles:
            roles[role] = folder
    if TRAIN not in roles or not ({VAL, TEST} & set(roles)):
        return None
    if VAL not in roles:
        roles[VAL] = roles.pop(TEST)
    return roles


def clean_class_name(name: str) -> str:
    """The class name for a folder name or a name typed in the app; ValueError says why not.

    Undecodable file-name bytes become U+FFFD; whitespace runs (tabs, newlines) become one space.
    """
    clean = " ".join(display_text(str(name)).split())
    if not clean:
        raise ValueError("A class name cannot be empty.")
    if len(clean) > MAX_CLASS_NAME:
        raise ValueError(f"A class name can have at most {MAX_CLASS_NAME} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in clean):
        raise ValueError("A class name cannot contain control characters.")
    return clean


def split_layout_warnings(root: Path, roles: Mapping[str, Path]) -> list[str]:
    """Warnings about a split layout: a test folder that is left out."""
    if TEST in roles:
        return [
            f"{one_line(str(roles[TEST]))} is not used: {roles[VAL].name!r} is the validation folder; "
            "the test folder stays unseen for a final evaluation."
        ]
    return []


def class_folder_warnings(class_names: Iterable[str]) -> list[str]:
    """A warning when class folders are named like splits (``DATA/train`` with no partner)."""
    looks_like = [name for name in class_names if split_role(name) is not None]
    if not looks_like:
        return []
    names = ", ".join(repr(one_line(n)) for n in looks_like)
    return [
        f"class folder(s) {names} look like split folders. If they hold class sub-folders, name "
        "them train/ and val/ (or test/) side by side; otherwise rename them."
    ]


def class_count_warnings(counts: Mapping[str, Mapping[str, int]]) -> list[str]:
    """Warnings for classes with a single image or no validation image.

    Args:
        counts: ``{class: {"train": n, "val": n}}``.
    """
    out: list[str] = []
    for name, by_split in counts.items():
        train, val = by_split.get(TRAIN, 0), by_split.get(VAL, 0)
        shown = repr(one_line(name))
        if train + val == 1:
            out.append(f"class {shown} has a single image; add at least {FEW_IMAGES_PER_CLASS}.")
        elif train and not val:
            out.append(f"class {shown} has no validation image, so its accuracy cannot be measured.")
        elif val and not train:
            out.append(f"class {shown} has no training image, so the model cannot learn it.")
    return out
