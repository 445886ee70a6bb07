"""Transfer Studio: opens the desktop app, or runs a headless command (``main.py --help``)."""

from __future__ import annotations

import multiprocessing
import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the CLI when a command is given, else open the app."""
    multiprocessing.freeze_support()
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--self-test":  # the installer's end-to-end check (gui/self_test.py)
        from gui.self_test import main as self_test

        return self_test(args[1:])
    from cli import COMMANDS

    if args and (args[0] in COMMANDS or args[0] in ("-h", "--help")):
        from cli.main import run

        return run(args)
    from gui.app import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
