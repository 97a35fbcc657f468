"""Files a campaign uses: uploaded images (served from /media/<key>) and attachments,
judged by their content and size, not by what the upload claims."""

import secrets

from sqlalchemy import func, select

from newsletter.channels.headers import CONTROL
from newsletter.models import CampaignAttachment, Upload

from .composer import ComposerError, editable

IMAGE_TYPES = {  # magic bytes -> content type; the upload's own claim is not trusted
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS_TOTAL = 10 * 1024 * 1024
BLOCKED_EXTENSIONS = (".exe", ".bat", ".cmd", ".com", ".js", ".vbs", ".scr", ".msi", ".jar",
                      ".ps1", ".sh", ".html", ".htm")


def add_image(session, filename: str, data: bytes) -> Upload:
    """Store an uploaded image; only PNG, JPEG and GIF up to 2 MB, judged by content."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ComposerError("Images can be at most 2 MB.", field="image")
    content_type = next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if content_type is None:
        raise ComposerError("Only PNG, JPEG and GIF images can be uploaded.", field="image")
    upload = Upload(key=secrets.token_urlsafe(12), filename=filename[-200:] or "image",
                    content_type=content_type, size=len(data), data=data)
    session.add(upload)
    session.flush()
    return upload


def recent_images(session, limit: int = 24) -> list[Upload]:
    return list(session.scalars(select(Upload).order_by(Upload.id.desc()).limit(limit)))


def get_image(session, key: str) -> Upload | None:
    return session.scalar(select(Upload).where(Upload.key == key))


def add_attachment(session, campaign_id: int, filename: str, content_type: str,
                   data: bytes) -> CampaignAttachment:
    campaign = editable(session, campaign_id)
    name = (filename or "").strip()[-200:]
    if not name or name.lower().endswith(BLOCKED_EXTENSIONS):
        raise ComposerError("That kind of file cannot be attached.", field="file")
    if CONTROL.search(name):  # it is in the attachment's MIME headers
        raise ComposerError("A file name cannot contain line breaks or control characters.",
                            field="file")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ComposerError("An attachment can be at most 5 MB.", field="file")
    total = session.scalar(select(func.coalesce(func.sum(CampaignAttachment.size), 0))
                           .where(CampaignAttachment.campaign_id == campaign.id))
    if total + len(data) > MAX_ATTACHMENTS_TOTAL:
        raise ComposerError("Attachments of one campaign can be at most 10 MB together.",
                            field="file")
    if "/" not in (content_type or "") or content_type.startswith("text/html"):
        content_type = "application/octet-stream"
    item = CampaignAttachment(campaign_id=campaign.id, filename=name, size=len(data),
                              content_type=content_type, data=data)
    session.add(item)
    session.flush()
    return item


def remove_attachment(session, campaign_id: int, attachment_id: int) -> None:
    editable(session, campaign_id)
    item = session.get(CampaignAttachment, attachment_id)
    if item is None or item.campaign_id != campaign_id:
        raise ComposerError("That attachment does not exist.")
    session.delete(item)
    session.flush()
