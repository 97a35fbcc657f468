"""Themes: colours, font, logo and footer set once for every message that uses them."""

import re

from sqlalchemy import select

from newsletter.errors import DomainError
from newsletter.models import Theme
from newsletter.platform import limits

from . import media
from .rendering import Style

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
FONTS = {
    "Arial, Helvetica, sans-serif": "Arial / Helvetica",
    "Georgia, 'Times New Roman', serif": "Georgia (serif)",
    "Verdana, Geneva, sans-serif": "Verdana",
    "'Trebuchet MS', Tahoma, sans-serif": "Trebuchet / Tahoma",
    "'Courier New', Courier, monospace": "Courier (monospace)",
}
FIELDS = ("name", "primary_color", "background_color", "text_color", "font_family",
          "logo_url", "organization", "contact_details", "legal_notice")


class ThemeError(DomainError):
    pass


def style(theme: Theme | None) -> Style:
    """The renderer's view of a theme (the default look when there is none)."""
    if theme is None:
        return Style()
    return Style(**{name: getattr(theme, name) or "" for name in FIELDS if name != "name"})


def list_themes(session) -> list[Theme]:
    return list(session.scalars(select(Theme).order_by(Theme.name)))


def get_theme(session, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise ThemeError("That theme does not exist.")
    return theme


def preview_style(values) -> Style:
    """The look of a theme being edited (the form's values, unsaved), for the live
    preview: a value that would not save (a half-typed colour, an unknown font, a logo
    that is no http(s) or /media/ address) shows as the default instead."""
    default = Style()
    looks = {}
    for name in FIELDS[1:]:
        value = str(values.get(name) or "").strip()[:2000]
        if name.endswith("_color"):
            ok = bool(COLOR.match(value))
        elif name == "font_family":
            ok = value in FONTS
        else:
            ok = name != "logo_url" or _logo_ok(value)
        looks[name] = value if ok else getattr(default, name)
    return Style(**looks)


def _logo_ok(logo: str) -> bool:
    return not logo or logo.startswith(("https://", "http://", "/media/"))


def save_theme(session, theme_id: int | None, logo: tuple[str, bytes] | None = None,
               **values) -> Theme:
    """Create or update a theme; colours must be #rrggbb, the font one of FONTS, the logo
    an http(s) or /media/ address, and the name unique. ``logo``: an uploaded image
    (file name, bytes) that becomes the theme's logo."""
    if logo is not None:
        upload = media.add_image(session, *logo)
        values["logo_url"] = f"/media/{upload.key}"
    for name in ("primary_color", "background_color", "text_color"):
        if not COLOR.match(values[name] or ""):
            raise ThemeError(f"{name.replace('_', ' ').capitalize()} must look like #1a5fb4.")
    if values["font_family"] not in FONTS:
        raise ThemeError("Choose one of the offered fonts.")
    if not _logo_ok((values.get("logo_url") or "").strip()):
        raise ThemeError("The logo must be an http(s) address or an uploaded image.")
    taken = session.scalar(select(Theme.id).where(Theme.name == values["name"].strip()))
    if taken is not None and taken != theme_id:
        raise ThemeError("Another theme already has that name.")
    if not theme_id:
        limits.check(session, "themes")
    theme = get_theme(session, theme_id) if theme_id else Theme()
    for name in FIELDS:
        setattr(theme, name, (values.get(name) or "").strip())
    session.add(theme)
    session.flush()
    return theme
