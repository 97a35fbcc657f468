"""Files a campaign uses: uploaded images (served from /media/<key>) and attachments,
judged by their content and size, not by what the upload claims."""

import mimetypes
import secrets
import unicodedata

from flask_babel import gettext
from sqlalchemy import func, select

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
#: what a browser renders as a page (and could run script in) or an operating system runs
BLOCKED_EXTENSIONS = frozenset({
    "html", "htm", "xhtml", "xht", "shtml", "shtm", "mht", "mhtml", "svg", "svgz", "xml",
    "xsl", "xslt", "hta", "js", "mjs", "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "psm1",
    "exe", "bat", "cmd", "com", "scr", "pif", "msi", "msp", "cpl", "jar", "sh", "lnk", "reg",
    "swf", "application", "appref-ms", "url",
})
#: content types that would be rendered or run whatever the name says
BLOCKED_TYPES = ("text/html", "application/xhtml", "image/svg", "text/xml", "application/xml",
                 "text/javascript", "application/javascript", "application/x-msdownload")


def attachment_name(filename: str) -> str:
    """The name an attachment is stored and sent under, or a ComposerError. Windows and
    browsers ignore trailing dots and spaces (``evil.html.``), so those are removed before
    the extension is judged; a path is cut to its last part and control characters are
    refused."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rpartition("/")[2])
    name = name.rstrip(". \t")[-200:]
    if not name or any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise ComposerError(gettext("That file name cannot be used; rename the file."),
                            field="file")
    _, dot, extension = name.rpartition(".")
    if dot and extension.lower() in BLOCKED_EXTENSIONS:
        raise ComposerError(gettext("That kind of file cannot be attached."), field="file")
    return name


def attachment_type(name: str, claimed: str) -> str:
    """The content type sent with an attachment: from its (checked) name, never a type a
    mail client or browser would render as a page."""
    guessed = mimetypes.guess_type(name, strict=False)[0] or claimed or ""
    if "/" not in guessed or guessed.lower().startswith(BLOCKED_TYPES):
        return "application/octet-stream"
    return guessed


def add_image(session, filename: str, data: bytes) -> Upload:
    """Store an uploaded image; only PNG, JPEG and GIF up to 2 MB, judged by content."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ComposerError(gettext("Images can be at most 2 MB."), field="image")
    content_type = next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if content_type is None:
        raise ComposerError(gettext("Only PNG, JPEG and GIF images can be uploaded."),
                            field="image")
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
    name = attachment_name(filename)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ComposerError(gettext("An attachment can be at most 5 MB."), field="file")
    total = session.scalar(select(func.coalesce(func.sum(CampaignAttachment.size), 0))
                           .where(CampaignAttachment.campaign_id == campaign.id))
    if total + len(data) > MAX_ATTACHMENTS_TOTAL:
        raise ComposerError(gettext("Attachments of one campaign can be at most 10 MB together."),
                            field="file")
    item = CampaignAttachment(campaign_id=campaign.id, filename=name, size=len(data),
                              content_type=attachment_type(name, content_type), data=data)
    session.add(item)
    session.flush()
    return item


def remove_attachment(session, campaign_id: int, attachment_id: int) -> None:
    editable(session, campaign_id)
    item = session.get(CampaignAttachment, attachment_id)
    if item is None or item.campaign_id != campaign_id:
        raise ComposerError(gettext("That attachment does not exist."))
    session.delete(item)
    session.flush()
