"""Themes: colours, font, logo and footer set once for every message that uses them."""

import re
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select, true, update

from newsletter.errors import DomainError
from newsletter.models import MailingList, Theme
from newsletter.platform import limits
from newsletter.texts import N_

from . import colours, media
from .rendering import Style

COLOR = colours.COLOUR
SITE = re.compile(r"^https?://[^\s/?#]+\S*$")
FONTS = {
    "Arial, Helvetica, sans-serif": "Arial / Helvetica",
    "Georgia, 'Times New Roman', serif": N_("Georgia (serif)"),
    "Verdana, Geneva, sans-serif": "Verdana",
    "'Trebuchet MS', Tahoma, sans-serif": "Trebuchet / Tahoma",
    "'Courier New', Courier, monospace": N_("Courier (monospace)"),
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
        raise ThemeError(gettext("That theme does not exist."))
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
               site_url: str = "", public_default: bool = False, **values) -> Theme:
    """Create or update a theme; colours must be #rrggbb, the font one of FONTS, the logo
    an http(s) or /media/ address, the site an http(s) address, and the name unique.
    ``logo``: an uploaded image (file name, bytes) that becomes the theme's logo.
    ``public_default``: public pages of lists without a theme wear this one (it stops
    being the default of any other theme)."""
    site_url = (site_url or "").strip()
    if site_url and not SITE.match(site_url):
        raise ThemeError(
            gettext("The site must be a web address starting with https:// (or http://)."))
    if logo is not None:
        upload = media.add_image(session, *logo)
        values["logo_url"] = f"/media/{upload.key}"
    colour_errors = {
        "primary_color": gettext("The primary colour must look like #1a5fb4."),
        "background_color": gettext("The background colour must look like #1a5fb4."),
        "text_color": gettext("The text colour must look like #1a5fb4."),
    }
    for name, message in colour_errors.items():
        if not COLOR.match(values[name] or ""):
            raise ThemeError(message)
    if values["font_family"] not in FONTS:
        raise ThemeError(gettext("Choose one of the offered fonts."))
    if not _logo_ok((values.get("logo_url") or "").strip()):
        raise ThemeError(gettext("The logo must be an http(s) address or an uploaded image."))
    taken = session.scalar(select(Theme.id).where(Theme.name == values["name"].strip()))
    if taken is not None and taken != theme_id:
        raise ThemeError(gettext("Another theme already has that name."))
    if not theme_id:
        limits.check(session, "themes")
    theme = get_theme(session, theme_id) if theme_id else Theme()
    for name in FIELDS:
        setattr(theme, name, (values.get(name) or "").strip())
    theme.site_url, theme.public_default = site_url, bool(public_default)
    if theme.public_default:
        session.execute(update(Theme).where(Theme.id != theme_id if theme_id else true())
                        .values(public_default=False))
    session.add(theme)
    session.flush()
    return theme


@dataclass(frozen=True)
class PageLook:
    """What a public page takes from a theme: colours made readable on the page (links
    and button text at 4.5:1 or more), the logo, and the way back to the owner's site."""

    theme_id: int
    background: str
    header_text: str  # on the background, around the cards
    link: str
    button: str
    button_text: str
    font_family: str
    logo_url: str
    organization: str
    site_url: str


def public_theme(session, mlist: MailingList | None = None) -> Theme | None:
    """The theme a list's public pages wear: its own, else the default one (if any)."""
    if mlist is not None and mlist.theme_id is not None:
        return session.get(Theme, mlist.theme_id)
    return session.scalar(select(Theme).where(Theme.public_default.is_(True)).limit(1))


def page_look(theme: Theme) -> PageLook:
    """The look of a public page wearing ``theme``; the stored values were checked at
    save, and are checked again here so the style sheet can only hold colours and fonts."""
    card = "#ffffff"  # public pages keep their text on white cards
    background = theme.background_color if COLOR.match(theme.background_color or "") \
        else Style.background_color
    primary = theme.primary_color if COLOR.match(theme.primary_color or "") \
        else Style.primary_color
    button = primary if colours.contrast(primary, card) >= 3 else colours.DARK_TEXT
    return PageLook(
        theme_id=theme.id, background=background,
        header_text=colours.readable_on(background, theme.text_color or Style.text_color),
        link=colours.readable_on(card, primary), button=button,
        button_text=colours.readable_on(button, "#ffffff"),
        font_family=theme.font_family if theme.font_family in FONTS else Style.font_family,
        logo_url=theme.logo_url if _logo_ok(theme.logo_url or "") else "",
        organization=theme.organization or "", site_url=theme.site_url or "")


def page_css(look: PageLook) -> str:
    """The public pages' style sheet for a theme (custom properties of static/style.css;
    the pages' CSP allows no inline styles)."""
    return (f":root {{ --bg: {look.background}; --accent: {look.button}; "
            f"--accent-fg: {look.button_text}; }}\n"
            f"body.public {{ font-family: {look.font_family}; color: {look.header_text}; }}\n"
            "body.public .card, body.public .flash { color: var(--fg); }\n"
            f"body.public main a:not(.button) {{ color: {look.link}; }}\n"
            f".site-header, .site-header a {{ color: {look.header_text}; }}\n")
