"""Set-up and everyday commands that work on a fresh machine with only Python 3.11 and pip.

python tasks.py app     # installs uv and the locked environment if needed, then opens the app
python tasks.py test    # same set-up, then ruff, the import contracts and the tests (what CI runs)
python tasks.py bench   # the benchmarks under bench/ (slow; prints JSON)
python tasks.py installer  # PyInstaller one-folder app in out/installer/, archived and self-tested (slow)
python tasks.py translations  # refresh resources/i18n/*.ts from the gui sources, compile the .qm files
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _uv() -> list[str]:
    """The command that runs uv, installing uv with pip when it is missing."""
    found = shutil.which("uv")
    if found:
        return [found]
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "uv"]
    if subprocess.call(pip) != 0:
        subprocess.run([*pip, "--user"], check=True)
    return [sys.executable, "-m", "uv"]


def _run(*args: str, env: dict[str, str] | None = None) -> int:
    print("+", " ".join(args), flush=True)
    return subprocess.call(list(args), cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    """Run one task."""
    task = argv[0] if argv else "app"
    uv = _uv()
    # bytecode compiled once at install: imports stay fast even where PYTHONDONTWRITEBYTECODE is set
    # openvino: bf16 feature extraction where the CPU has it (engine/features/runtimes.py); optional
    extras = ["--extra", "test", "--extra", "openvino"] + ["--extra", "installer"] * (task == "installer")
    code = _run(*uv, "sync", "--frozen", *extras, "--python", "3.11", "--compile-bytecode")
    if code:
        return code
    if task == "app":
        return _run(*uv, "run", "--frozen", "main.py", *argv[1:])
    if task == "test":
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        code = _run(*uv, "run", "--frozen", "ruff", "check", ".", env=env)
        # the layer boundaries (pyproject.toml [tool.importlinter]): a forbidden import fails CI here
        code = code or _run(*uv, "run", "--frozen", "lint-imports", env=env)
        return code or _run(*uv, "run", "--frozen", "pytest", "-q", *argv[1:], env=env)
    if task == "bench":
        code, env = 0, dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        for script in sorted((ROOT / "bench").glob("bench_*.py")):
            code |= _run(*uv, "run", "--frozen", "python", str(script.relative_to(ROOT)), env=env)
        return code
    if task == "translations":
        script = ("from gui.i18n_catalog import TRANSLATED, compile_catalogue, update_catalogue\n"
                  "for lang in TRANSLATED:\n    update_catalogue(lang)\n    print(compile_catalogue(lang))")
        return _run(*uv, "run", "--frozen", "python", "-c", script)
    if task == "installer":
        from installer.build import main as build_installer

        return build_installer(uv, argv[1:])
    print(f"unknown task {task!r}; use app, test, bench, translations or installer", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
