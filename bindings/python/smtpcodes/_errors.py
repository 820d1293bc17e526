"""Exceptions of the smtpcodes package, and the mapping from the C library's GError.

The extension calls :func:`from_gerror` whenever a C function fails; the class is chosen
here, in Python, from the error code and the function that failed, so adding a class
needs no rebuild.
"""

__all__ = [
    "Error", "ReplyError", "ReplySyntaxError", "NoCodeError", "TooLongError",
    "InputTypeError", "InvalidCodeError", "InvalidValueError", "ModuleError",
    "BounceError", "MessageError", "ReadError", "ERROR_DOMAIN", "ERROR_CODES",
]

#: the GError domain of libsmtpcodes
ERROR_DOMAIN = "smtpcodes-error-quark"

#: SmtpcodesError values, by position (smtpcodes-error.h); the enumeration may grow
ERROR_CODES = (
    "syntax", "invalid-code", "unknown-key", "duplicate", "missing-translation",
    "format-version", "invalid-value", "missing-key", "io", "no-code", "too-long",
)


class Error(ValueError):
    """An error reported by libsmtpcodes.

    Attributes:
        domain: the GError domain (``"smtpcodes-error-quark"``)
        code: the numeric SmtpcodesError code
        name: the code as a word (``"no-code"``, ``"syntax"``, ...)
        message: the library's message, also ``str(error)``
    """

    def __init__(self, message, code=-1, domain=ERROR_DOMAIN):
        super().__init__(message)
        self.message = message
        self.code = code
        self.domain = domain
        self.name = ERROR_CODES[code] if 0 <= code < len(ERROR_CODES) else "unknown"

    def __str__(self):
        return self.message

    def __repr__(self):
        return "%s(%r, code=%d)" % (type(self).__name__, self.message, self.code)

    def __reduce__(self):
        return (type(self), (self.message, self.code, self.domain))


class ReplyError(Error):
    """The text given to parse or explain cannot be read as a reply."""


class ReplySyntaxError(ReplyError):
    """The reply is not well formed (for example, it contains a NUL byte)."""


class NoCodeError(ReplyError):
    """The text holds no reply code or enhanced status code (or is empty)."""


class TooLongError(ReplyError):
    """The text is longer than the parser accepts (1 MiB)."""


class InputTypeError(ReplyError, TypeError):
    """The argument is of the wrong type (for example ``None`` instead of a str)."""


class InvalidCodeError(Error):
    """A code is not a reply code (100-599) or an enhanced status code such as 5.1.1."""


class InvalidValueError(Error):
    """An argument has a value outside its allowed set (for example an unknown vendor)."""


class ModuleError(Error):
    """A data module could not be loaded or does not validate.

    The message names file, line and key.
    """


class BounceError(Error):
    """A bounce message, a mailbox or a maildir cannot be read.

    Errors of :class:`BounceReader` carry the file (``source``) and the number of the
    message in it (``index``, from 1); both are also in the message.  They are None for
    :func:`analyze_bounce`.
    """

    source = None
    index = None


class MessageError(BounceError):
    """The data is no e-mail message: it is empty, or does not start with a header field."""


class ReadError(BounceError):
    """A file, mailbox or maildir cannot be opened or read (the message names it and says
    why), or GMime, which reading bounces needs, cannot be loaded."""


_LOADERS = frozenset((
    "smtpcodes_registry_new", "smtpcodes_registry_new_from_files",
    "smtpcodes_registry_validate_file", "smtpcodes_binding_default_registry",
))

_BY_CODE = {
    0: ReplySyntaxError,
    1: InvalidCodeError,
    6: InvalidValueError,
    8: ModuleError,
    9: NoCodeError,
    10: TooLongError,
}


_BOUNCE = frozenset((
    "smtpcodes_report_parse", "smtpcodes_report_reader_new", "smtpcodes_report_reader_next",
))


def from_gerror(domain, code, message, context=None):
    """Return the exception for a GError (*domain*, *code*, *message*) raised by the C
    function *context*."""
    if context == "input-type":
        cls = InputTypeError
    elif domain != ERROR_DOMAIN:
        cls = Error
    elif context in _LOADERS:
        cls = ModuleError
    elif context in _BOUNCE:
        cls = ReadError if code == 8 else MessageError
    else:
        cls = _BY_CODE.get(code, Error)
    return cls(message, code, domain)
