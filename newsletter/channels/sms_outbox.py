"""The development SMS gateway (the embedded default): every message is kept as one JSON file
in a directory, with its parts as a phone would get them, and admins read it at
/admin/outbox/sms like the e-mail outbox. Nothing leaves the machine."""

import json
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from newsletter.sms.parts import split
from newsletter.texts import N_, stored

from .base import OutgoingMessage, PermanentFailure

KEY = re.compile(r"[0-9]{8}T[0-9]{12}-[0-9a-f]{32}")


class SmsOutbox:
    """A Messenger that writes each SMS to ``directory`` (atomically: a temporary file
    renamed into place)."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def begin(self, sender: str, recipient: str) -> None:
        pass

    def send(self, message: OutgoingMessage, then=None, meanwhile=None) -> str:
        text = message.data.decode("utf-8")
        parts = split(text)
        if not parts.count:
            raise PermanentFailure(stored(N_("empty message")))
        now = datetime.now(UTC)
        key = f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex}"
        record = {"key": key, "received": now.isoformat(), "from": message.sender,
                  "to": message.recipient, "text": text, "encoding": parts.encoding,
                  "units": parts.units, "parts": list(parts.parts)}
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.directory / f".{key}.tmp"
        temporary.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.directory / f"{key}.json")
        return f"outbox {key} ({parts.count} part{'s' if parts.count > 1 else ''})"

    def close(self) -> None:
        pass


def list_messages(directory: str, limit: int = 200) -> list[dict]:
    """Newest first."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    names = sorted((p.name for p in folder.glob("*.json")), reverse=True)[:limit]
    return [m for m in (get_message(directory, n[:-5]) for n in names) if m is not None]


def get_message(directory: str, key: str) -> dict | None:
    if not KEY.fullmatch(key):
        return None
    path = Path(directory) / f"{key}.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    record["received"] = datetime.fromisoformat(record["received"])
    return record
