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

Bounce messages: :func:`analyze_bounce` reads one message (bytes) and returns a
:class:`Report`, one :class:`Recipient` per address it reports on; :func:`read_bounces`
iterates over the messages of a file, an mbox, a maildir or a directory:

>>> for report in smtpcodes.read_bounces("Maildir/.bounces"):  # doctest: +SKIP
...     for r in report.recipients:
...         print(r.address, r.status, r.reason, "hard" if r.hard_bounce else "soft")

``Recipient.to_dict()`` gives the object ``smtpcodes bounce --json`` prints for it.

Errors raise :class:`Error` (a ``ValueError``) or one of its subclasses, chosen by the
C library's error code; ``str(error)`` is the library's message.
"""

import os as _os
import sys as _sys
import threading as _threading

from . import raw as _rawmod  # registers the wrapper types (and their destructors)
from . import _raw
from ._errors import (  # noqa: F401  (re-exported)
    Error, ReplyError, ReplySyntaxError, NoCodeError, TooLongError, InputTypeError,
    InvalidCodeError, InvalidValueError, ModuleError, BounceError, MessageError, ReadError,
    ERROR_DOMAIN, ERROR_CODES,
)

__all__ = [
    "explain", "lookup", "parse_reply", "lookup_command", "reasons", "is_reason",
    "validate", "default_registry", "analyze_bounce", "read_bounces",
    "Registry", "Verdict", "Reply", "Entry", "Alternative", "Report", "Recipient", "BounceReader",
    "Error", "ReplyError", "ReplySyntaxError", "NoCodeError", "TooLongError",
    "InputTypeError", "InvalidCodeError", "InvalidValueError", "ModuleError",
    "BounceError", "MessageError", "ReadError",
    "REPLY_MAX_LENGTH", "REPORT_SCAN_LIMIT", "REPORT_KINDS",
]

__version__ = "1.0"

#: the longest reply text the parser accepts, in bytes
REPLY_MAX_LENGTH = _raw.SMTPCODES_REPLY_MAX_LENGTH

#: how many bytes of one message the bounce analyser reads at most (the rest, normally
#: the returned original and its attachments, is not looked at)
REPORT_SCAN_LIMIT = _raw.SMTPCODES_REPORT_SCAN_LIMIT

#: the values of :attr:`Report.kind`
REPORT_KINDS = ("not-bounce", "bounce", "delay", "delivery", "autoreply", "feedback")

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

_report_fields = _raw.smtpcodes_py_report_fields
_report_parse = _raw.smtpcodes_report_parse
_rcpt_verdict = _raw.smtpcodes_binding_recipient_verdict
_text_lang = _raw.smtpcodes_binding_text_lang
_reader_next = _raw.smtpcodes_report_reader_next
_reader_source = _raw.smtpcodes_report_reader_get_source


def _message_bytes(data):
    """Bounce data as an immutable bytes object: bytes as it is, any other buffer (bytearray,
    memoryview, mmap, ...) copied, str encoded as UTF-8 (surrogate escapes back to the bytes
    they stand for)."""
    if type(data) is bytes:
        return data
    if isinstance(data, str):
        try:
            return data.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return data.encode("utf-8", "replace")
    try:
        return bytes(memoryview(data))
    except TypeError:
        pass
    raise InputTypeError("expected the message as bytes (or str), got %s"
                         % ("None" if data is None else type(data).__name__), 0)


def _registry_arg(registry):
    if registry is None:
        return _default or default_registry()
    if not isinstance(registry, Registry):
        raise InputTypeError("registry must be a smtpcodes.Registry or None, not %s"
                             % type(registry).__name__, 0)
    return registry


def _report(fields, lang, source, index):
    """A Report from the fields of smtpcodes_py_report_fields."""
    rep = Report.__new__(Report)
    rep._f = fields
    rep._lang = lang
    rep._source = source
    rep._index = index
    info = (fields[0], fields[1], fields[2], source, index)
    rep._rcpts = [Recipient._make(info, t, lang) for t in fields[6]]
    return rep


class Recipient:
    """One recipient of a bounce (or other report) and what happened to it.

    The attributes are read once, when the message is analysed: ``address``, the
    ``original_address`` (as the sender wrote it, when the report gives it), the
    ``action`` (``"failed"``, ``"delayed"``, ``"delivered"``, ...), the enhanced
    ``status`` code, the ``reply_code`` (an int), the ``diagnostic`` text, the
    ``remote_mta`` that refused, the SMTP ``command`` it refused, the ``reason`` (from
    the vocabulary of docs/module-format.md, plus ``"feedback"`` and ``"vacation"``),
    ``hard_bounce`` (True when the address will never work: remove it) and ``retry``.
    What is not known is None.  :attr:`verdict` is the :class:`Verdict` of the reply;
    :attr:`summary`, :attr:`explanation` and :attr:`advice` are its texts in the
    language asked for (:meth:`in_lang` for another).

    :meth:`to_dict` gives the object ``smtpcodes bounce --json`` prints.  Two recipients
    are equal when the analysis says the same of them; the file they were read from and
    the language of their texts do not count.
    """

    __slots__ = ("_f", "_info", "_lang", "_verdict")

    @classmethod
    def _make(cls, info, fields, lang):
        self = cls.__new__(cls)
        self._f = fields
        self._info = info
        self._lang = lang
        self._verdict = None
        return self

    def __init__(self, *args, **kwargs):
        raise TypeError("Recipient objects come from analyze_bounce() and read_bounces()")

    address = property(lambda self: self._f[1] or None,
                       doc="the recipient address the report is about, or None")
    original_address = property(lambda self: self._f[2] or None,
                                doc="the address as the sender gave it (Original-Recipient), or None")
    action = property(lambda self: self._f[3] or None,
                      doc='"failed", "delayed", "delivered", "relayed", "expanded", or None')
    status = property(lambda self: self._f[4] or None,
                      doc='the enhanced status code ("5.1.1"), or None')
    reply_code = property(lambda self: self._f[5] or None,
                          doc="the SMTP reply code as an int (550), or None")
    diagnostic = property(lambda self: self._f[6] or None,
                          doc="the diagnostic text (the remote server's reply), or None")
    remote_mta = property(lambda self: self._f[7] or None,
                          doc="the host that refused the message, or None")
    command = property(lambda self: self._f[8] or None,
                       doc='the SMTP command that was refused ("RCPT"), or None')
    reason = property(lambda self: self._f[9],
                      doc='why ("userunknown", "mailboxfull", "blocked", ..., "feedback", "vacation")')
    hard_bounce = property(lambda self: self._f[10],
                           doc="True when retrying can never succeed: remove the address")
    retry = property(lambda self: self._f[11], doc="whether sending again later may work")
    kind = property(lambda self: self._info[0], doc="the kind of the report (Report.kind)")
    lang = property(lambda self: self._lang, doc="the language of the texts (None: the locale)")

    @property
    def soft_bounce(self):
        """True for a failure that may go away (a bounce or a delay that is no hard bounce)."""
        return self._info[0] in ("bounce", "delay") and not self._f[10]

    @property
    def verdict(self):
        """The :class:`Verdict` of the recipient's reply (in this recipient's language)."""
        v = self._verdict
        if v is None:
            h = _rcpt_verdict(self._f[0])
            if h is None:
                return None
            v = self._verdict = Verdict(h, self._lang)
        return v

    @property
    def summary(self):
        """One-line summary of the reply."""
        v = self.verdict
        return None if v is None else v.summary

    @property
    def explanation(self):
        """What the reply means."""
        v = self.verdict
        return None if v is None else v.explanation

    @property
    def advice(self):
        """What the sender or the administrator can do, or None."""
        v = self.verdict
        return None if v is None else v.advice

    def in_lang(self, lang):
        """The same recipient with its texts in *lang*."""
        return Recipient._make(self._info, self._f, _opt_str(lang, "lang"))

    def to_dict(self, lang=None):
        """The recipient as ``smtpcodes bounce --json`` prints it: the same keys (``file``,
        ``message``, ``kind``, ``format``, ``reporting_mta``, ``recipient``,
        ``original_recipient``, ``action``, ``status``, ``replycode``, ``reason``,
        ``hardbounce``, ``retry``, ``diagnostic``, ``remote_mta``, ``command``,
        ``vendor``, ``lang``, ``summary``, ``explanation``, ``advice``) and the same
        values (``replycode`` a string, ``""`` for none; ``hardbounce`` 0 or 1).  The
        texts are in *lang* (default: the recipient's language)."""
        lang = self._lang if lang is None else _opt_str(lang, "lang")
        kind, fmt, mta, source, index = self._info
        f = self._f
        v = _rcpt_verdict(f[0])
        return {
            "schema": 1, "file": source, "message": index, "kind": kind, "format": fmt,
            "reporting_mta": mta, "recipient": f[1], "original_recipient": f[2], "action": f[3],
            "status": f[4], "replycode": "%d" % f[5] if f[5] else "", "reason": f[9],
            "hardbounce": 1 if f[10] else 0, "retry": f[11], "diagnostic": f[6],
            "remote_mta": f[7], "command": f[8],
            "vendor": None if v is None else _v_vendor(v),
            "lang": _text_lang(lang),
            "summary": None if v is None else _raw.smtpcodes_verdict_get_summary(v, lang),
            "explanation": None if v is None else _raw.smtpcodes_verdict_get_explanation(v, lang),
            "advice": None if v is None else _raw.smtpcodes_verdict_get_advice(v, lang),
        }

    def _key(self):
        return self._info[:3] + self._f[1:]

    def __eq__(self, other):
        if not isinstance(other, Recipient):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        f = self._f
        return "<smtpcodes.Recipient %s %s %s %s %s %s>" % (
            f[1] or "?", f[3] or "-", f[5] or "-", f[4] or "-", f[9],
            "hard" if f[10] else "soft" if self.soft_bounce else self._info[0])


class Report:
    """What one message says: its ``kind`` (one of :data:`REPORT_KINDS`: ``"bounce"``,
    ``"delay"``, ``"delivery"``, ``"autoreply"``, ``"feedback"`` or ``"not-bounce"``),
    its ``format`` (``"rfc3464"``, ``"rfc3464-text"``, ``"arf"``, ``"rfc3834"``,
    ``"text"``, ``"none"``, ...), the ``reporting_mta``, the ``from_`` header (as
    written), the ``subject`` and ``message_id`` of the notice, and ``recipients``, a
    list of :class:`Recipient` (empty for a message that is no report).

    ``source`` is the file the message was read from and ``index`` its number in that
    file (from 1, as ``smtpcodes bounce --json`` prints them); for
    :func:`analyze_bounce` they are ``"-"`` and 1, as for standard input.

    Reports are immutable and may be shared between threads.  Two reports are equal when
    they say the same (kind, format, header fields and recipients), wherever they were
    read.
    """

    __slots__ = ("_f", "_lang", "_source", "_index", "_rcpts")

    def __init__(self, *args, **kwargs):
        raise TypeError("Report objects come from analyze_bounce() and read_bounces()")

    kind = property(lambda self: self._f[0], doc="the kind of message (one of REPORT_KINDS)")
    format = property(lambda self: self._f[1],
                      doc='how it was read ("rfc3464", "rfc3464-text", "arf", "rfc3834", "text", "none")')
    reporting_mta = property(lambda self: self._f[2] or None,
                             doc="the server that wrote the report (Reporting-MTA), or None")
    from_ = property(lambda self: self._f[3] or None,
                     doc="the From header of the notice, as written, or None")
    subject = property(lambda self: self._f[4] or None, doc="the decoded Subject of the notice, or None")
    message_id = property(lambda self: self._f[5] or None,
                          doc="the Message-ID of the notice, or None")
    source = property(lambda self: self._source,
                      doc='the file the message was read from ("-" for standard input or data)')
    index = property(lambda self: self._index, doc="the number of the message in its file, from 1")
    lang = property(lambda self: self._lang, doc="the language of the texts (None: the locale)")

    @property
    def recipients(self):
        """The recipients the report is about, as a list of :class:`Recipient`."""
        return list(self._rcpts)

    @property
    def bounce(self):
        """True for a delivery failure (kind ``"bounce"``)."""
        return self._f[0] == "bounce"

    def __len__(self):
        return len(self._rcpts)

    def __iter__(self):
        return iter(self._rcpts)

    def __bool__(self):
        return True

    def in_lang(self, lang):
        """The same report with its texts in *lang*."""
        return _report(self._f, _opt_str(lang, "lang"), self._source, self._index)

    def to_dict(self, lang=None):
        """The report as a dict: ``file``, ``message``, ``kind``, ``format``,
        ``reporting_mta``, ``from``, ``subject``, ``message_id`` and ``recipients``, a
        list of :meth:`Recipient.to_dict`."""
        return {
            "file": self._source, "message": self._index, "kind": self._f[0], "format": self._f[1],
            "reporting_mta": self._f[2], "from": self._f[3], "subject": self._f[4],
            "message_id": self._f[5], "recipients": [r.to_dict(lang) for r in self._rcpts],
        }

    def to_records(self, lang=None):
        """The objects ``smtpcodes bounce --json`` prints for this message: one per
        recipient (:meth:`Recipient.to_dict`), or, for a message without recipients, one
        whose ``recipient`` is None."""
        if self._rcpts:
            return [r.to_dict(lang) for r in self._rcpts]
        return [{"schema": 1, "file": self._source, "message": self._index, "kind": self._f[0],
                 "format": self._f[1], "reporting_mta": self._f[2], "recipient": None}]

    def _key(self):
        return self._f[:6] + tuple(r._key() for r in self._rcpts)

    def __eq__(self, other):
        if not isinstance(other, Report):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        n = len(self._rcpts)
        return "<smtpcodes.Report %s %s %d recipient%s %s#%s>" % (
            self._f[0], self._f[1], n, "" if n == 1 else "s", self._source, self._index)


class BounceReader:
    """An iterator over the messages of a file, an mbox, a maildir (``new/`` then ``cur/``)
    or a directory of message files, in name order; made by :func:`read_bounces`.  It
    yields a :class:`Report` per message, with its ``source`` and ``index``.

    A message that cannot be read (an empty file, no header) raises :class:`MessageError`
    (a file that cannot be read: :class:`ReadError`), with ``source`` and ``index``; the
    next call goes on with the next message.  With *on_error*, the error is passed to it
    instead and the message is skipped.

    Files are mapped, not read into memory; the GIL is released while a message is read
    and analysed.  Many threads may take messages from one reader (each gets different
    ones); :meth:`close` (or a ``with`` block) frees it early.
    """

    __slots__ = ("_h", "_lock", "_lang", "_on_error", "_name", "_last", "_index", "_path")

    def __init__(self, *args, **kwargs):
        raise TypeError("BounceReader objects come from read_bounces()")

    @classmethod
    def _make(cls, handle, path, name, lang, on_error):
        self = cls.__new__(cls)
        self._h = handle
        self._lock = _threading.Lock()
        self._lang = lang
        self._on_error = on_error
        self._name = name
        self._last = None
        self._index = 0
        self._path = path
        return self

    path = property(lambda self: self._path,
                    doc='what was opened: the path as given, "-", or the name of the file object')

    def __iter__(self):
        return self

    def _step(self):
        """(report, None), (None, error), or (None, None) at the end."""
        with self._lock:
            h = self._h
            if h is None:
                return None, None
            try:
                rep = _reader_next(h)
                err = None
            except Error as e:
                rep, err = None, e
            if rep is None and err is None:
                self._h = None  # at the end: unmap the last file now
                return None, None
            source = self._name if self._name is not None else _reader_source(h)
            if source != self._last:
                self._last = source
                self._index = 0
            self._index += 1
            if err is not None:
                err.source = source
                err.index = self._index
                return None, err
            return _report(_report_fields(rep), self._lang, source, self._index), None

    def __next__(self):
        while True:
            rep, err = self._step()
            if rep is not None:
                return rep
            if err is None:
                raise StopIteration
            if self._on_error is None:
                raise err
            self._on_error(err)

    def close(self):
        """Free the reader; iteration ends."""
        with self._lock:
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        return "<smtpcodes.BounceReader %r%s>" % (self._path, "" if self._h is not None else " closed")


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

    def analyze_bounce(self, data, lang=None):
        """Analyse one message with this registry; see :func:`analyze_bounce`."""
        return _analyze(self, data, lang)

    def read_bounces(self, path, lang=None, on_error=None):
        """Iterate over the messages of *path* with this registry; see :func:`read_bounces`."""
        return _read(self, path, lang, on_error)

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


def _analyze(reg, data, lang):
    data = _message_bytes(data)
    if lang is not None:
        lang = _opt_str(lang, "lang")
    return _report(_report_fields(_report_parse(reg._h, data)), lang, "-", 1)


def analyze_bounce(data, registry=None, lang=None):
    """Analyse one e-mail message and return a :class:`Report`.

    *data* is the message as bytes, raw as it was received (an mbox ``From`` line before
    it is skipped); a bytearray, memoryview or other buffer is copied first, and a str is
    taken as UTF-8 (a str read with ``errors="surrogateescape"`` gives back its bytes).
    Only the first :data:`REPORT_SCAN_LIMIT` bytes are read, so a message of any size
    costs at most that much.  *registry* is a :class:`Registry` (default: the default
    registry); *lang* the language of the recipients' texts.

    A message that is no bounce gives a report of kind ``"not-bounce"`` without
    recipients.  Empty data or data that does not start with a header field raises
    :class:`MessageError`; anything but bytes or str raises :class:`InputTypeError`.  The
    GIL is released while the message is analysed.

    >>> r = analyze_bounce(open("bounce.eml", "rb").read())  # doctest: +SKIP
    >>> [(x.address, x.status, x.hard_bounce) for x in r.recipients]  # doctest: +SKIP
    [('nobody@example.net', '5.1.1', True)]
    """
    return _analyze(_registry_arg(registry), data, lang)


def _read(reg, path, lang, on_error):
    if lang is not None:
        lang = _opt_str(lang, "lang")
    if on_error is not None and not callable(on_error):
        raise InputTypeError("on_error must be callable or None", 0)
    if isinstance(path, (str, bytes)) and path in ("-", b"-"):
        stdin = getattr(_sys.stdin, "buffer", _sys.stdin)
        return BounceReader._make(_raw.smtpcodes_report_reader_new_for_data(
            reg._h, _message_bytes(stdin.read())), "-", "-", lang, on_error)
    if hasattr(path, "read"):
        name = getattr(path, "name", None)
        name = name if isinstance(name, str) else "-"
        return BounceReader._make(_raw.smtpcodes_report_reader_new_for_data(
            reg._h, _message_bytes(path.read())), name, name, lang, on_error)
    try:
        fspath = _os.fspath(path)
    except TypeError:
        raise InputTypeError("expected a path, '-' or a binary file object, got %s"
                             % ("None" if path is None else type(path).__name__), 0) from None
    raw = _os.fsencode(fspath)
    if b"\0" in raw:
        raise InvalidValueError("the path contains a NUL byte", 6)
    return BounceReader._make(_raw.smtpcodes_report_reader_new(reg._h, raw),
                              _os.fsdecode(fspath), None, lang, on_error)


def read_bounces(path, registry=None, lang=None, on_error=None):
    """Iterate over the messages of *path* and yield a :class:`Report` for each.

    *path* is a message file, an mbox (split at its ``From`` lines), a maildir (``new/``
    then ``cur/``) or a directory of message files (as str, bytes or a path object);
    ``"-"`` reads ``sys.stdin``, and a binary file object (``open(p, "rb")``,
    ``io.BytesIO``) is read to its end.  Each report has the ``source`` file and its
    ``index`` in it.  Returns a :class:`BounceReader`; a path that does not exist raises
    :class:`ReadError` at once.

    A message that cannot be read raises :class:`MessageError` (or :class:`ReadError`)
    from the iterator, naming the file and the message number; iteration may go on.
    Pass *on_error* (a callable taking the error) to report and skip them instead:

    >>> for rep in read_bounces("bounces.mbox", on_error=print):  # doctest: +SKIP
    ...     for r in rep.recipients:
    ...         print(r.address, r.reason)
    """
    return _read(_registry_arg(registry), path, lang, on_error)
