"""Which process owns a running run: recorded in ``run.json`` so that a killed run can be told apart.

A run whose ``run.json`` still says ``running`` but whose owner process is gone was killed (or the
machine lost power): it is shown as ``interrupted`` and can be resumed. The owner is the process id,
the host name and the process's start time (so that a recycled process id is not mistaken for it).
"""

from __future__ import annotations

import os
import socket
from typing import Any

from engine.atomic import process_alive


def _process_start(pid: int) -> str:
    """A token for when process ``pid`` started ("" where the platform does not tell)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""  # field 22 of stat: start time in clock ticks


def current_owner() -> dict[str, Any]:
    """The owner record of this process."""
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(), "process_start": _process_start(pid)}


def owner_alive(owner: dict[str, Any] | None) -> bool | None:
    """Whether the recorded owner process still runs.

    Returns:
        True or False on this host; None when the run belongs to another host (cannot tell).
        A run without an owner record (older app versions) counts as not owned (False).
    """
    if not isinstance(owner, dict) or "pid" not in owner:
        return False
    if str(owner.get("host", "")) != socket.gethostname():
        return None
    try:
        pid = int(owner["pid"])
    except (TypeError, ValueError):
        return False
    if not process_alive(pid):
        return False
    recorded = str(owner.get("process_start", ""))
    return not recorded or recorded == _process_start(pid) or not _process_start(pid)
