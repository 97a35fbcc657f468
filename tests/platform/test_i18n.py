"""Every subscriber-facing string is translated into every offered language."""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from newsletter.platform.i18n import LANGUAGES, SOURCE

ROOT = Path(__file__).resolve().parents[2]  # the repository, where babel.cfg's paths start


def source_messages() -> set[str]:
    with (SOURCE / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = set()
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None,  # as `make translations` does
                "lazy_pgettext": ((1, "c"), 2), "N_plural": (1, 2)}
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_catalogue_translates_every_message(language):
    with (SOURCE / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    translated = {(m.id[0] if isinstance(m.id, tuple) else m.id): m.string
                  for m in catalog if m.id}
    done = {k for k, v in translated.items() if (all(v) if isinstance(v, tuple) else v)}
    missing = source_messages() - done
    assert not missing, f"untranslated in {language} (run make translations): {missing}"
    assert not [m.id for m in catalog if m.id and m.fuzzy]
    # placeholders kept, and every plural form the language has (sl: four) written
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems, problems
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert plurals and all(len(m.string) == catalog.num_plurals for m in plurals)


@pytest.mark.parametrize(("language", "heading"), [
    ("sk", "Váš profil odberov"), ("cs", "Váš profil odběrů"),
    ("de", "Ihr Abonnement-Profil"), ("sl", "Vaš profil naročnin"),
    ("en", "Your subscription profile")])
def test_pages_speak_the_accepted_language(client, language, heading):
    page = client.get("/p", headers={"Accept-Language": f"{language},en;q=0.1"})
    assert f'<html lang="{language}">' in page.text and heading in page.text


@pytest.mark.parametrize(("language", "seconds", "expected"), [
    ("en", 60, "Please wait a minute and try again."),
    ("en", 300, "Please wait 5 minutes and try again."),
    ("de", 60, "Bitte warten Sie eine Minute"),
    ("de", 180, "Bitte warten Sie 3 Minuten"),
    ("sk", 120, "počkajte, prosím, 2 minúty"),
    ("sk", 300, "počkajte, prosím, 5 minút"),
    ("cs", 60, "Počkejte prosím 1 minutu"),
    ("sl", 120, "Počakajte 2 minuti"),
    ("sl", 240, "Počakajte 4 minute"),
    ("sl", 600, "Počakajte 10 minut"),
])
def test_waiting_time_uses_the_languages_plural_forms(app, language, seconds, expected):
    from newsletter.platform.ratelimit import RateLimited

    with app.test_request_context(f"/p?lang={language}"):
        assert expected.lower() in RateLimited(seconds).advice().lower()


#: a string from each admin screen the catalogues cover (navigation, dashboard, campaign
#: list and page, lists, account, login, flash messages from the views)
ADMIN_SAMPLES = ["Dashboard", "Block list", "Sending now and scheduled", "Open the campaign list",
                 "Cancel sending…", "Delivery problems", "No lists yet.",
                 "Language of the administration", "Log out", "Campaign saved.",
                 "You are logged out.", "List “%(name)s” created.",
                 ("%(num)d campaign", "%(num)d campaigns"),
                 ("Sending started: %(num)d recipient.", "Sending started: %(num)d recipients.")]


def test_admin_strings_are_extracted_with_the_public_ones():
    """`make translations` (babel.cfg) reaches the admin templates and views, so the
    completeness test above covers the admin in every language."""
    found = source_messages()
    assert {s if isinstance(s, str) else s[0] for s in ADMIN_SAMPLES} <= found


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_admin_catalogue_entries_are_translated(language):
    with (SOURCE / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    for sample in ADMIN_SAMPLES:
        message = catalog.get(sample)
        assert message is not None and message.string, (language, sample)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms) and forms[0] != (sample if isinstance(sample, str) else sample[0]) \
            or sample in ("API",), (language, sample)
