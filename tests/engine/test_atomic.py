"""Atomic writes: temp files named after their writer, stale ones removed safely, permissions kept."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine import atomic
from engine.atomic import atomic_writer, remove_stale_temps, temp_name, temp_owner, write_bytes, write_json

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits and pids")


def _dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_temp_names_carry_the_writer_pid_and_are_recognised():
    name = temp_name("project.json")
    assert name.startswith(".project.json.tstmp-") and name.endswith(".tmp")
    assert temp_owner(name) == os.getpid()
    assert temp_owner(temp_name("best.pt", pid=4242)) == 4242
    assert temp_name("a") != temp_name("a")


@pytest.mark.parametrize(
    "name",
    [
        "project.json",
        ".project.json.tmp",
        ".project.json.abc12345.tmp",  # the old mkstemp pattern has no owner: never ours to remove
        ".x.tstmp-12-short.tmp",
        ".x.tstmp--1-0123456789ab.tmp",
        "x.tstmp-12-0123456789ab.tmp",  # not hidden
        ".x.tstmp-12-0123456789ab.tmp.jpg",
    ],
)
def test_other_names_are_not_temps(name):
    assert temp_owner(name) is None


def test_a_long_or_non_utf8_target_name_gives_a_valid_temp_name(tmp_path):
    for name in ("é" * 120 + ".json", "caf\udce9.json" if os.name == "posix" else "cafe.json"):
        write_bytes(tmp_path / name, b"x")
        assert (tmp_path / name).read_bytes() == b"x"
        assert temp_owner(temp_name(name)) == os.getpid()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


@posix_only
def test_stale_temps_of_a_dead_writer_are_removed_and_nothing_else(tmp_path):
    dead, alive = _dead_pid(), os.getppid()
    stale = tmp_path / temp_name("project.json", pid=dead)
    live = tmp_path / temp_name("project.json", pid=alive)
    mine = tmp_path / temp_name("run.json")
    user_files = [tmp_path / n for n in ("project.json", ".project.json.abc12345.tmp", "notes.tmp")]
    for path in [stale, live, mine, *user_files]:
        path.write_bytes(b"data")
    folder_named_like_a_temp = tmp_path / temp_name("x", pid=dead)
    folder_named_like_a_temp.mkdir()
    assert remove_stale_temps(tmp_path) == [stale]
    assert not stale.exists()
    assert all(p.exists() for p in [live, mine, *user_files, folder_named_like_a_temp])
    assert remove_stale_temps(tmp_path / "missing") == []


@posix_only
def test_a_symlink_named_like_a_temp_is_not_followed(tmp_path):
    precious = tmp_path / "precious.jpg"
    precious.write_bytes(b"photo")
    link = tmp_path / temp_name("x", pid=_dead_pid())
    link.symlink_to(precious)
    remove_stale_temps(tmp_path)
    assert precious.read_bytes() == b"photo"


@posix_only
def test_an_unreaped_killed_writer_counts_as_gone(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        temp = tmp_path / temp_name("last.pt", pid=child.pid)
        temp.write_bytes(b"partial")
        assert remove_stale_temps(tmp_path) == []  # alive: its temp may still become the file
        child.kill()
        deadline = time.monotonic() + 10
        while not atomic._is_zombie(child.pid) and time.monotonic() < deadline:
            time.sleep(0.01)  # until the kernel has made it a zombie (not reaped: no wait())
        assert remove_stale_temps(tmp_path) == [temp]
    finally:
        child.kill()
        child.wait()


@posix_only
def test_rewriting_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("{}")
    for mode in (0o644, 0o640, 0o664, 0o444):
        path.chmod(mode)
        write_json(path, {"mode": mode})
        assert _mode(path) == mode
        assert path.read_text().count(str(mode)) == 1


@posix_only
def test_a_new_file_gets_the_umask_default_like_open(tmp_path):
    previous = os.umask(0o027)
    try:
        write_bytes(tmp_path / "new.bin", b"x")
        with open(tmp_path / "plain.bin", "wb") as handle:
            handle.write(b"x")
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "new.bin") == _mode(tmp_path / "plain.bin") == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    path = tmp_path / "history.json"
    path.write_bytes(b"old")
    with pytest.raises(OSError, match="disk full"), atomic_writer(path) as handle:
        handle.write(b"partial")
        raise OSError("disk full")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]


@posix_only
def test_the_first_write_into_a_folder_removes_stale_temps_there(tmp_path):
    stale = tmp_path / "cache" / temp_name("backbone.onnx", pid=_dead_pid())
    stale.parent.mkdir()
    stale.write_bytes(b"partial export")
    write_bytes(tmp_path / "cache" / "split.json", b"{}")
    assert not stale.exists()
    assert [p.name for p in stale.parent.iterdir()] == ["split.json"]
