"""The text as sent: transliteration, the opt-out line, the cap at save."""

import pytest

from newsletter.sms.parts import GSM7, UCS2
from newsletter.sms.text import TextTooLong, check, compose, describe, transliterate


def test_transliteration_folds_slovak_and_czech_letters_outside_gsm7():
    assert transliterate("Žluťoučký kůň úpěl ďábelské ódy") == (
        "Zlutoucky kun upel dabelské ody")  # é is GSM-7
    assert transliterate("Ľudovít Štúr, Ďumbier, Ŕ, Ĺ, ô") == "Ludovit Stur, Dumbier, R, L, o"
    assert transliterate("„Ahoj“ – ‚to‘ … ok") == '"Ahoj" - \'to\' ... ok'


def test_transliteration_keeps_what_gsm7_has():
    assert transliterate("é ä ö ü É Ä Ö Ü") == "é ä ö ü É Ä Ö Ü"


def test_the_summary_says_what_transliteration_saves():
    text = "Dobrý deň, " + "a" * 100  # UCS-2: 111 units = 2 parts; GSM-7: 1 part
    summary = describe(text)
    assert summary.sent.encoding == UCS2 and summary.sent.count == 2
    assert summary.transliterated_count == 1 and summary.saved_by_transliteration == 1
    on = describe(text, transliterated=True)
    assert on.sent.encoding == GSM7 and on.sent.count == 1 and on.sent.text.startswith("Dobry")


def test_characters_transliteration_does_not_cover_still_force_ucs2():
    summary = describe("Ahoj ✓", transliterated=True)
    assert summary.sent.encoding == UCS2 and summary.sent.forced_ucs2 == ("✓",)


def test_the_opt_out_line_is_appended_and_counted():
    assert compose("Sale today  ", opt_out=" STOP to 7777 ") == "Sale today\nSTOP to 7777"
    assert describe("a" * 150).sent.count == 1
    assert describe("a" * 150, opt_out="STOP to 7777").sent.count == 2  # 150+1+12 = 163
    assert compose("Ahoj", transliterated=True, opt_out="Odhlásenie: STOP") == (
        "Ahoj\nOdhlasenie: STOP")


def test_check_refuses_a_text_over_the_cap_and_names_the_characters():
    check("a" * 459)
    with pytest.raises(TextTooLong, match="needs 4 SMS parts"):
        check("a" * 460)
    with pytest.raises(TextTooLong, match="switch it to UCS-2.*č"):
        check("č" * 202)
    check("č" * 202, transliterated=True)  # 202 GSM-7 septets: 2 parts


def test_check_refuses_empty_text_and_a_long_opt_out_line():
    with pytest.raises(TextTooLong, match="Write the text"):
        check("   ")
    with pytest.raises(TextTooLong, match="opt-out"):
        check("Hi", opt_out="x" * 61)


def test_the_opt_out_line_can_push_a_text_over_the_cap():
    check("a" * 450)
    with pytest.raises(TextTooLong):
        check("a" * 450, opt_out="STOP to 7777")
