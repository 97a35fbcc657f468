"""Every subscriber-facing string is translated into every offered language."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from newsletter.platform.i18n import LANGUAGES, SOURCE

ROOT = Path(__file__).resolve().parent.parent


def source_messages() -> set[str]:
    with (SOURCE / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_catalogue_translates_every_message(language):
    with (SOURCE / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = source_messages() - {k for k, v in translated.items() if v}
    assert not missing, f"untranslated in {language} (run make translations): {missing}"
    assert not [m.id for m in catalog if m.id and m.fuzzy]


@pytest.mark.parametrize(("language", "heading"), [
    ("sk", "Váš profil odberov"), ("cs", "Váš profil odběrů"),
    ("de", "Ihr Abonnement-Profil"), ("sl", "Vaš profil naročnin"),
    ("en", "Your subscription profile")])
def test_pages_speak_the_accepted_language(client, language, heading):
    page = client.get("/p", headers={"Accept-Language": f"{language},en;q=0.1"})
    assert f'<html lang="{language}">' in page.text and heading in page.text
