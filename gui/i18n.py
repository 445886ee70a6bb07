"""The interface language: Qt translators, the language setting, and retranslation at runtime.

Every user-visible string goes through Qt's translation system with a fixed context::

    from gui.i18n import translate
    label.setText(translate("DataPage", "Drop images here"))
    (translate("DataPage", "1 image") if n == 1 else translate("DataPage", "{count} images")).format(count=n)
    translate("DataPage", "Saved to {path}").format(path=p)     # values after translating
    NAMES = {"features": QT_TRANSLATE_NOOP("Strategy", "Cached features")}   # tables; translate on use

(PySide's lupdate marks ``%n`` plurals only with a literal count, and English ships no ``.qm``, so a
count picks between whole sentences.) A widget sets its texts in one method and calls
:func:`retranslate_on_change` so View ▸ Language switches without a restart; an item model connects
:func:`language_notifier` ``.changed`` to re-emit its headers and data. The ``.ts`` sources (one per
``gui`` package) and the compiled ``.qm`` live in ``resources/i18n`` and are rebuilt by ``python
tasks.py translations``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QSettings,
    QTranslator,
    Signal,
)

translate = QCoreApplication.translate

I18N_DIR = Path(__file__).resolve().parents[1] / "resources" / "i18n"
QM_STEM = "transferstudio"
LANGUAGE_KEY = "ui/language"
ENGLISH = "en"
# code → the language's own name (never translated: a user must find their language in any interface)
LANGUAGES: dict[str, str] = {ENGLISH: "English", "zh_CN": "简体中文"}


def qm_path(code: str, folder: Path = I18N_DIR) -> Path:
    """The compiled translation file of language ``code``."""
    return folder / f"{QM_STEM}_{code}.qm"


def system_language() -> str:
    """The language the system locale asks for, when the app has it; else English."""
    for name in QLocale.system().uiLanguages():
        code = name.replace("-", "_")
        if code in LANGUAGES:
            return code
        if code.startswith("zh") and ("Hans" in code or code in ("zh", "zh_CN", "zh_SG")):
            return "zh_CN"
    return ENGLISH


def saved_language() -> str:
    """The language the user chose before, else the system's."""
    value = str(QSettings().value(LANGUAGE_KEY, "") or "")
    return value if value in LANGUAGES else system_language()


class LanguageNotifier(QObject):
    """Tells item models and other non-widgets that the language changed (widgets get an event)."""

    changed = Signal(str)


_notifier: LanguageNotifier | None = None


def language_notifier() -> LanguageNotifier:
    """The one notifier of this process."""
    global _notifier
    if _notifier is None:
        _notifier = LanguageNotifier()
    return _notifier


class _Translators:
    """The translators installed now: the app's own and Qt's (standard dialogs and buttons)."""

    installed: ClassVar[list[QTranslator]] = []
    code: ClassVar[str] = ENGLISH


def current_language() -> str:
    """The language code in use."""
    return _Translators.code


def install_language(code: str, folder: Path = I18N_DIR, remember: bool = True) -> bool:
    """Switch the whole interface to ``code``; widgets retranslate. False when its file is missing.

    ``folder`` lets a test install another compiled set (the pseudo-locale). English needs no file.
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_language needs a QCoreApplication")
    loaded: list[QTranslator] = []
    if code != ENGLISH:
        own = QTranslator(app)
        if not own.load(str(qm_path(code, folder))):
            return False
        loaded.append(own)
        qt = QTranslator(app)
        if qt.load(f"qtbase_{code}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            loaded.append(qt)
    for old in _Translators.installed:
        QCoreApplication.removeTranslator(old)
    for new in loaded:
        QCoreApplication.installTranslator(new)
    _Translators.installed, _Translators.code = loaded, code
    if remember:
        QSettings().setValue(LANGUAGE_KEY, code)
    # Qt sends LanguageChange itself only once its event loop runs; before that (start-up, tests) we do
    QCoreApplication.sendEvent(app, QEvent(QEvent.Type.LanguageChange))  # Qt's own widgets (dialogs)
    language_notifier().changed.emit(code)
    return True


def retranslate_on_change(widget: QObject, retranslate: Callable[[], None]) -> None:
    """Run ``retranslate`` (a method of ``widget``) now and again whenever the interface language changes.

    A signal, not an event filter: the connection dies with ``widget`` (PySide disconnects a bound
    method of a destroyed QObject), and no Python ``eventFilter`` is left for Qt to call into while a
    dialog is torn down.
    """
    if getattr(retranslate, "__self__", None) is not widget:
        raise ValueError("retranslate_on_change needs a method of the widget it retranslates")
    retranslate()
    language_notifier().changed.connect(retranslate)
