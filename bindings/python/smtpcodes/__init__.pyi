# Type stub for the smtpcodes package (libsmtpcodes Python bindings).
from os import PathLike
from typing import (Any, BinaryIO, Callable, Dict, Iterable, Iterator, List, Optional, Sequence,
                    Tuple, Union)

Text = Union[str, bytes]
_Path = Union[str, PathLike]
# bytes (or str as UTF-8); any other buffer (bytearray, memoryview, mmap) is copied
MessageData = Union[bytes, bytearray, memoryview, str]
# a file, mbox, maildir or directory (str, bytes or path object), "-" for sys.stdin, or a
# binary file object
MailboxSource = Union[str, bytes, PathLike, BinaryIO]

__version__: str
REPLY_MAX_LENGTH: int
REPORT_SCAN_LIMIT: int
REPORT_KINDS: Tuple[str, ...]
ERROR_DOMAIN: str
ERROR_CODES: Tuple[str, ...]

class Error(ValueError):
    message: str
    code: int
    domain: str
    name: str
    def __init__(self, message: str, code: int = ..., domain: str = ...) -> None: ...

class ReplyError(Error): ...
class ReplySyntaxError(ReplyError): ...
class NoCodeError(ReplyError): ...
class TooLongError(ReplyError): ...
class InputTypeError(ReplyError, TypeError): ...
class InvalidCodeError(Error): ...
class InvalidValueError(Error): ...
class ModuleError(Error): ...
class BounceError(Error):
    source: Optional[str]
    index: Optional[int]
class MessageError(BounceError): ...
class ReadError(BounceError): ...

class Entry:
    kind: str
    code: str
    reply_code: Optional[int]
    status: Optional[str]
    command: Optional[str]
    module: str
    klass: str
    category: str
    reason: str
    generic: bool
    retry: bool
    source: Optional[str]
    usage: Optional[str]
    line: int
    related: List[str]
    markers: List[str]
    obsoleted_by: Optional[str]
    summary: Optional[str]
    explanation: Optional[str]
    advice: Optional[str]
    def in_lang(self, lang: Optional[str]) -> Entry: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Alternative:
    kind: str
    label: str
    entry: Entry
    def to_dict(self) -> Dict[str, Any]: ...

class Reply:
    code: Optional[int]
    enhanced: Optional[str]
    text: Optional[str]
    command: Optional[str]
    remote_host: Optional[str]
    context: Optional[str]
    input: str
    n_lines: int
    code_only: bool
    def to_dict(self) -> Dict[str, Any]: ...

class Verdict:
    lang: Optional[str]
    reply: Reply
    code: Optional[int]
    enhanced: Optional[str]
    text: Optional[str]
    command: Optional[str]
    remote_host: Optional[str]
    status: Optional[str]
    klass: str
    category: str
    reason: str
    bounce: bool
    hard_bounce: bool
    soft_bounce: bool
    retry: bool
    vendor: Optional[str]
    mismatch: bool
    summary: Optional[str]
    explanation: Optional[str]
    advice: Optional[str]
    notes: List[str]
    evidence: List[str]
    entry: Optional[Entry]
    entries: List[Entry]
    alternatives: List[Alternative]
    def in_lang(self, lang: Optional[str]) -> Verdict: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Recipient:
    address: Optional[str]
    original_address: Optional[str]
    action: Optional[str]
    status: Optional[str]
    reply_code: Optional[int]
    diagnostic: Optional[str]
    remote_mta: Optional[str]
    command: Optional[str]
    reason: str
    hard_bounce: bool
    soft_bounce: bool
    retry: bool
    kind: str
    lang: Optional[str]
    verdict: Optional[Verdict]
    summary: Optional[str]
    explanation: Optional[str]
    advice: Optional[str]
    def in_lang(self, lang: Optional[str]) -> Recipient: ...
    def to_dict(self, lang: Optional[str] = ...) -> Dict[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Report:
    kind: str
    format: str
    reporting_mta: Optional[str]
    from_: Optional[str]
    subject: Optional[str]
    message_id: Optional[str]
    source: str
    index: int
    lang: Optional[str]
    recipients: List[Recipient]
    bounce: bool
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Recipient]: ...
    def in_lang(self, lang: Optional[str]) -> Report: ...
    def to_dict(self, lang: Optional[str] = ...) -> Dict[str, Any]: ...
    def to_records(self, lang: Optional[str] = ...) -> List[Dict[str, Any]]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class BounceReader(Iterator[Report]):
    path: str
    def __iter__(self) -> BounceReader: ...
    def __next__(self) -> Report: ...
    def close(self) -> None: ...
    def __enter__(self) -> BounceReader: ...
    def __exit__(self, *exc: Any) -> bool: ...

class Registry:
    def __init__(self, module_path: Optional[Iterable[_Path]] = ..., files: Optional[Sequence[str]] = ...,
                 strict: bool = ..., builtin: bool = ...) -> None: ...
    def explain(self, text: Text, lang: Optional[str] = ..., vendor: Optional[str] = ...) -> Verdict: ...
    def explain_reply(self, reply: Reply, lang: Optional[str] = ..., vendor: Optional[str] = ...) -> Verdict: ...
    def parse_reply(self, text: Text) -> Reply: ...
    def lookup(self, code: Union[str, int], vendor: Optional[str] = ..., lang: Optional[str] = ...) -> List[Entry]: ...
    def lookup_command(self, name: str, lang: Optional[str] = ...) -> Optional[Entry]: ...
    def list(self, module_id: Optional[str] = ..., lang: Optional[str] = ...) -> List[Entry]: ...
    def analyze_bounce(self, data: MessageData, lang: Optional[str] = ...) -> Report: ...
    def read_bounces(self, path: MailboxSource, lang: Optional[str] = ...,
                     on_error: Optional[Callable[[BounceError], Any]] = ...) -> BounceReader: ...
    @property
    def modules(self) -> List[str]: ...
    @property
    def rejected(self) -> List[str]: ...

def default_registry() -> Registry: ...
def explain(text: Text, lang: Optional[str] = ..., vendor: Optional[str] = ...) -> Verdict: ...
def lookup(code: Union[str, int], vendor: Optional[str] = ..., lang: Optional[str] = ...) -> List[Entry]: ...
def parse_reply(text: Text) -> Reply: ...
def lookup_command(name: str, lang: Optional[str] = ...) -> Optional[Entry]: ...
def reasons() -> List[str]: ...
def is_reason(reason: str) -> bool: ...
def validate(filename: _Path, strict: bool = ...) -> None: ...
def analyze_bounce(data: MessageData, registry: Optional[Registry] = ..., lang: Optional[str] = ...) -> Report: ...
def read_bounces(path: MailboxSource, registry: Optional[Registry] = ..., lang: Optional[str] = ...,
                 on_error: Optional[Callable[[BounceError], Any]] = ...) -> BounceReader: ...
