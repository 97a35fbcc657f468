"""Languages of public pages and subscriber mail (Flask-Babel).

The catalogues live as ``.po`` files in ``newsletter/translations/``; they are compiled to
``.mo`` files under the instance folder when the app starts (only when a ``.po`` is newer),
so a fresh checkout needs no build step and nothing compiled is committed."""

import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from zoneinfo import available_timezones

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, has_request_context, request
from flask_babel import get_locale, refresh
from markupsafe import Markup, escape

from newsletter.extensions import babel

from . import form_messages

#: Languages of subscriber pages and mail, in the order a chooser shows them.
LANGUAGES = {"en": "English", "sk": "Slovenčina", "cs": "Čeština", "de": "Deutsch",
             "sl": "Slovenščina"}
DEFAULT = "en"
#: the zone a subscriber's times are shown in until they choose one: their language's usual
USUAL_TIME_ZONES = {"sk": "Europe/Bratislava", "cs": "Europe/Prague", "de": "Europe/Berlin",
                    "sl": "Europe/Ljubljana", "en": "UTC"}
#: IANA zones a subscriber can choose (the "Area/City" ones, and UTC)
TIME_ZONES = ("UTC", *sorted(z for z in available_timezones()
                            if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/",
                                                              "right/"))))
SOURCE = Path(__file__).resolve().parent.parent / "translations"


def use_language(code: str | None) -> None:
    """Show this request in the subscriber's preferred language (e.g. their profile's)."""
    if code in LANGUAGES:
        g.locale = code
        refresh()  # Flask-Babel caches the locale once something was translated


def use_time_zone(zone: str | None, language: str | None = None) -> str:
    """Show this request's times in ``zone`` (a subscriber's choice), else in the usual
    zone of ``language``, else in UTC (Flask-Babel's datetimeformat and friends)."""
    g.time_zone = zone if zone in TIME_ZONES else usual_time_zone(language)
    refresh()
    return g.time_zone


def usual_time_zone(language: str | None) -> str:
    return USUAL_TIME_ZONES.get(language or "", "UTC")


def select_time_zone() -> str:
    return (g.get("time_zone") if has_request_context() else None) or "UTC"


def use_fallback_language(code: str | None) -> None:
    """The language of a page whose visitor's browser asks for none of ours (a list's
    signup page: the list's language rather than English)."""
    if code in LANGUAGES:
        g.fallback_locale = code
        refresh()


def select_locale() -> str:
    """The subscriber's preference when the view knows it; on admin pages the signed-in
    account's language (its account page); else ``?lang=`` (a link or an embed that says
    which language it shows), else Accept-Language, else the page's fallback
    (``use_fallback_language``), else English."""
    if not has_request_context():
        return DEFAULT
    if g.get("locale"):
        return g.locale
    account = _admin_account()
    if account is not None:
        return best_language(getattr(account, "language", None))
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(list(LANGUAGES)) \
        or g.get("fallback_locale") or DEFAULT


def _admin_account():
    """The signed-in account when this request is an admin page, else None."""
    if not (request.blueprint or "").startswith("admin"):
        return None
    from flask_login import current_user  # the login manager is bound per app

    return current_user if current_user.is_authenticated else None


@lru_cache(maxsize=len(LANGUAGES))
def _catalogue(language: str) -> dict[str, str]:
    if language == DEFAULT:
        return {}
    with (SOURCE / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}


def translator(language: str | None) -> Callable[..., str]:
    """``gettext`` for one language without an app or a request: campaign messages are
    laid out in the worker, once per language, in the language of the content (not of
    whoever is looking). Unknown languages and missing strings read in English."""
    strings = _catalogue(best_language(language))

    def gettext(message: str, **values) -> str:
        text = strings.get(message, message)
        return text % values if values else text

    return gettext


def best_language(code: str | None) -> str:
    return code if code in LANGUAGES else DEFAULT


def compile_catalogues(target: Path) -> None:
    """Compile every ``.po`` under SOURCE into ``target`` when it is missing or stale.
    Written to a temporary file and renamed, so processes starting together never read a
    half-written catalogue."""
    for po in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parts[-3])
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo)


def in_language(text: str | None, code: str | None) -> Markup:
    """``text`` for a page, wrapped in ``<span lang="...">`` when it is written in another
    language than the page's (a list's name and description are in the list's language),
    so a screen reader pronounces it in that language (WCAG 3.1.2)."""
    if not text:
        return Markup("")
    if not code or code == str(get_locale()):
        return escape(text)
    return Markup('<span lang="%s">%s</span>') % (code, text)


def _use_form_translations() -> None:
    """Flask-WTF takes the request's ``wtforms_translations`` when set (its own loads
    WTForms' catalogue only, which has no Slovenian)."""
    request.wtforms_translations = form_messages.TRANSLATIONS


def init_app(app) -> None:
    target = Path(app.instance_path) / "translations"
    compile_catalogues(target)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_time_zone)
    app.before_request(_use_form_translations)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["in_language"] = in_language
