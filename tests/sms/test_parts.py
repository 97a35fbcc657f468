"""GSM 03.38 part counting: the exact boundaries, extension characters, escape pairs and
surrogate pairs at part edges, and the characters that force UCS-2."""

import pytest

from newsletter.sms.parts import (
    GSM7,
    GSM7_BASIC,
    GSM7_EXTENSION,
    MAX_PARTS,
    UCS2,
    encode,
    is_gsm7,
    split,
    ucs2_forcing,
)

EXTENSION = "^{}\\[~]|€"


def test_empty_text_has_no_parts():
    parts = split("")
    assert parts.count == 0 and parts.units == 0 and parts.encoding == GSM7


@pytest.mark.parametrize(("length", "count"), [
    (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4),
])
def test_gsm7_boundaries(length, count):
    parts = split("a" * length)
    assert (parts.encoding, parts.units, parts.count) == (GSM7, length, count)
    assert "".join(parts.parts) == "a" * length
    if count > 1:
        assert all(len(p) == 153 for p in parts.parts[:-1])


@pytest.mark.parametrize(("length", "count"), [
    (1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4),
])
def test_ucs2_boundaries(length, count):
    text = "č" * length
    parts = split(text)
    assert (parts.encoding, parts.units, parts.count) == (UCS2, length, count)
    assert parts.forced_ucs2 == ("č",)
    if count > 1:
        assert all(len(p) == 67 for p in parts.parts[:-1])


@pytest.mark.parametrize("char", list(EXTENSION))
def test_each_extension_character_costs_two_septets(char):
    parts = split(char)
    assert (parts.encoding, parts.units) == (GSM7, 2)
    assert split("a" * 158 + char).count == 1  # 160 septets
    assert split("a" * 159 + char).count == 2  # 161 septets


def test_form_feed_is_an_extension_character():
    assert split("\x0c").units == 2


def test_an_escape_pair_is_never_split_across_parts():
    # 152 plain septets then "€" (2): 154 > 153, so the euro opens the second part whole
    text = "a" * 152 + "€" + "b" * 10
    parts = split(text)
    assert parts.count == 2
    assert parts.parts[0] == "a" * 152  # 152 septets: one left unused
    assert parts.parts[1].startswith("€")
    assert "".join(parts.parts) == text


def test_an_extension_character_that_fits_ends_the_part():
    text = "a" * 151 + "€" + "b" * 10  # 151 + 2 = 153 exactly
    parts = split(text)
    assert parts.parts[0] == "a" * 151 + "€" and parts.parts[1] == "b" * 10


def test_escape_pairs_can_push_a_text_to_more_parts_than_its_length_says():
    # 306 septets would be 2 parts, but each part boundary loses one septet to a pair
    text = ("a" * 152 + "[") * 2 + "a"  # 154*2+1 = 309 septets
    parts = split(text)
    assert parts.units == 309 and parts.count == 3
    assert [len(p) for p in parts.parts] == [152, 152, 3]  # "[" + 151 "a" is 153 septets


def test_a_text_of_extension_characters_only():
    text = "{" * 80  # 160 septets: one part
    assert split(text).count == 1
    parts = split("{" * 81)  # 162 septets: 76 pairs (152) per part, never 153
    assert parts.count == 2 and [len(p) for p in parts.parts] == [76, 5]


def test_one_character_outside_gsm7_switches_the_whole_message_to_ucs2():
    text = "a" * 100 + "š"
    parts = split(text)
    assert parts.encoding == UCS2 and parts.units == 101 and parts.count == 2
    assert parts.forced_ucs2 == ("š",)


def test_extension_characters_cost_one_unit_in_ucs2():
    parts = split("€" * 70 + "č")
    assert parts.encoding == UCS2 and parts.units == 71


def test_forcing_characters_are_listed_once_in_order():
    assert ucs2_forcing("Dobrý deň, čaká vás ťava ďateľ ý") == ("ý", "ň", "č", "á", "ť", "ď",
                                                                  "ľ")
    assert split("Grüße aus Köln").forced_ucs2 == ()  # ü, ö are GSM-7; ß too
    assert split("Grüße aus Köln").encoding == GSM7


def test_a_surrogate_pair_costs_two_units_and_is_never_split():
    emoji = "\U0001F600"
    assert split(emoji).units == 2 and split(emoji).encoding == UCS2
    assert split(emoji * 35).count == 1  # 70 units
    assert split(emoji * 35 + "a").count == 2
    text = "a" * 66 + emoji + "b" * 5  # 73 units; 66 + 2 > 67: the emoji opens part two
    parts = split(text)
    assert parts.parts[0] == "a" * 66 and parts.parts[1] == emoji + "b" * 5


def test_combining_marks_and_other_scripts_force_ucs2():
    assert split("e\u0301").forced_ucs2 == ("\u0301",)
    assert split("Привет").encoding == UCS2


@pytest.mark.parametrize("char", ["`", "\t", "ç", "á", "\u00a0"])
def test_lookalikes_outside_gsm7(char):
    assert not is_gsm7(char)


def test_the_alphabet_has_128_codes_and_every_code_is_one_septet():
    assert len(GSM7_BASIC) == 128 and len(set(GSM7_BASIC)) == 128
    text = GSM7_BASIC.replace("\x1b", "")
    parts = split(text)
    assert parts.encoding == GSM7 and parts.units == 127


def test_cap_and_remaining():
    assert split("a" * 459).within_cap and not split("a" * 460).within_cap
    assert MAX_PARTS == 3
    assert split("a" * 150).remaining == 10
    assert split("a" * 200).remaining == 153 - 47
    assert split("č" * 60).remaining == 10
    assert split("a" * 150).per_part == 160 and split("a" * 200).per_part == 153


def test_encode_gsm7_is_one_septet_per_byte_with_escapes():
    assert encode("@A€", GSM7) == bytes((0x00, 0x41, 0x1B, 0x65))
    assert encode("{}[]~|\\^", GSM7) == bytes(
        (0x1B, 0x28, 0x1B, 0x29, 0x1B, 0x3C, 0x1B, 0x3E, 0x1B, 0x3D, 0x1B, 0x40, 0x1B, 0x2F,
         0x1B, 0x14))
    assert encode("£$¥èÄ§ü", GSM7) == bytes((0x01, 0x02, 0x03, 0x04, 0x5B, 0x5F, 0x7E))


def test_encode_ucs2_is_utf16_big_endian():
    assert encode("č\U0001F600", UCS2) == "č".encode("utf-16-be") + b"\xd8\x3d\xde\x00"


def test_every_part_encodes_within_its_budget():
    for text in ("a" * 152 + "€" * 100, "č" * 66 + "\U0001F600" * 30, "x" * 459):
        parts = split(text)
        budget = 160 if parts.count == 1 else 153
        if parts.encoding == UCS2:
            budget = 140 if parts.count == 1 else 134  # bytes
        assert all(len(encode(p, parts.encoding)) <= budget for p in parts.parts)


def test_extension_table_is_what_the_issue_lists():
    assert set(GSM7_EXTENSION) == set(EXTENSION) | {"\x0c"}
