"""Importing contacts into a list: upload (stored in the database in chunks), column
mapping, and the RQ job that streams the file in batches through ``staging``.

Progress counters live on the ``contact_import`` row and are committed with every batch,
together with the batch's data, so a retried job resumes after the last committed line."""

import csv
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from queue import Full, Queue

from flask_babel import gettext
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from newsletter.audience.suppression import address_hasher
from newsletter.errors import DomainError
from newsletter.models import (
    ContactImport,
    ImportChunk,
    ImportIssue,
    ImportStatus,
    LegalBasis,
    MailingList,
    utcnow,
)
from newsletter.platform import audit, limits
from newsletter.platform.csvcells import safe_cell
from newsletter.texts import N_, stored

from . import files
from .staging import StagedBatch, load_batch, stage

CHUNK_SIZE = 1 << 20  # bytes per stored chunk
BATCH_SIZE = 10_000  # rows per set-based batch
MAX_ISSUES = 10_000  # invalid rows kept with line and reason (all are counted)
SAMPLE_SIZE = 1 << 16


class ImportSetupError(DomainError):
    pass


def store_upload(session, list_id: int, stream, filename: str, actor: str) -> ContactImport:
    """Store an uploaded file (a binary stream) chunk by chunk and guess how to read it."""
    if session.get(MailingList, list_id) is None:
        raise ImportSetupError(gettext("That list does not exist."))
    first = stream.read(CHUNK_SIZE)
    if not first.strip():
        raise ImportSetupError(gettext("The file is empty."))
    kind = files.binary_kind(first[:SAMPLE_SIZE])
    if kind:
        raise ImportSetupError(gettext("This is not a CSV or XML file: it looks like %(kind)s.",
                                       kind=kind))
    xml = filename.lower().endswith(".xml") or first.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] == b"<"
    imp = ContactImport(list_id=list_id, filename=filename[:255] or "upload",
                        format="xml" if xml else "csv", created_by=actor,
                        encoding=files.detect_encoding(first[:SAMPLE_SIZE]))
    session.add(imp)
    session.flush()
    seq, size, chunk = 0, 0, first
    while chunk:
        session.execute(insert(ImportChunk), [{"import_id": imp.id, "seq": seq, "data": chunk}])
        seq, size = seq + 1, size + len(chunk)
        chunk = stream.read(CHUNK_SIZE)
    imp.chunk_count, imp.size_bytes = seq, size
    if not xml:
        _guess_csv_layout(imp, first[:SAMPLE_SIZE])
    session.flush()
    return imp


def _guess_csv_layout(imp: ContactImport, sample: bytes) -> None:
    text = sample.decode(imp.encoding, errors="replace")
    imp.delimiter = files.detect_delimiter(text)
    rows = files.preview(sample, imp.encoding, imp.delimiter, limit=1)
    first = rows[0] if rows else []
    imp.has_header = files.looks_like_header(first)
    if imp.has_header:
        imp.mapping = [files.guess_target(cell) for cell in first]
    else:
        imp.mapping = ["email" if "@" in cell else "" for cell in first]


def get_import(session, import_id: int) -> ContactImport:
    imp = session.get(ContactImport, import_id)
    if imp is None:
        raise ImportSetupError(gettext("That import does not exist."))
    return imp


def sample(session, import_id: int) -> bytes:
    data = session.scalar(select(ImportChunk.data).where(
        ImportChunk.import_id == import_id, ImportChunk.seq == 0))
    return (data or b"")[:SAMPLE_SIZE]


def preview_rows(session, import_id: int, encoding: str, delimiter: str,
                 limit: int = 6) -> list[list[str]]:
    """The first rows as the editor's choice of encoding and delimiter reads them."""
    imp = get_import(session, import_id)
    encoding = encoding if encoding in files.ENCODINGS else imp.encoding
    delimiter = delimiter if delimiter in files.DELIMITERS else imp.delimiter
    return files.preview(sample(session, import_id), encoding, delimiter, limit)


def configure(session, import_id: int, *, legal_basis: str, source: str,
              encoding: str | None = None, delimiter: str | None = None,
              has_header: bool = True, mapping: list[str] | None = None) -> ContactImport:
    """Check and save how to read the file and on what legal basis; queue it."""
    imp = get_import(session, import_id)
    if imp.status != ImportStatus.UPLOADED:
        raise ImportSetupError(gettext("This import has already been started."))
    if legal_basis not in LegalBasis.ALL:
        raise ImportSetupError(gettext("Choose the legal basis: consent, legitimate interest "
                                       "or contract."))
    if imp.format == "csv":
        mapping = [m or "" for m in (mapping or [])]
        if encoding not in files.ENCODINGS or delimiter not in files.DELIMITERS:
            raise ImportSetupError(gettext("Choose an encoding and a delimiter from the lists."))
        if any(m not in files.TARGETS for m in mapping):
            raise ImportSetupError(gettext("Unknown column target."))
        if mapping.count("email") != 1:
            raise ImportSetupError(gettext("Map exactly one column to E-mail."))
        for target in ("phone", "first_name", "last_name", "language"):
            if mapping.count(target) > 1:
                raise ImportSetupError(gettext("Only one column can be %(target)s.",
                                               target=files.TARGETS[target]))
        imp.encoding, imp.delimiter, imp.has_header, imp.mapping = (
            encoding, delimiter, has_header, mapping)
    imp.legal_basis, imp.source = legal_basis, source.strip()[:200]
    imp.status = ImportStatus.QUEUED
    session.flush()
    return imp


def retry(session, import_id: int) -> ContactImport:
    """Queue a failed import again; it resumes after the last committed line."""
    imp = get_import(session, import_id)
    if imp.status != ImportStatus.FAILED:
        raise ImportSetupError(gettext("Only a failed import can be tried again."))
    imp.status, imp.error = ImportStatus.QUEUED, None
    session.flush()
    return imp


# --- the job -----------------------------------------------------------------------------
def run(session, import_id: int, batch_size: int = BATCH_SIZE) -> None:
    """Import the file in batches, committing data and counters batch by batch. A failed
    run is marked failed and re-raised; RQ's retry (or the editor) resumes it."""
    imp = session.get(ContactImport, import_id)
    if imp is None or imp.status in (ImportStatus.UPLOADED, ImportStatus.FINISHED):
        return
    imp.status, imp.error = ImportStatus.RUNNING, None
    imp.started_at = imp.started_at or utcnow()
    session.commit()
    try:
        _run(session, imp, batch_size)
    except Exception as exc:
        session.rollback()
        imp = session.get(ContactImport, import_id)
        imp.status, imp.error = ImportStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        imp.finished_at = utcnow()
        session.commit()
        raise


def _run(session, imp: ContactImport, batch_size: int) -> None:
    language = session.get(MailingList, imp.list_id).language
    source = imp.source or f"import #{imp.id} ({imp.filename})"
    reader = BatchReader(session.get_bind(), imp, language, batch_size)
    for number, batch in enumerate(reader.batches(), 1):
        for attempt in range(3):
            try:
                _apply(session, imp, source, batch, refresh_stats=number & (number - 1) == 0)
                break
            except IntegrityError:  # a signup took one of the addresses meanwhile
                session.rollback()
                if attempt == 2:
                    raise
    imp.status, imp.finished_at, imp.chunks_done = (
        ImportStatus.FINISHED, utcnow(), imp.chunk_count)
    discard_file(session, imp.id)  # personal data: keep the outcome, not the file
    session.commit()


def _apply(session, imp: ContactImport, source: str, batch: "ReadBatch",
           refresh_stats: bool) -> None:
    """One batch: data, counters and resume point in one transaction."""
    if batch.staged is not None:
        counts = load_batch(session, imp.list_id, imp.legal_basis, source, batch.staged,
                            refresh_stats, room=limits.remaining(session, "contacts"),
                            list_already=MAX_ISSUES - imp.invalid)
        imp.over_limit += counts.over_limit
        imp.created += counts.created
        imp.subscribed += counts.subscribed
        imp.duplicates += counts.duplicates
        imp.suppressed += counts.suppressed
        _record_repeats(session, imp, batch.staged.repeats, counts.already)
    _record_issues(session, imp, batch.issues)
    imp.rows_total += batch.rows
    imp.lines_done = max(imp.lines_done, batch.last_line)
    imp.chunks_done = batch.chunks_done
    session.commit()


def _record_issues(session, imp: ContactImport, issues: list[files.RowError]) -> None:
    room = MAX_ISSUES - imp.invalid
    if issues and room > 0:
        session.execute(insert(ImportIssue), [
            {"import_id": imp.id, "line": i.line, "reason": i.reason[:300],
             "value": (imp.delimiter or ",").join(i.cells)[:300] if i.cells else ""}
            for i in issues[:room]])
    imp.invalid += len(issues)


def _record_repeats(session, imp: ContactImport, repeats: list, already: list) -> None:
    """Rows repeating an address of the same batch, and rows whose address is already on
    the list (before the import or from an earlier batch of it), are listed too (counted
    as duplicates, not as invalid)."""
    room = MAX_ISSUES - imp.invalid
    rows = [{"import_id": imp.id, "line": line,
             "reason": stored(N_("the same address as line %(line)s (imported once)"),
                                     line=first),
             "value": address[:300]} for line, first, address in repeats]
    already_listed = stored(N_("already on the list"))
    rows += [{"import_id": imp.id, "line": line, "reason": already_listed,
              "value": address[:300]} for line, address in already]
    if rows and room > 0:
        session.execute(insert(ImportIssue), rows[:room])


@dataclass
class ReadBatch:
    staged: StagedBatch | None
    issues: list[files.RowError]
    rows: int  # data rows read, valid or not
    last_line: int
    chunks_done: int


class BatchReader:
    """Reads, cleans and stages the file's batches in a thread with its own database
    connection, so that parsing overlaps with the database applying the previous batch.
    At most two batches wait in the queue: memory stays flat."""

    def __init__(self, engine, imp: ContactImport, language: str, batch_size: int):
        self.engine, self.language, self.batch_size = engine, language, batch_size
        self.import_id, self.chunk_count, self.format = imp.id, imp.chunk_count, imp.format
        self.layout = (imp.encoding, imp.delimiter, imp.has_header, list(imp.mapping))
        self.resume_after = imp.lines_done
        self.hasher = address_hasher()
        self.postgres = engine.dialect.name == "postgresql"
        self.chunks_done = 0
        self.queue: Queue = Queue(maxsize=2)
        self.stop = threading.Event()

    def batches(self):
        thread = threading.Thread(target=self._run, name=f"import-{self.import_id}",
                                  daemon=True)
        thread.start()
        try:
            while (item := self.queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.stop.set()
            thread.join()

    def _run(self) -> None:
        try:
            with self.engine.connect() as conn:
                self._read(conn)
            self._put(None)
        except BaseException as exc:  # handed to the consuming thread
            self._put(exc)

    def _read(self, conn) -> None:
        rows: list[files.CleanRow] = []
        issues: list[files.RowError] = []
        for item in self._records(conn):
            if item.line <= self.resume_after:
                continue
            if isinstance(item, files.RowError):
                issues.append(item)
            else:
                try:
                    rows.append(files.clean(item, self.language))
                except files.RowError as exc:
                    issues.append(exc)
            if len(rows) + len(issues) >= self.batch_size:
                self._emit(rows, issues, item.line)
                rows, issues = [], []
            if self.stop.is_set():
                return
        self._emit(rows, issues, 0)

    def _emit(self, rows, issues, last_line: int) -> None:
        staged = stage(rows, self.hasher, self.postgres) if rows else None
        self._put(ReadBatch(staged, issues, len(rows) + len(issues), last_line,
                            self.chunks_done))

    def _put(self, item) -> None:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.5)
                return
            except Full:
                continue

    def _records(self, conn):
        def fetch(seq: int) -> bytes:
            data = conn.execute(select(ImportChunk.data).where(
                ImportChunk.import_id == self.import_id, ImportChunk.seq == seq)).scalar_one()
            conn.rollback()  # hold no transaction open between chunks
            return data

        def on_chunk(done: int) -> None:
            self.chunks_done = done - 1  # the chunk just fetched is not processed yet

        raw = files.ChunkStream(fetch, self.chunk_count, on_chunk)
        if self.format == "xml":
            return files.xml_records(raw)
        return files.csv_records(raw, *self.layout)


# --- reading the outcome -----------------------------------------------------------------
def status(imp: ContactImport) -> dict:
    fields = ("status", "percent", "rows_total", "created", "subscribed", "duplicates",
              "suppressed", "invalid", "error")
    return {"id": imp.id, **{f: getattr(imp, f) for f in fields}}


def issues_for(session, import_id: int, limit: int = 1000) -> list[ImportIssue]:
    return list(session.scalars(select(ImportIssue).where(ImportIssue.import_id == import_id)
                                .order_by(ImportIssue.line, ImportIssue.id).limit(limit)))


def record_rejects_export(session, import_id: int, actor: str) -> None:
    """The rejected rows are personal data: their download goes to the audit log."""
    imp = session.get(ContactImport, import_id)
    rows = session.scalar(select(func.count()).select_from(ImportIssue)
                          .where(ImportIssue.import_id == import_id))
    audit.record_export(session, actor, "import_rejects",
                        f"import {import_id} {imp.filename if imp else ''}".strip(), rows)


def rejected_csv(session, import_id: int) -> Iterator[str]:
    """The listed rows (invalid or repeated) as CSV: line, reason, the row as read."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in [("line", "reason", "row")] + [
            (i.line, i.reason, i.value) for i in issues_for(session, import_id, MAX_ISSUES)]:
        writer.writerow([safe_cell(cell) for cell in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def recent(session, limit: int = 20) -> list[tuple[ContactImport, MailingList]]:
    rows = session.execute(select(ContactImport, MailingList)
                           .join(MailingList, MailingList.id == ContactImport.list_id)
                           .order_by(ContactImport.id.desc()).limit(limit))
    return [(i, m) for i, m in rows]


def discard_abandoned(session, older_than: timedelta) -> int:
    """Uploads never set up (no mapping chosen) for ``older_than``: their stored file and
    row go. Returns how many."""
    ids = list(session.scalars(select(ContactImport.id).where(
        ContactImport.status == ImportStatus.UPLOADED,
        ContactImport.created_at < utcnow() - older_than)))
    if ids:
        session.execute(delete(ImportChunk).where(ImportChunk.import_id.in_(ids)))
        session.execute(delete(ImportIssue).where(ImportIssue.import_id.in_(ids)))
        session.execute(delete(ContactImport).where(ContactImport.id.in_(ids)))
    return len(ids)


def discard_file(session, import_id: int) -> None:
    """Drop the stored file of a finished import (its counters and issues stay)."""
    session.execute(delete(ImportChunk).where(ImportChunk.import_id == import_id))

