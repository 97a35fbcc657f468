"""Texts workers store in English (a delivery's error, a skipped run's reason) are shown in
the reader's language, values and nested stored texts included; a text that is no
catalogue message (a mail server's own reply) is shown as stored."""

import pytest
from flask_babel import force_locale

from newsletter.texts import N_, shown, stored

NOT_BUILT = stored(N_("Message not built: %(problem)s"),
                   problem="Merge tags ran more than 10,000 loop iterations.")


@pytest.mark.parametrize("language, text, expected", [
    ("de", stored(N_("cannot connect to %(server)s: %(error)s"), server="plain SMTP x:25",
                  error="[Errno 111] Connection refused"),
     "keine Verbindung zu plain SMTP x:25 möglich: [Errno 111] Connection refused"),
    ("sk", stored(N_("the merged text needs %(num)d parts (at most %(max)d)"), num=9, max=8),
     "text po doplnení potrebuje 9 častí (najviac 8)"),
    ("de", NOT_BUILT, "Nachricht nicht erstellt: Die Platzhalter haben mehr als 10,000 "
                      "Schleifendurchläufe ausgeführt."),
    ("cs", stored(N_("Nothing new in the feed.")), "Ve feedu není nic nového."),
    ("de", "x@y is not a valid e-mail address", "x@y ist keine gültige E-Mail-Adresse"),
    ("en", NOT_BUILT, NOT_BUILT),
    ("de", "550 5.1.1 <a@b.example>: Recipient address rejected: User unknown",
     "550 5.1.1 <a@b.example>: Recipient address rejected: User unknown"),
    ("de", "", ""),
])
def test_a_stored_text_is_shown_in_the_readers_language(app, language, text, expected):
    with app.test_request_context(), force_locale(language):
        assert shown(text) == expected


def test_a_message_that_is_mostly_placeholders_claims_no_text(app):
    # "%(a)s: %(b)s"-like messages would match any text with a colon
    with app.test_request_context(), force_locale("de"):
        assert shown("A: B") == "A: B"
        assert shown(None) == ""
