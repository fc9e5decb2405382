"""The window's language: our translation and Qt's own, chosen from the system locale or the
``language`` setting.

Strings are marked with ``tr()`` / ``QCoreApplication.translate``; the sources are
``resources/i18n/tcpmonitor_<locale>.ts`` and the compiled ``.qm`` files are built at install
(``make``) and in the bundle. English is the source language: its file holds only the plural
forms of counted messages ("1 check failed", "3 checks failed"). The state
words and causes come from the Qt-free core in English and are translated in ``labels``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from ... import assets

log = logging.getLogger(__name__)

#: The file name prefix of our translations: ``tcpmonitor_zh_CN.qm``.
CATALOG = "tcpmonitor"
#: English's catalogue: only the plural forms of counted messages (``lupdate -pluralonly``).
ENGLISH = f"{CATALOG}_en"


def locale_for(language: str) -> QLocale:
    """The locale a ``language`` setting ("system", "en", "zh_CN") stands for."""
    if language == "system":
        return QLocale.system()
    return QLocale(language)


def install_translators(
    app: QCoreApplication, language: str, directory: Path | None = None
) -> list[QTranslator]:
    """Install the translators for ``language`` into ``app``; returns them (keep them
    referenced, or Python frees them). In English (also where no catalogue matches: logged)
    only ``tcpmonitor_en``, the plural forms of counted messages: the sources are English,
    but one text cannot say "1 check failed" and "3 checks failed".

    ``directory`` holds the ``.qm`` files: the package's own unless given (tests compile
    the ``.ts`` into a temporary one)."""
    locale = locale_for(language)
    QLocale.setDefault(locale)
    if directory is None:
        directory = assets.resource_path(assets.I18N_DIR)
    ours = QTranslator(app)
    if locale.language() in (QLocale.Language.English, QLocale.Language.C):
        return _install(app, [ours] if ours.load(ENGLISH, str(directory)) else [])
    if not ours.load(locale, CATALOG, "_", str(directory)):
        log.info("no translation for %s; the window stays in English", locale.name())
        return _install(app, [ours] if ours.load(ENGLISH, str(directory)) else [])
    installed = [ours]
    qt = QTranslator(app)  # Qt's own words: standard buttons, file dialogs
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(locale, "qtbase", "_", qt_dir):
        installed.append(qt)
    return _install(app, installed)


def _install(app: QCoreApplication, translators: list[QTranslator]) -> list[QTranslator]:
    for translator in translators:
        app.installTranslator(translator)
    return translators


#: ``translate(context, text)`` for code outside QObject methods; ``pyside6-lupdate``
#: recognises the name, so the strings still reach the ``.ts`` files.
translate = QCoreApplication.translate


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for translation in ``context`` without translating it yet (a table
    built at import, translated where it is shown); typed, unlike PySide6's."""
    del context
    return text


class Context:
    """Gives a plain class (or a module, through a class named after it) Qt's ``tr()``,
    with the class name as the context: ``Notify.tr("{names} and {n} more", "", n)``.

    Needed for counts: ``pyside6-lupdate``'s Python parser gives a message plural forms
    only when it is a ``tr()`` call with ``n``, never a ``translate()`` call.
    """

    @classmethod
    def tr(cls, text: str, disambiguation: str | None = None, n: int = -1) -> str:
        return QCoreApplication.translate(cls.__name__, text, disambiguation or None, n)
