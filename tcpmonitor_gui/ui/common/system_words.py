"""The system's own words for an error (``os.strerror``, the resolver's, SQLite's, OpenSSL's)
in the user's language.

Python speaks to the C library in the C locale, so "Connection refused" and "Address already
in use" come in English whatever the user's language; the window showed them so in Chinese.
The errors a connection, a lookup or a listening socket meets are listed here once, in the
system's English; any other is shown as the system words it.
"""

from __future__ import annotations

from .i18n import QT_TRANSLATE_NOOP, translate

CONTEXT = "SystemError"

WORDS = frozenset(
    (
        QT_TRANSLATE_NOOP("SystemError", "Connection refused"),
        QT_TRANSLATE_NOOP("SystemError", "Connection reset by peer"),
        QT_TRANSLATE_NOOP("SystemError", "Connection timed out"),
        QT_TRANSLATE_NOOP("SystemError", "Connection aborted"),
        QT_TRANSLATE_NOOP("SystemError", "Software caused connection abort"),
        QT_TRANSLATE_NOOP("SystemError", "Broken pipe"),
        QT_TRANSLATE_NOOP("SystemError", "No route to host"),
        QT_TRANSLATE_NOOP("SystemError", "Network is unreachable"),
        QT_TRANSLATE_NOOP("SystemError", "Network is down"),
        QT_TRANSLATE_NOOP("SystemError", "Host is down"),
        QT_TRANSLATE_NOOP("SystemError", "Cannot assign requested address"),
        QT_TRANSLATE_NOOP("SystemError", "Address already in use"),
        QT_TRANSLATE_NOOP("SystemError", "Permission denied"),
        QT_TRANSLATE_NOOP("SystemError", "Operation not permitted"),
        QT_TRANSLATE_NOOP("SystemError", "Too many open files"),
        QT_TRANSLATE_NOOP("SystemError", "No buffer space available"),
        QT_TRANSLATE_NOOP("SystemError", "Cannot allocate memory"),
        QT_TRANSLATE_NOOP("SystemError", "Protocol not available"),
        QT_TRANSLATE_NOOP("SystemError", "Name or service not known"),
        QT_TRANSLATE_NOOP("SystemError", "Temporary failure in name resolution"),
        QT_TRANSLATE_NOOP("SystemError", "No address associated with hostname"),
        QT_TRANSLATE_NOOP("SystemError", "Address family for hostname not supported"),
        QT_TRANSLATE_NOOP("SystemError", "Non-recoverable failure in name resolution"),
        QT_TRANSLATE_NOOP("SystemError", "Servname not supported for ai_socktype"),
        QT_TRANSLATE_NOOP("SystemError", "System error"),
        QT_TRANSLATE_NOOP("SystemError", "No such file or directory"),
        QT_TRANSLATE_NOOP("SystemError", "Exec format error"),
        QT_TRANSLATE_NOOP("SystemError", "Is a directory"),
        QT_TRANSLATE_NOOP("SystemError", "Not a directory"),
        QT_TRANSLATE_NOOP("SystemError", "File exists"),
        QT_TRANSLATE_NOOP("SystemError", "No space left on device"),
        QT_TRANSLATE_NOOP("SystemError", "Read-only file system"),
        QT_TRANSLATE_NOOP("SystemError", "Disk quota exceeded"),
        QT_TRANSLATE_NOOP("SystemError", "Input/output error"),
        QT_TRANSLATE_NOOP("SystemError", "File name too long"),  # 86 Chinese characters: 258 bytes
        QT_TRANSLATE_NOOP("SystemError", "Too many levels of symbolic links"),
        # SQLite's, for an event log it cannot use.
        QT_TRANSLATE_NOOP("SystemError", "database or disk is full"),
        QT_TRANSLATE_NOOP("SystemError", "disk I/O error"),
        QT_TRANSLATE_NOOP("SystemError", "unable to open database file"),
        QT_TRANSLATE_NOOP("SystemError", "file is not a database"),
        QT_TRANSLATE_NOOP("SystemError", "attempt to write a readonly database"),
        QT_TRANSLATE_NOOP("SystemError", "database is locked"),
        # OpenSSL's, for a certificate it does not trust (``verify_message``).
        QT_TRANSLATE_NOOP("SystemError", "self-signed certificate"),
        QT_TRANSLATE_NOOP("SystemError", "self-signed certificate in certificate chain"),
        QT_TRANSLATE_NOOP("SystemError", "certificate has expired"),
        QT_TRANSLATE_NOOP("SystemError", "certificate is not yet valid"),
        QT_TRANSLATE_NOOP("SystemError", "unable to get local issuer certificate"),
    )
)


def system_text(words: str) -> str:
    """``words`` (the system's, for an error) in the user's language; unknown ones as they
    are."""
    return translate(CONTEXT, words) if words in WORDS else words
