"""Every word an admin screen shows goes through the catalogue: a template's literal text,
and the attributes a person reads (title, placeholder, aria-label, alt), are wrapped in
``_()``/``ngettext()``, so the completeness test in test_i18n.py sees them and the admin
speaks the account's language everywhere, not only on the screens someone remembered."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted([*(ROOT / "templates" / "admin").rglob("*.html"),
                    *(ROOT / "templates" / "admin").rglob("*.txt"),
                    ROOT / "templates" / "base.html", ROOT / "templates" / "_form.html",
                    ROOT / "templates" / "_flashes.html"])
#: attributes a person reads or hears; their literal values must be wrapped too
READ = {"title", "placeholder", "aria-label", "alt", "aria-description", "aria-roledescription"}
#: words that read the same in every language we offer (names of protocols and formats)
SAME_EVERYWHERE = {"API", "SMTP", "SMS", "SMPP", "DKIM", "SPF", "DMARC", "CSV", "JSON",
                   "HTTP", "HTTPS", "URL", "ID", "TLS", "STARTTLS", "UTC", "RSS", "HTML",
                   "Kannel", "OpenAPI", "Redis", "RQ", "GDPR", "E.164", "A/B", "MIME", "IP",
                   "px", "OK", "Quill", "htmx", "Fernet", "UCS-2", "GSM", "IMAP", "POP3"}
EXPRESSION = " "  # stands for whatever a {{ }} or {% %} puts there (text or attributes)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        self.found += [value for name, value in attrs if name in READ and value]

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data):
        if not self.skip:
            self.found.append(data)


def _readable(text: str) -> str | None:
    words = [w.strip(" \t\n:;,.()[]|/\"'!?%+-=*#0123456789·—–→×…“”„") for w in
             text.replace(EXPRESSION, " ").split()]
    words = [w for w in words if re.search(r"[^\W\d_]{2,}", w) and w not in SAME_EVERYWHERE]
    return " ".join(words) or None


def literal_text(path: Path) -> list[str]:
    """Every piece of literal text a person would read in ``path``."""
    source, inside = [], False
    for _lineno, kind, value in Environment().lex(path.read_text()):
        if kind == "data":
            source.append(value)
            inside = False
        elif not inside:
            source.append(EXPRESSION)
            inside = True
        if kind.endswith("_end"):
            inside = False
    if path.suffix != ".html":
        return [t for t in map(_readable, "".join(source).splitlines()) if t]
    parser = _Text()
    parser.feed("".join(source))
    parser.close()
    return [t for t in map(_readable, parser.found) if t]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_admin_template_text_is_wrapped_for_translation(path):
    assert not literal_text(path), f"wrap in {{{{ _(...) }}}}: {literal_text(path)}"


def test_the_check_sees_unwrapped_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<h1>Audit log</h1><p>{{ _("Fine") }}</p>'
                    '<input placeholder="Search"><td>{{ n }} SMS</td><b>&nbsp;</b>')
    assert literal_text(page) == ["Audit log", "Search"]
