"""What every SMTP reply means: Python bindings to libsmtpcodes.

>>> import smtpcodes
>>> v = smtpcodes.explain("550 5.1.1 <bob@example.com>: User unknown")
>>> v.reason, v.hard_bounce, v.retry
('userunknown', True, False)
>>> smtpcodes.explain("451 4.7.1 greylisted", lang="de").summary  # doctest: +SKIP
'...'

The module-level functions use the process-wide default registry (the built-in modules
plus the search path: ``$SMTPCODES_MODULE_PATH``, ``$XDG_DATA_HOME/smtpcodes/modules``,
the XDG system data dirs and the installed module directory).  Build a
:class:`Registry` to choose the modules yourself.

Everything here may be used from many threads at once: registries, replies, verdicts
and entries are immutable, and the GIL is released while text is parsed and explained
and while modules load.

Errors raise :class:`Error` (a ``ValueError``) or one of its subclasses, chosen by the
C library's error code; ``str(error)`` is the library's message.
"""

from . import raw as _rawmod  # registers the wrapper types (and their destructors)
from . import _raw
from ._errors import (  # noqa: F401  (re-exported)
    Error, ReplyError, ReplySyntaxError, NoCodeError, TooLongError, InputTypeError,
    InvalidCodeError, InvalidValueError, ModuleError, ERROR_DOMAIN, ERROR_CODES,
)

__all__ = [
    "explain", "lookup", "parse_reply", "lookup_command", "reasons", "is_reason",
    "validate", "default_registry",
    "Registry", "Verdict", "Reply", "Entry", "Alternative",
    "Error", "ReplyError", "ReplySyntaxError", "NoCodeError", "TooLongError",
    "InputTypeError", "InvalidCodeError", "InvalidValueError", "ModuleError",
    "REPLY_MAX_LENGTH",
]

__version__ = "1.0"

#: the longest reply text the parser accepts, in bytes
REPLY_MAX_LENGTH = _raw.SMTPCODES_REPLY_MAX_LENGTH

_explain_text = _raw.smtpcodes_registry_explain_text
_v_reason = _raw.smtpcodes_verdict_get_reason
_v_class = _raw.smtpcodes_binding_verdict_class
_v_hard = _raw.smtpcodes_verdict_is_hard_bounce
_v_bounce = _raw.smtpcodes_verdict_is_bounce
_v_retry = _raw.smtpcodes_verdict_get_retry
_v_status = _raw.smtpcodes_verdict_get_status
_v_vendor = _raw.smtpcodes_verdict_get_vendor
_v_reply = _raw.smtpcodes_binding_verdict_reply


def _opt_str(value, what):
    """None, or a str without NUL bytes (the C library reads C strings)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputTypeError("%s must be a str or None, not %s" % (what, type(value).__name__))
    if "\0" in value:
        raise InvalidValueError("%s contains a NUL byte" % what, 6)
    return value


def _code_str(code):
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str):
        raise InputTypeError("a code must be a str or an int, not %s" % type(code).__name__)
    if "\0" in code:
        raise InvalidCodeError("code contains a NUL byte", 1)
    return code


class Entry:
    """One meaning of a code from a data module.

    An entry keeps its registry alive.  Text attributes (``summary``, ``explanation``,
    ``advice``) are in the language the entry was fetched with (``lang`` of the call
    that returned it; None follows the environment's locale); :meth:`in_lang` gives
    the same entry in another language.
    """

    __slots__ = ("_h", "_lang")

    def __init__(self, handle, lang=None):
        self._h = handle
        self._lang = lang

    def in_lang(self, lang):
        """The same entry with its texts in *lang* (``"en"``, ``"de"``, ...)."""
        return Entry(self._h, _opt_str(lang, "lang"))

    kind = property(lambda self: _raw.smtpcodes_binding_entry_kind(self._h),
                    doc='"reply", "status", "pattern" or "command"')
    code = property(lambda self: _raw.smtpcodes_entry_get_code(self._h),
                    doc='the code as written in the module ("550", "5.7.1", "550 5.1.1", a pattern name)')
    reply_code = property(lambda self: _raw.smtpcodes_entry_get_reply_code(self._h) or None,
                          doc="the basic reply code as an int, or None")
    status = property(lambda self: _raw.smtpcodes_entry_get_status(self._h),
                      doc="the enhanced status code, or None")
    command = property(lambda self: _raw.smtpcodes_entry_get_command(self._h),
                       doc="the SMTP command the entry is limited to, or None")
    module = property(lambda self: _raw.smtpcodes_entry_get_module_id(self._h),
                      doc="id of the module the entry comes from")
    klass = property(lambda self: _raw.smtpcodes_binding_entry_class(self._h),
                     doc='"success", "intermediate", "transient", "permanent" or "unknown"')
    category = klass
    reason = property(lambda self: _raw.smtpcodes_entry_get_reason(self._h),
                      doc="the reason, from the vocabulary of docs/module-format.md")
    generic = property(lambda self: bool(_raw.smtpcodes_entry_is_generic(self._h)),
                       doc="True for a code that names no particular reason")
    retry = property(lambda self: bool(_raw.smtpcodes_entry_get_retry(self._h)),
                     doc="whether retrying later may work")
    source = property(lambda self: _raw.smtpcodes_entry_get_source(self._h),
                      doc="where the meaning comes from (RFC section, vendor document)")
    usage = property(lambda self: _raw.smtpcodes_entry_get_usage(self._h),
                     doc="how the code is used in the field, or None")
    line = property(lambda self: _raw.smtpcodes_entry_get_line(self._h),
                    doc="line of the entry in its module file")
    related = property(lambda self: _raw.smtpcodes_binding_entry_related(self._h),
                       doc="related codes")
    markers = property(lambda self: _raw.smtpcodes_binding_entry_markers(self._h),
                       doc="vendor markers that select the entry")
    obsoleted_by = property(lambda self: _raw.smtpcodes_entry_get_obsoleted_by(self._h),
                            doc="what replaced the command or code, or None")
    summary = property(lambda self: _raw.smtpcodes_entry_get_summary(self._h, self._lang),
                       doc="one-line summary")
    explanation = property(lambda self: _raw.smtpcodes_entry_get_explanation(self._h, self._lang),
                           doc="what the code means")
    advice = property(lambda self: _raw.smtpcodes_entry_get_advice(self._h, self._lang),
                      doc="what to do about it, or None")

    def to_dict(self):
        """The entry as a dict of plain values (JSON-serialisable)."""
        return {name: getattr(self, name) for name in (
            "kind", "code", "reply_code", "status", "command", "module", "klass", "reason",
            "generic", "retry", "source", "usage", "line", "related", "markers",
            "obsoleted_by", "summary", "explanation", "advice")}

    def _key(self):
        return (self.module, self.kind, self.code, self.line, self._lang)

    def __eq__(self, other):
        if not isinstance(other, Entry):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "<smtpcodes.Entry %s:%s %s %s %s>" % (
            self.module, self.code, self.kind, self.klass, self.reason)


class Alternative:
    """Another reading of a reply: *kind* says why it is offered ("dotless" for 571 read
    as 5.7.1, "dotted", "vendor", "registry", "field"), *label* describes it and *entry*
    is the :class:`Entry` it leads to."""

    __slots__ = ("kind", "label", "entry")

    def __init__(self, kind, label, entry):
        self.kind = kind
        self.label = label
        self.entry = entry

    def to_dict(self):
        """The alternative as a dict; the entry as its own dict."""
        return {"kind": self.kind, "label": self.label, "entry": self.entry.to_dict()}

    def __eq__(self, other):
        if not isinstance(other, Alternative):
            return NotImplemented
        return (self.kind, self.label, self.entry) == (other.kind, other.label, other.entry)

    def __hash__(self):
        return hash((self.kind, self.label, self.entry))

    def __repr__(self):
        return "<smtpcodes.Alternative %s %r>" % (self.kind, self.label)


class Reply:
    """A parsed SMTP reply: the codes, the text, the command it answered and the remote
    host, as found in a bare reply, a log line or a bounce text."""

    __slots__ = ("_h",)

    def __init__(self, handle):
        self._h = handle

    code = property(lambda self: _raw.smtpcodes_reply_get_code(self._h) or None,
                    doc="the basic reply code as an int (550), or None")
    enhanced = property(lambda self: _raw.smtpcodes_reply_get_enhanced(self._h),
                        doc='the enhanced status code ("5.1.1"), or None')
    text = property(lambda self: _raw.smtpcodes_reply_get_text(self._h),
                    doc="the reply text after the codes")
    command = property(lambda self: _raw.smtpcodes_reply_get_command(self._h),
                       doc='the command the reply answered ("RCPT TO"), or None')
    remote_host = property(lambda self: _raw.smtpcodes_reply_get_remote_host(self._h),
                           doc="the host that sent the reply, or None")
    context = property(lambda self: _raw.smtpcodes_reply_get_context(self._h),
                       doc="the text around the reply (log prefix), or None")
    input = property(lambda self: _raw.smtpcodes_reply_get_input(self._h),
                     doc="the whole input, as UTF-8")
    n_lines = property(lambda self: _raw.smtpcodes_reply_get_n_lines(self._h),
                       doc="number of reply lines")
    code_only = property(lambda self: bool(_raw.smtpcodes_reply_is_code_only(self._h)),
                         doc="True when the input was a bare code without text")

    def to_dict(self):
        """The reply as a dict of plain values."""
        return {name: getattr(self, name) for name in (
            "code", "enhanced", "text", "command", "remote_host", "context", "n_lines",
            "code_only")}

    def __eq__(self, other):
        if not isinstance(other, Reply):
            return NotImplemented
        return self.input == other.input and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash((self.input, self.code, self.enhanced))

    def __repr__(self):
        return "<smtpcodes.Reply %s %s %r>" % (self.code, self.enhanced or "-", self.text)


class Verdict:
    """What a reply means and what to do about it.

    Attributes are read from the C verdict when asked for; texts (``summary``,
    ``explanation``, ``advice``, ``notes``, alternative labels) are in the language the
    verdict was made with (``lang=`` of :func:`explain`; None follows the locale).
    Use :meth:`in_lang` for another language.  Two verdicts are equal when
    :meth:`to_dict` is.
    """

    __slots__ = ("_h", "_lang", "_reply")

    def __init__(self, handle, lang=None):
        self._h = handle
        self._lang = lang
        self._reply = None

    def in_lang(self, lang):
        """The same verdict with its texts in *lang*."""
        return Verdict(self._h, _opt_str(lang, "lang"))

    @property
    def lang(self):
        """The language asked for, or None for the locale."""
        return self._lang

    @property
    def reply(self):
        """The parsed :class:`Reply`."""
        r = self._reply
        if r is None:
            r = self._reply = Reply(_v_reply(self._h))
        return r

    code = property(lambda self: self.reply.code, doc="the basic reply code as an int, or None")
    enhanced = property(lambda self: self.reply.enhanced,
                        doc="the enhanced status code as written in the reply, or None")
    text = property(lambda self: self.reply.text, doc="the reply text")
    command = property(lambda self: self.reply.command, doc="the command the reply answered, or None")
    remote_host = property(lambda self: self.reply.remote_host, doc="the remote host, or None")
    status = property(lambda self: _v_status(self._h) or None,
                      doc="the enhanced status code the verdict used, or None")
    klass = property(lambda self: _v_class(self._h),
                     doc='"success", "intermediate", "transient", "permanent" or "unknown"')
    category = klass
    reason = property(lambda self: _v_reason(self._h),
                      doc='the reason ("userunknown", "mailboxfull", "greylisted", ...)')
    bounce = property(lambda self: bool(_v_bounce(self._h)), doc="True for a failure (4xx or 5xx)")
    hard_bounce = property(lambda self: bool(_v_hard(self._h)),
                           doc="True when the address should not be tried again")
    soft_bounce = property(lambda self: bool(_v_bounce(self._h)) and not _v_hard(self._h),
                           doc="True for a failure that may go away")
    retry = property(lambda self: bool(_v_retry(self._h)), doc="whether retrying later may work")
    vendor = property(lambda self: _v_vendor(self._h),
                      doc="id of the mail system the reply was read as, or None")
    mismatch = property(lambda self: bool(_raw.smtpcodes_verdict_has_mismatch(self._h)),
                        doc="True when basic and enhanced code disagree (450 5.2.3)")
    summary = property(lambda self: _raw.smtpcodes_verdict_get_summary(self._h, self._lang),
                       doc="one-line summary")
    explanation = property(lambda self: _raw.smtpcodes_verdict_get_explanation(self._h, self._lang),
                           doc="what the reply means")
    advice = property(lambda self: _raw.smtpcodes_verdict_get_advice(self._h, self._lang),
                      doc="what the sender or the administrator can do, or None")
    notes = property(lambda self: _raw.smtpcodes_verdict_get_notes(self._h, self._lang),
                     doc="remarks such as a basic/enhanced mismatch, as a list of str")
    evidence = property(lambda self: _raw.smtpcodes_verdict_get_evidence(self._h),
                        doc="which module entries and patterns decided, as a list of str")

    @property
    def entry(self):
        """The :class:`Entry` that decided, or None."""
        e = _raw.smtpcodes_verdict_get_entry(self._h)
        return None if e is None else Entry(e, self._lang)

    @property
    def entries(self):
        """Every :class:`Entry` that applies, most specific first."""
        return [Entry(e, self._lang) for e in _raw.smtpcodes_verdict_get_entries(self._h)]

    @property
    def alternatives(self):
        """Other readings of the reply, as a list of :class:`Alternative`."""
        h, lang = self._h, self._lang
        out = []
        for i in range(_raw.smtpcodes_verdict_get_n_alternatives(h)):
            kind = _raw.smtpcodes_binding_alternative_kind(h, i)
            label = _raw.smtpcodes_verdict_get_alternative_label(h, i, lang)
            entry = _raw.smtpcodes_binding_alternative_entry(h, i)
            out.append(Alternative(kind, label, Entry(entry, lang)))
        return out

    _FIELDS = ("code", "enhanced", "status", "klass", "reason", "bounce", "hard_bounce",
               "retry", "vendor", "mismatch", "summary", "explanation", "advice", "notes",
               "evidence", "text", "command", "remote_host")

    def to_dict(self):
        """The verdict as a dict of plain values (JSON-serialisable); ``alternatives`` is
        a list of dicts."""
        d = {name: getattr(self, name) for name in self._FIELDS}
        d["alternatives"] = [a.to_dict() for a in self.alternatives]
        return d

    def __eq__(self, other):
        if not isinstance(other, Verdict):
            return NotImplemented
        return self._h is other._h and self._lang == other._lang or self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash((self.code, self.status, self.reason, self.text))

    def __repr__(self):
        return "<smtpcodes.Verdict %s %s %s %s %s>" % (
            self.code, self.status or "-", self.klass, self.reason,
            "hard" if self.hard_bounce else "soft" if self.bounce else "ok")


class Registry:
    """A loaded, immutable set of data modules.

    Args:
        module_path: directories to search for ``*.codes`` modules, in order; None
            means the default search path (``$SMTPCODES_MODULE_PATH``, the XDG data
            dirs, the installed module directory), ``[]`` means none.
        files: load exactly these module files instead of searching directories.
        strict: any defect of any module raises :class:`ModuleError` (by default a bad
            module is skipped and listed in :attr:`rejected`).
        builtin: load the built-in standard modules (default True).

    A registry may be shared by any number of threads.
    """

    __slots__ = ("_h", "__weakref__")

    def __init__(self, module_path=None, files=None, strict=False, builtin=True):
        flags = (_raw.SMTPCODES_LOAD_STRICT if strict else 0) | \
                (0 if builtin else _raw.SMTPCODES_LOAD_NO_BUILTIN)
        if isinstance(module_path, str) or isinstance(files, str):
            raise InputTypeError("module_path and files take a list of str, not a str")
        if files is not None:
            self._h = _raw.smtpcodes_registry_new_from_files(
                [_opt_str(f, "a file name") for f in files], flags)
        else:
            if module_path is not None:
                module_path = [_opt_str(str(p), "a module directory") for p in module_path]
            self._h = _raw.smtpcodes_registry_new(module_path, flags)

    @classmethod
    def _wrap(cls, handle):
        self = cls.__new__(cls)
        self._h = handle
        return self

    def explain(self, text, lang=None, vendor=None):
        """Parse *text* (a reply, a log line or a bounce text; str or bytes) and explain
        it.  *vendor* names a module id to read the codes as that mail system does
        (None recognises it from the text).  Returns a :class:`Verdict`."""
        if vendor is not None:
            vendor = _opt_str(vendor, "vendor")
        if lang is not None:
            lang = _opt_str(lang, "lang")
        return Verdict(_explain_text(self._h, text, vendor), lang)

    def explain_reply(self, reply, lang=None, vendor=None):
        """Explain an already parsed :class:`Reply`."""
        if not isinstance(reply, Reply):
            raise InputTypeError("expected a smtpcodes.Reply, not %s" % type(reply).__name__)
        return Verdict(_raw.smtpcodes_registry_explain(self._h, reply._h, _opt_str(vendor, "vendor")),
                       _opt_str(lang, "lang"))

    def parse_reply(self, text):
        """Parse *text* into a :class:`Reply` (raises :class:`ReplyError` subclasses)."""
        return Reply(_raw.smtpcodes_registry_parse_reply(self._h, text))

    def lookup(self, code, vendor=None, lang=None):
        """Every meaning of *code* ("550", "5.7.1", "550 5.1.1", or an int), most specific
        first, as a list of :class:`Entry`; an unknown code gives an empty list."""
        code = _code_str(code)
        lang = _opt_str(lang, "lang")
        return [Entry(e, lang) for e in
                _raw.smtpcodes_registry_lookup(self._h, _opt_str(vendor, "vendor"), code)]

    def lookup_command(self, name, lang=None):
        """The :class:`Entry` of an SMTP command ("RCPT TO", "EHLO"), or None."""
        e = _raw.smtpcodes_registry_lookup_command(self._h, _opt_str(name, "name") or "")
        return None if e is None else Entry(e, _opt_str(lang, "lang"))

    def list(self, module_id=None, lang=None):
        """The entries of one module (or of all modules), as a list of :class:`Entry`."""
        lang = _opt_str(lang, "lang")
        return [Entry(e, lang) for e in
                _raw.smtpcodes_registry_list(self._h, _opt_str(module_id, "module_id"))]

    @property
    def modules(self):
        """Ids of the loaded modules, in search order."""
        return _raw.smtpcodes_binding_module_ids(self._h)

    @property
    def rejected(self):
        """Messages for the modules that were skipped (file, line, key and why)."""
        return _raw.smtpcodes_binding_rejected(self._h)

    def __repr__(self):
        return "<smtpcodes.Registry %s>" % " ".join(self.modules)


_default = None


def default_registry():
    """The process-wide default :class:`Registry` (loaded once)."""
    global _default
    reg = _default
    if reg is None:
        # two threads may get here at once; the C default is built once, so both
        # wrappers hold the same registry
        reg = _default = Registry._wrap(_raw.smtpcodes_binding_default_registry())
    return reg


def explain(text, lang=None, vendor=None):
    """Parse and explain *text* with the default registry; see :meth:`Registry.explain`.

    >>> explain("550 5.1.1 User unknown").reason
    'userunknown'
    """
    reg = _default or default_registry()
    if vendor is not None:
        vendor = _opt_str(vendor, "vendor")
    if lang is not None:
        lang = _opt_str(lang, "lang")
    return Verdict(_explain_text(reg._h, text, vendor), lang)


def lookup(code, vendor=None, lang=None):
    """Every meaning of *code* in the default registry; see :meth:`Registry.lookup`."""
    return default_registry().lookup(code, vendor=vendor, lang=lang)


def parse_reply(text):
    """Parse *text* into a :class:`Reply` with the default registry."""
    return default_registry().parse_reply(text)


def lookup_command(name, lang=None):
    """The :class:`Entry` of an SMTP command in the default registry, or None."""
    return default_registry().lookup_command(name, lang=lang)


def reasons():
    """The reason vocabulary (docs/module-format.md), as a list of str."""
    return _raw.smtpcodes_binding_reasons()


def is_reason(reason):
    """True if *reason* is a word of the reason vocabulary."""
    return bool(_raw.smtpcodes_registry_is_reason(_opt_str(reason, "reason") or ""))


def validate(filename, strict=True):
    """Check one module file; returns None or raises :class:`ModuleError`."""
    _raw.smtpcodes_registry_validate_file(_opt_str(str(filename), "filename"),
                                          _raw.SMTPCODES_LOAD_STRICT if strict else 0)
