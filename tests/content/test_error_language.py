"""Merge-tag and block errors are written in the language of the person who reads them:
an account's language on its pages, English without a request (a worker). Refused
templates are cached per language, so no one reads another person's language."""

import pytest
from flask import g
from flask_babel import refresh

from newsletter.content import blocks, composer, rendering, sandbox
from newsletter.content.sandbox import RenderError


def refused(source: str) -> str:
    with pytest.raises(RenderError) as caught:
        rendering.prepare(source, None, "Subject")
    return str(caught.value)


def in_language(app, code: str, action):
    with app.app_context(), app.test_request_context("/"):  # a request of its own, as live
        g.locale = code
        refresh()
        return action()


def test_a_merge_tag_error_follows_the_readers_language(app):
    source = "<p>{% for a in x %}{{ a }}</p>"
    assert in_language(app, "de", lambda: refused(source)).startswith(
        "Inhalt: Fehler im Platzhalter in Zeile 1:")
    assert in_language(app, "cs", lambda: refused(source)).startswith(
        "Obsah: chyba personalizační značky na řádku 1:")
    assert refused(source).startswith("Content: merge tag error on line 1:")  # no request
    assert in_language(app, "sl", lambda: refused("<p>{{ firstname }}</p>")).startswith(
        "Vsebina: neznana personalizacijska oznaka {{ firstname }}")


def test_block_and_composer_errors_in_german(app):
    def check():
        with pytest.raises(blocks.BlockError) as caught:
            blocks.check_blocks([blocks.clean_block({"type": "image", "url": "ftp://x"})])
        with pytest.raises(composer.ComposerError) as preheader:
            composer.clean_preheader("{{ first_name }}")
        return str(caught.value), str(preheader.value)

    image, preheader = in_language(app, "de", check)
    assert image == ("Bild 1: „ftp://x“ ist keine Bildadresse; sie beginnt mit https:// "
                     "(oder ist ein hochgeladenes Bild unter /media/).")
    assert preheader == "Der Vorschautext ist reiner Text: Platzhalter funktionieren dort nicht."
    english, _ = check()
    assert english.startswith("Image 1: “ftp://x” is not an image address")


def test_a_limit_is_grouped_the_way_the_readers_language_groups_it(app):
    def compile_long():
        with pytest.raises(RenderError) as caught:
            sandbox.compile_template("x" * 500_001, html=False)
        return str(caught.value)

    german = in_language(app, "de", compile_long)
    assert german == "Eine Vorlage darf höchstens 500.000 Zeichen lang sein."
    assert compile_long() == "A template can be at most 500,000 characters long."
