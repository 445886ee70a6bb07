"""Atomic file writes: a temp file in the same folder, fsync, then ``os.replace``.

A kill at any moment leaves either the old file or the new one, never a torn file. A killed
writer can leave its temp file behind: temp files are named ``.<name>.tstmp-<pid>-<token>.tmp``
so that :func:`remove_stale_temps` can remove exactly those whose writer is gone (and nothing a
user made): opening a project or a run does, and so does the first write of a process into a folder.
A rewritten file keeps its permission bits; a new one gets the umask default.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from engine.filenames import dumps_json


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temp file beside ``path``; on clean exit it replaces ``path`` atomically.

    On any exception the temp file is removed and ``path`` is left untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_once(target.parent)
    fd, tmp = _create_temp(target)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            _copy_permissions(handle.fileno(), target)
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(target.parent)


TEMP_PATTERN = re.compile(r"\..*\.tstmp-(?P<pid>[0-9]{1,10})-[0-9a-f]{12}\.tmp", re.DOTALL)
_NAME_BYTES_IN_TEMP = 80  # keeps the temp name within the 255-byte limit for any target name


def temp_name(target_name: str, pid: int | None = None) -> str:
    """A fresh temp file name for ``target_name``, recognisable and owned by ``pid`` (default: this one)."""
    owner = os.getpid() if pid is None else pid
    if os.name == "posix":  # cut bytes, not characters: a cut character survives as surrogate escapes
        short = os.fsdecode(os.fsencode(target_name)[:_NAME_BYTES_IN_TEMP])
    else:  # pragma: no cover - Windows counts UTF-16 units
        short = target_name[:_NAME_BYTES_IN_TEMP]
    return f".{short}.tstmp-{owner}-{secrets.token_hex(6)}.tmp"


def temp_owner(name: str) -> int | None:
    """The writer's pid if ``name`` is one of our temp files, else None."""
    match = TEMP_PATTERN.fullmatch(name)
    return int(match["pid"]) if match else None


def _create_temp(target: Path) -> tuple[int, Path]:
    """Create a new temp file beside ``target``; mode 0o666 less the umask, as a plain ``open`` gives."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        tmp = target.parent / temp_name(target.name)
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue  # 48 random bits collided: try another name
    raise FileExistsError(f"{target.parent}: could not create a temp file for {target.name}")


def _copy_permissions(fd: int, target: Path) -> None:
    """Give the temp file the permission bits of the file it will replace, if that exists."""
    if not hasattr(os, "fchmod"):
        return  # Windows: permissions come from the folder's ACL
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode) & 0o777
    except OSError:
        return  # a new file: the umask default applies
    os.fchmod(fd, mode)


def process_alive(pid: int) -> bool:
    """Tell whether process ``pid`` may still be running (True when unsure, so nothing is removed)."""
    if pid <= 0 or pid == os.getpid():
        return pid > 0
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # exists but belongs to someone else, or not a valid pid here
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """A killed process its parent has not reaped yet (Linux only; False elsewhere)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return text.rpartition(")")[2].split()[:1] in (["Z"], ["X"])


def _windows_process_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        access_denied = ctypes.get_last_error() == 5  # type: ignore[attr-defined]
        return access_denied  # the process exists but is not ours
    try:
        code = ctypes.c_ulong()
        return not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) or code.value == 259
    finally:
        kernel32.CloseHandle(handle)


def remove_stale_temps(folder: str | Path) -> list[Path]:
    """Remove the temp files a killed writer left in ``folder`` (not recursive); return them.

    Only regular files named by :func:`temp_name` whose writing process is gone are removed;
    a temp of a live process (or of a reused pid) is kept, and nothing else is touched.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        pid = temp_owner(entry.name)
        if pid is None or process_alive(pid):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


_CLEANED_FOLDERS: set[str] = set()


def _clean_once(folder: Path) -> None:
    """Remove stale temps the first time this process writes into ``folder`` (caches, weights...)."""
    key = os.fspath(folder)
    if key not in _CLEANED_FOLDERS:
        _CLEANED_FOLDERS.add(key)
        remove_stale_temps(folder)


def _fsync_dir(folder: Path) -> None:
    """Persist the rename itself where the platform allows it (not on Windows)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Atomically write ``data`` to ``path``."""
    with atomic_writer(path, "wb") as handle:
        handle.write(data)


def write_text(path: str | Path, text: str) -> None:
    """Atomically write UTF-8 ``text`` to ``path``."""
    write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, obj: Any) -> None:
    r"""Serialise ``obj`` fully in memory first, then write it atomically.

    A non-UTF-8 file name (lone surrogates) is stored losslessly as ``\udcXX`` escapes
    (:func:`engine.filenames.dumps_json`); a value JSON cannot hold (NaN) fails before
    anything on disk changes.
    """
    write_bytes(path, dumps_json(obj, indent=2).encode("utf-8", errors="strict"))


def write_with(path: str | Path, writer: Callable[[IO[bytes]], None]) -> None:
    """Atomically write ``path`` through ``writer(handle)`` (``torch.save``, for example)."""
    with atomic_writer(path, "wb") as handle:
        writer(handle)


def read_json(path: str | Path) -> Any:
    """Read a UTF-8 JSON file."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
