"""CSV import and export of block-list entries.

Columns (header row required, any order, missing ones empty): organization (registration
number, exact name or #id), branch (name, within the organization when one is given),
person ("First Last" or #id), email, phone (with country code), channels ("email", "sms" or
both, separated by comma, semicolon or space), note. Comma, semicolon and tab delimited
files are understood; UTF-8 (with or without BOM), else Windows-1250."""

import csv
import io
import re
from dataclasses import dataclass, field, fields

from flask_babel import gettext
from sqlalchemy import select

from newsletter.models import BlocklistEntry
from newsletter.platform import audit
from newsletter.platform.csvcells import safe_cell, unescape_cell

from .entries import (
    FIELDS,
    BlocklistError,
    EntryData,
    EntryInvalid,
    entry_data,
    entry_loads,
    resolve_fields,
    save_entry,
)

COLUMNS = [f.name for f in fields(EntryData)]


@dataclass
class ImportReport:
    created: int = 0
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (line, why skipped)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1250", errors="replace")


def _reader(text: str) -> csv.DictReader:
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # the header row says which one the file uses
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    if not header or not set(header) & set(COLUMNS):
        raise BlocklistError(gettext("The first row must name the columns: %(columns)s.",
                                     columns=", ".join(COLUMNS)))
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise BlocklistError(gettext("Unknown column %(unknown)s; use %(columns)s.",
                                     unknown=", ".join(map(repr, unknown)),
                                     columns=", ".join(COLUMNS)))
    reader.fieldnames = header
    return reader


def _row_data(row: dict) -> EntryData:
    values = {name: unescape_cell((row.get(name) or "").strip()) for name in COLUMNS}
    channels = [c.lower() for c in re.split(r"[,;\s]+", values.pop("channels")) if c]
    return EntryData(channels=channels, **values)


def import_entries(session, raw: bytes, created_by_id: int | None = None) -> ImportReport:
    """Add the file's entries. Bad rows are reported with their line number and reason and
    skipped; good rows are kept. Rows equal to an existing entry are skipped as duplicates."""
    reader = _reader(_decode(raw))
    report = ImportReport()
    for row in reader:
        line = reader.line_num
        if None in row:
            report.errors.append((line, gettext("More cells than columns in the header.")))
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        data = _row_data(row)
        try:
            same = _existing(session, resolve_fields(session, data))
            if same is not None:
                report.duplicates.append((line, _duplicate_note(same, data.channels)))
                continue
            save_entry(session, None, data, created_by_id)
        except EntryInvalid as exc:
            report.errors.append((line, "; ".join(f"{k}: {v}" for k, v in exc.errors.items())))
        else:
            report.created += 1
    return report


def _existing(session, values: dict) -> BlocklistEntry | None:
    """An entry filling exactly the same fields with the same values."""
    cond = [getattr(BlocklistEntry, f).is_(None) if values[f] is None
            else getattr(BlocklistEntry, f) == values[f] for f in FIELDS]
    return session.scalar(select(BlocklistEntry).where(*cond).limit(1))


def _duplicate_note(entry: BlocklistEntry, channels: list[str]) -> str:
    has = sorted(c.channel for c in entry.channels)
    if set(channels) - set(has):
        return gettext("Already on the block list as entry #%(id)d, forbidding only "
                       "%(channels)s: edit it to add channels.", id=entry.id,
                       channels=", ".join(has))
    return gettext("Already on the block list as entry #%(id)d.", id=entry.id)


def export_entries(session, actor: str) -> str:
    """Every entry as CSV in the import's columns, so an export can be imported elsewhere.
    The entries name people (addresses, numbers): the download goes to the audit log, and
    the caller commits."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    entries = session.scalars(
        select(BlocklistEntry).options(*entry_loads()).order_by(BlocklistEntry.id))
    count = 0
    for entry in entries:
        data = entry_data(entry)
        cells = [getattr(data, name) for name in COLUMNS]
        cells[COLUMNS.index("channels")] = " ".join(data.channels)
        writer.writerow([safe_cell(c) for c in cells])
        count += 1
    audit.record_export(session, actor, "blocklist", "block list", count)
    return out.getvalue()
