"""Contact imports: the file stored in the database in chunks, progress counters, bad rows
(``newsletter.imports``)."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.extensions import db

from .base import JSONType, created_at_column


class ImportStatus:
    UPLOADED = "uploaded"  # waiting for the column mapping
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    DONE = (FINISHED, FAILED)


class ContactImport(db.Model):
    """One uploaded file imported into one list. The file itself lives in ImportChunk rows
    so any worker host can read it (no local files) and nobody holds it whole in memory."""

    __tablename__ = "contact_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("mailing_list.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(8))  # csv | xml
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    encoding: Mapped[str] = mapped_column(String(20), default="utf-8")
    delimiter: Mapped[str] = mapped_column(String(2), default=",")
    has_header: Mapped[bool] = mapped_column(default=True)
    mapping: Mapped[list] = mapped_column(JSONType, default=list)  # one target per column
    legal_basis: Mapped[str] = mapped_column(String(32), default="consent")
    source: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.UPLOADED)
    error: Mapped[str | None] = mapped_column(Text)
    chunks_done: Mapped[int] = mapped_column(Integer, default=0)
    lines_done: Mapped[int] = mapped_column(Integer, default=0)  # resume point after a crash
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)  # new contacts
    subscribed: Mapped[int] = mapped_column(Integer, default=0)  # new subscriptions
    duplicates: Mapped[int] = mapped_column(Integer, default=0)  # already on the list
    #: new contacts left out because the plan's contact limit was reached
    over_limit: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    suppressed: Mapped[int] = mapped_column(Integer, default=0)  # erased or unsubscribed
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.FINISHED:
            return 100
        return int(100 * self.chunks_done / self.chunk_count) if self.chunk_count else 0


class ImportChunk(db.Model):
    __tablename__ = "contact_import_chunk"

    import_id: Mapped[int] = mapped_column(
        ForeignKey("contact_import.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ImportIssue(db.Model):
    """An invalid row: its line number in the file and why it was refused."""

    __tablename__ = "contact_import_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("contact_import.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    value: Mapped[str] = mapped_column(String(300), default="")


