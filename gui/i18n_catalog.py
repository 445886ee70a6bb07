"""The translation catalogue: which sources feed which ``.ts`` file, and building the ``.qm`` file.

One ``.ts`` per ``gui`` package (``resources/i18n/gui_<package>_<lang>.ts``; the modules directly in
``gui/`` go to ``gui_app``), so translators of different areas never edit the same file. All ``.ts``
files of a language compile into one ``transferstudio_<lang>.qm``. ``python tasks.py translations``
runs :func:`update_catalogue` (Qt's ``lupdate`` keeps existing translations and marks new strings
unfinished) then :func:`compile_catalogue` (``lrelease``).

The pseudo-locale (:func:`pseudo_text`) turns every source string into accented text 40% longer,
so a walk of the interface shows at a glance what did not go through translation or gets clipped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUI = ROOT / "gui"
I18N_DIR = ROOT / "resources" / "i18n"
TRANSLATED = ("zh_CN",)
PSEUDO = "pseudo"


def qt_tool(name: str) -> str:
    """Path of PySide6's ``pyside6-<name>`` (``lupdate``, ``lrelease``) beside this interpreter."""
    beside = Path(sys.executable).parent / f"pyside6-{name}"
    found = str(beside) if beside.exists() else shutil.which(f"pyside6-{name}")
    if not found:
        raise FileNotFoundError(f"pyside6-{name} not found; run `python tasks.py test` once to install it")
    return found


def source_groups() -> dict[str, list[Path]]:
    """Area name → the Python sources whose strings go into that area's ``.ts`` file."""
    groups: dict[str, list[Path]] = {"app": sorted(GUI.glob("*.py"))}
    for package in sorted(p for p in GUI.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        groups[package.name] = sorted(package.rglob("*.py"))
    return groups


def ts_path(area: str, language: str, folder: Path = I18N_DIR) -> Path:
    """The ``.ts`` file of one area and language."""
    return folder / f"gui_{area}_{language}.ts"


def update_catalogue(language: str, folder: Path = I18N_DIR, areas: tuple[str, ...] = ()) -> list[Path]:
    """Run ``lupdate`` for ``areas`` (default: all) of ``language``; return the ``.ts`` files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for area, sources in source_groups().items():
        if areas and area not in areas:
            continue
        target = ts_path(area, language, folder)
        files = [str(s.relative_to(ROOT)) for s in sources]
        subprocess.run([qt_tool("lupdate"), *files, "-no-obsolete", "-locations", "none",
                        "-target-language", language, "-ts", str(target)],
                       cwd=ROOT, check=True, capture_output=True, text=True)
        written.append(target)
    return written


def compile_catalogue(language: str, folder: Path = I18N_DIR, out: Path | None = None) -> Path:
    """Compile every ``.ts`` file of ``language`` in ``folder`` into one ``.qm``; return its path."""
    sources = sorted(folder.glob(f"gui_*_{language}.ts"))
    if not sources:
        raise FileNotFoundError(f"no gui_*_{language}.ts in {folder}")
    target = (out or folder) / f"transferstudio_{language}.qm"
    subprocess.run([qt_tool("lrelease"), *map(str, sources), "-qm", str(target)],
                   check=True, capture_output=True, text=True)
    return target


def todo(ts: Path) -> list[dict[str, str]]:
    """The messages of ``ts`` still to translate: ``{"context", "source"}`` each."""
    rows = []
    for context in ET.parse(ts).iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            texts = [f.text for f in translation.findall("numerusform")] or [translation.text]
            if translation.get("type") == "unfinished" or not all(t and t.strip() for t in texts):
                source = message.findtext("source") or ""
                rows.append({"context": context.findtext("name") or "", "source": source})
    return rows


def fill(ts: Path, rows: list[dict[str, str]]) -> int:
    """Write ``{"context", "source", "translation"}`` rows into ``ts``; return how many matched."""
    wanted = {(r["context"], r["source"]): r["translation"] for r in rows}
    tree, done = ET.parse(ts), 0
    for context in tree.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            text = wanted.get((name, message.findtext("source") or ""))
            translation = message.find("translation")
            if text is None or translation is None:
                continue
            translation.attrib.pop("type", None)
            forms = translation.findall("numerusform")
            for form in forms:
                form.text = text
            if not forms:
                translation.text = text
            done += 1
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return done


_ACCENTS = str.maketrans("aeiouyAEIOUYcnsztgCNSZ", "åéîøüýÅÉÎØÜÝçñšžŧĝÇÑŠŽ")


def pseudo_text(source: str) -> str:
    """Accented, bracketed and 40% longer, keeping placeholders, tags, entities and ``&`` mnemonics."""
    out, i = [], 0
    while i < len(source):
        ch = source[i]
        end = _placeholder_end(source, i)
        if end > i:
            out.append(source[i:end])
            i = end
            continue
        out.append(ch.translate(_ACCENTS))
        i += 1
    return "⟦" + "".join(out) + "·" * max(1, round(len(source) * 0.4)) + "⟧"


def _placeholder_end(text: str, i: int) -> int:
    """End of the placeholder at ``i`` (``%1``, ``%n``, ``{x}``, ``<b>``, ``&amp;``, ``&F``), else ``i``."""
    ch = text[i]
    closing = {"{": "}", "<": ">"}.get(ch)
    if closing:
        end = text.find(closing, i)
        return end + 1 if end > i else i
    if ch == "%" and i + 1 < len(text) and (text[i + 1].isdigit() or text[i + 1] in "nL"):
        return i + 2
    if ch == "&":
        end = text.find(";", i)
        if end > i and text[i + 1:end].isalnum():
            return end + 1
        if i + 1 < len(text) and text[i + 1].isalnum():  # a mnemonic keeps its key
            return i + 2
    return i


def write_pseudo_catalogue(out: Path, language: str = "zh_CN") -> Path:
    """A pseudo-locale ``.qm`` in ``out``, from the sources of ``language``'s ``.ts`` files."""
    out.mkdir(parents=True, exist_ok=True)
    for source in sorted(I18N_DIR.glob(f"gui_*_{language}.ts")):
        tree = ET.parse(source)
        for message in tree.iter("message"):
            text = message.findtext("source") or ""
            translation = message.find("translation")
            if translation is None:
                continue
            translation.attrib.pop("type", None)
            forms = translation.findall("numerusform")
            for form in forms:
                form.text = pseudo_text(text)
            if not forms:
                translation.text = pseudo_text(text)
        tree.write(out / source.name.replace(f"_{language}.ts", f"_{PSEUDO}.ts"), encoding="utf-8",
                   xml_declaration=True)
    return compile_catalogue(PSEUDO, out)


def main(argv: list[str]) -> int:
    """``todo AREA [LANG]``: what is left, as JSON; ``fill AREA FILE.json [LANG]``: write translations."""
    import json

    command, area = argv[0], argv[1]
    if command == "todo":
        language = argv[2] if len(argv) > 2 else TRANSLATED[0]
        update_catalogue(language, areas=(area,))
        print(json.dumps(todo(ts_path(area, language)), ensure_ascii=False, indent=1))
        return 0
    language = argv[3] if len(argv) > 3 else TRANSLATED[0]
    rows = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
    print(f"{fill(ts_path(area, language), rows)} of {len(rows)} filled; "
          f"{len(todo(ts_path(area, language)))} left")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
