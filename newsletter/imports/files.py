"""Reading import files: encoding and delimiter detection, streaming CSV and XML records,
and turning one record into a clean contact row (or a reason why it is refused).

Files are read as a stream of chunks, so memory stays flat however large the file is.

XML schema (also in README.md)::

    <contacts>
      <contact>
        <email>jana.novak@example.sk</email>          required
        <phone>+421905123456</phone>                   optional, with country code
        <first_name>Jana</first_name>                  optional
        <last_name>Nováková</last_name>                optional
        <language>sk</language>                        optional, defaults to the list's
        <attribute name="city">Žilina</attribute>      any number, stored on the contact
      </contact>
    </contacts>
"""

import codecs
import csv
import io
import json
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from xml.parsers import expat

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext

from newsletter.audience.addresses import (
    InvalidAddress,
    InvalidName,
    clean_name,
    is_language,
    normalize_email,
    normalize_phone,
)
from newsletter.sms.numbers import InvalidPhone
from newsletter.texts import N_, stored

#: What a column can be mapped to ("" = ignored).
TARGETS = {"email": lazy_gettext("E-mail"), "phone": lazy_gettext("Phone"),
           "first_name": lazy_gettext("First name"), "last_name": lazy_gettext("Last name"),
           "language": lazy_gettext("Language"), "attribute": lazy_gettext("Attribute"),
           "": lazy_gettext("Ignore")}
ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": lazy_gettext("UTF-8 with BOM"),
             "cp1250": "Windows-1250", "iso-8859-2": "ISO-8859-2",
             "latin-1": "ISO-8859-1 (Latin-1)"}
DELIMITERS = {",": lazy_gettext("Comma (,)"), ";": lazy_gettext("Semicolon (;)"),
              "\t": lazy_gettext("Tab"), "|": lazy_gettext("Pipe (|)")}
XML_FIELDS = ("email", "phone", "first_name", "last_name", "language")
HEADER_GUESSES = {
    "email": ("email", "e-mail", "mail", "emailova adresa", "e-mailova adresa", "address"),
    "phone": ("phone", "telefon", "tel", "mobil", "mobile", "gsm", "telefón"),
    "first_name": ("first name", "firstname", "first_name", "given name", "meno", "jméno",
                   "jmeno", "krstné meno", "ime", "vorname"),
    "last_name": ("last name", "lastname", "last_name", "surname", "family name",
                  "priezvisko", "příjmení", "prijmeni", "priimek", "nachname"),
    "language": ("language", "lang", "jazyk", "jezik", "sprache"),
}
LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
MAX_ATTRIBUTE = 500


#: What can be wrong with a row. The import runs in a worker, with nobody's language: the
#: reason is stored in English (``stored``, newsletter.texts) and the report page shows
#: it in the reader's language, while the rejected-rows CSV stays in English. Each is
#: marked with N_ where it is raised.
class RowError(Exception):
    """This row cannot be imported; ``reason`` says why."""

    def __init__(self, line: int, reason: str, cells: list[str] | None = None):
        super().__init__(line, reason)
        self.line, self.reason, self.cells = line, reason, cells


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    values: dict[str, str]  # target field -> raw text
    attributes: dict[str, str]
    cells: list[str] | None = None  # the CSV row as read, for the list of refused rows


@dataclass(frozen=True, slots=True)
class CleanRow:
    line: int
    email: str
    phone: str | None
    first_name: str | None
    last_name: str | None
    language: str
    attributes: str  # JSON


# --- reading the stored file -------------------------------------------------------------
class ChunkStream(io.RawIOBase):
    """A binary stream over the file's chunks, fetched one at a time by ``fetch(seq)``."""

    def __init__(self, fetch: Callable[[int], bytes], count: int,
                 on_chunk: Callable[[int], None] | None = None):
        self._fetch, self._count, self._on_chunk = fetch, count, on_chunk
        self._seq = 0
        self._buf = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buf:
            if self._seq >= self._count:
                return 0
            self._buf = memoryview(self._fetch(self._seq))
            self._seq += 1
            if self._on_chunk:
                self._on_chunk(self._seq)
        n = min(len(target), len(self._buf))
        target[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


#: what a file that is no text begins with -> what to call it
BINARY_KINDS = (
    (b"\x89PNG", lazy_gettext("an image (PNG)")),
    (b"\xff\xd8\xff", lazy_gettext("an image (JPEG)")),
    (b"GIF8", lazy_gettext("an image (GIF)")), (b"%PDF", lazy_gettext("a PDF document")),
    (b"PK\x03\x04", lazy_gettext("an archive or an Excel/Word file (ZIP); save the sheet as CSV")),
    (b"\xd0\xcf\x11\xe0", lazy_gettext("an old Excel/Word file; save the sheet as CSV")),
)


def binary_kind(sample: bytes) -> str | None:
    """What a file is when it is not text (None: text, maybe CSV or XML). No supported
    encoding has NUL bytes in text."""
    for magic, kind in BINARY_KINDS:
        if sample.startswith(magic):
            return kind
    return lazy_gettext("a binary file") if b"\x00" in sample else None


def detect_encoding(sample: bytes) -> str:
    """UTF-8 with BOM, UTF-8, else Windows-1250 (the usual export of CZ/SK systems)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1250"
    return "utf-8"


def detect_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sum(line.count(d) for line in lines) for d in DELIMITERS}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def guess_target(header: str) -> str:
    name = header.strip().lower().replace("_", " ")
    for target, names in HEADER_GUESSES.items():
        if name in names or name.replace(" ", "_") in names:
            return target
    return "attribute" if name else ""


def looks_like_header(first: list[str]) -> bool:
    return not any("@" in cell for cell in first)


def preview(sample: bytes, encoding: str, delimiter: str, limit: int = 6) -> list[list[str]]:
    """The first rows of a CSV sample, decoded, for the mapping screen."""
    text = sample.decode(encoding, errors="replace")
    if len(sample) >= 65536:  # the sample may end mid-row
        text = text[: text.rfind("\n") + 1] or text
    rows = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        if any(cell.strip() for cell in row):
            rows.append(row)
        if len(rows) >= limit:
            break
    return rows


# --- records -----------------------------------------------------------------------------
def csv_records(raw: io.RawIOBase, encoding: str, delimiter: str, has_header: bool,
                mapping: list[str]) -> Iterator[Record | RowError]:
    """Records of a CSV stream with the line they start on; a broken row yields a
    RowError carrying its line, and reading goes on."""
    text = io.TextIOWrapper(io.BufferedReader(raw, 1 << 16), encoding=encoding,
                            errors="replace", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    build = None if has_header else _record_builder(mapping, [])
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            previous_end = reader.line_num
            yield RowError(start, stored(N_("unreadable CSV: %(detail)s"), detail=exc))
            continue
        previous_end = reader.line_num
        if build is None:
            build = _record_builder(mapping, [c.strip() or f"column {i + 1}"
                                              for i, c in enumerate(row)])
            continue
        if not any(row) or not any(cell.strip() for cell in row):
            continue
        yield build(start, row)


def _record_builder(mapping: list[str], names: list[str]):
    """A function turning a CSV row into a Record by the column mapping."""
    fields = [(i, t) for i, t in enumerate(mapping) if t and t != "attribute"]
    attributes = [(i, names[i] if i < len(names) else f"column {i + 1}")
                  for i, t in enumerate(mapping) if t == "attribute"]

    def build(line: int, row: list[str]) -> Record:
        width = len(row)
        values = {t: row[i] for i, t in fields if i < width}
        extra = {}
        for i, name in attributes:
            if i < width and (value := row[i].strip()):
                extra[name] = value
        return Record(line, values, extra, row)

    return build


class _XmlContacts:
    """expat handlers collecting <contact> elements into Records."""

    def __init__(self, parser):
        self.parser = parser
        self.ready: deque[Record] = deque()
        self.record: Record | None = None
        self.kind: str | None = None  # element being read inside <contact>
        self.name = ""  # the attribute's name for <attribute name="...">
        self.text: list[str] = []
        parser.StartDoctypeDeclHandler = self.refuse
        parser.EntityDeclHandler = self.refuse
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
        parser.CharacterDataHandler = self.text.append

    def refuse(self, *_args):
        raise RowError(self.parser.CurrentLineNumber,
                       stored(N_("DTDs and entities are not allowed")))

    def start(self, name, attrs):
        if name == "contact":
            self.record = Record(self.parser.CurrentLineNumber, {}, {})
        elif self.record is not None:
            self.kind, self.name = name, attrs.get("name", "")
        self.text.clear()

    def end(self, name):
        if self.record is None:
            return
        if name == "contact":
            self.ready.append(self.record)
            self.record = None
            return
        value = "".join(self.text)
        if self.kind == "attribute" and self.name and value.strip():
            self.record.attributes[self.name] = value.strip()
        elif self.kind in XML_FIELDS:
            self.record.values[self.kind] = value
        self.kind = None


def xml_records(raw: io.RawIOBase) -> Iterator[Record | RowError]:
    """Records of an XML stream (schema in the module docstring), parsed incrementally.
    DTDs and entities are refused. A syntax error ends the file with a RowError."""
    parser = expat.ParserCreate()
    handler = _XmlContacts(parser)
    buffered = io.BufferedReader(raw, 1 << 16)
    while True:
        data = buffered.read(1 << 16)
        try:
            parser.Parse(data, not data)
        except expat.ExpatError as exc:
            yield from handler.ready
            reason = expat.errors.messages[exc.code]
            yield RowError(exc.lineno, stored(N_(
                "the XML is not well-formed: %(detail)s (nothing after this point was read)"),
                detail=reason))
            return
        except RowError as exc:
            yield from handler.ready
            yield exc
            return
        while handler.ready:
            yield handler.ready.popleft()
        if not data:
            return


# --- cleaning ----------------------------------------------------------------------------
@lru_cache(maxsize=20000)
def _domain(domain: str) -> str | None:
    try:
        return validate_email(f"a@{domain}", check_deliverability=False).ascii_domain.lower()
    except EmailNotValidError:
        return None


def fast_normalize_email(address: str) -> str:
    """``addresses.normalize_email`` with a fast path for plain ASCII addresses: the domain
    is validated by email-validator once per domain, the local part by its dot-atom rule."""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if at and len(local) <= 64 and len(address) <= 254 and LOCAL_PART.fullmatch(local):
        ascii_domain = _domain(domain)
        if ascii_domain is not None:
            return f"{local.lower()}@{ascii_domain}"
    return normalize_email(address)


def clean(record: Record, default_language: str) -> CleanRow:
    """A clean row or RowError(line, reason)."""
    try:
        return _clean(record, default_language)
    except RowError as exc:
        raise RowError(record.line, exc.reason, record.cells) from None


def _clean(record: Record, default_language: str) -> CleanRow:
    values, attributes = record.values, record.attributes
    if "\ufffd" in "".join(values.values()) or "\ufffd" in "".join(attributes.values()):
        raise RowError(0, stored(N_("characters that are not valid in the chosen encoding")))
    raw_email = values.get("email", "").strip()
    if not raw_email:
        raise RowError(0, stored(N_("no e-mail address")))
    try:
        email = fast_normalize_email(raw_email)
    except InvalidAddress:
        raise RowError(0, stored(N_("%(address)s is not a valid e-mail address"),
                                   address=repr(raw_email))) from None
    return CleanRow(record.line, email, *clean_details(values, attributes, default_language))


#: one encoder for every row: ``json.dumps`` with an option builds a new one per call
attributes_json = json.JSONEncoder(ensure_ascii=False).encode


def clean_details(values: dict[str, str], attributes: dict[str, str],
                  default_language: str) -> tuple:
    """A row's phone (E.164 or None), first and last name, language and attributes (JSON),
    or RowError: what every row has besides its e-mail address."""
    phone = values.get("phone", "").strip()
    language = values.get("language", "").strip().lower() or default_language
    if not is_language(language):
        raise RowError(0, stored(
            N_("language %(language)s is not a language code like 'sk' or 'cs'"),
            language=repr(language)))
    first_name, last_name = _name(values, "first_name"), _name(values, "last_name")
    if attributes and max(map(len, attributes.values())) > MAX_ATTRIBUTE:
        raise RowError(0, stored(N_("a value is longer than %(max)s characters"),
                                  max=MAX_ATTRIBUTE))
    return (_phone(phone) if phone else None, first_name, last_name, language,
            attributes_json(attributes) if attributes else "{}")


def _name(values: dict[str, str], field: str) -> str | None:
    value = values.get(field, "")
    if len(value.strip()) > 100:
        raise RowError(0, stored(N_("a name is longer than 100 characters")))
    try:
        return clean_name(value, "a name")
    except InvalidName:  # the length was checked above: line breaks or control characters
        raise RowError(0, stored(
            N_("a name cannot contain line breaks or control characters"))) from None


def _phone(number: str) -> str:
    try:
        return normalize_phone(number)
    except InvalidAddress as exc:
        raise RowError(0, _phone_problem(number, exc)) from None


def _phone_problem(number: str, exc: InvalidAddress) -> str:
    cause, phone = exc.__cause__, repr(number.strip())
    code = cause.reason if isinstance(cause, InvalidPhone) else None
    if code == "no_country_code":
        return stored(N_("phone %(phone)s needs a country code (+421…)"), phone=phone)
    if code == "impossible":
        return stored(N_("phone %(phone)s is not a possible number"), phone=phone)
    if code == "unparsable" and cause.__cause__ is not None:
        return stored(N_("phone %(phone)s is not a phone number: %(detail)s"), phone=phone,
                       detail=cause.__cause__)
    return str(exc)
