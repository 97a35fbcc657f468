"""What an SMS campaign's text becomes before it is split: the optional transliteration of
Slovak and Czech diacritics (and typographic punctuation) to GSM-7, the optional opt-out line
("STOP to ..."), and the summary the editor sees (``describe``), which says what the
transliteration saves and refuses a text over the part cap."""

from dataclasses import dataclass

from flask_babel import gettext, ngettext

from newsletter.errors import DomainError

from .parts import MAX_PARTS, SmsParts, split

#: Slovak and Czech letters outside GSM-7 (é, ä, ö, ü are in GSM-7 and stay) and the
#: punctuation word processors put in: quotes, dashes, ellipsis, no-break space
TRANSLITERATION = str.maketrans({
    **dict(zip("áčďíĺľňóôŕšťúýžěřůÁČĎÍĹĽŇÓÔŔŠŤÚÝŽĚŘŮ",
               "acdillnoorstuyzeruACDILLNOORSTUYZERU", strict=True)),
    "„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "–": "-", "—": "-",
    "…": "...", "\u00a0": " ",
})
#: the longest opt-out line we accept
OPT_OUT_MAX = 60


class TextTooLong(DomainError):
    pass


def transliterate(text: str) -> str:
    return text.translate(TRANSLITERATION)


def compose(text: str, *, transliterated: bool = False, opt_out: str = "") -> str:
    """The text as sent: the opt-out line appended on its own line, then transliterated
    (the opt-out line too) when the campaign asks for it."""
    text = text.rstrip()
    opt_out = opt_out.strip()
    if opt_out:
        text = f"{text}\n{opt_out}" if text else opt_out
    return transliterate(text) if transliterated else text


@dataclass(frozen=True)
class TextSummary:
    """The counter's figures for one text: as it will be sent, and (when the campaign does
    not transliterate) how many parts transliteration would give."""

    sent: SmsParts
    transliterated_count: int  # parts with transliteration, whether it is on or not
    original_count: int  # parts without transliteration

    @property
    def saved_by_transliteration(self) -> int:
        return self.original_count - self.transliterated_count


def describe(text: str, *, transliterated: bool = False, opt_out: str = "") -> TextSummary:
    plain = split(compose(text, opt_out=opt_out))
    folded = split(compose(text, transliterated=True, opt_out=opt_out))
    return TextSummary(folded if transliterated else plain, folded.count, plain.count)


def check(text: str, *, transliterated: bool = False, opt_out: str = "") -> TextSummary:
    """``describe``, refusing an empty text, an over-long opt-out line and a text over the
    cap with a message that says by how much and what forced UCS-2."""
    if not text.strip():
        raise TextTooLong(gettext("Write the text of the message."))
    if len(opt_out.strip()) > OPT_OUT_MAX:
        raise TextTooLong(gettext("The opt-out line can be at most %(max)d characters long.",
                                  max=OPT_OUT_MAX))
    summary = describe(text, transliterated=transliterated, opt_out=opt_out)
    sent = summary.sent
    if not sent.within_cap:
        if sent.encoding == "gsm7":
            message = ngettext(
                "The text needs %(num)d SMS parts; at most %(max)d are allowed (%(units)d "
                "GSM-7 characters).",
                "The text needs %(num)d SMS parts; at most %(max)d are allowed (%(units)d "
                "GSM-7 characters).", sent.count, max=MAX_PARTS, units=sent.units)
        else:
            message = ngettext(
                "The text needs %(num)d SMS parts; at most %(max)d are allowed (%(units)d "
                "UCS-2 characters).",
                "The text needs %(num)d SMS parts; at most %(max)d are allowed (%(units)d "
                "UCS-2 characters).", sent.count, max=MAX_PARTS, units=sent.units)
        if sent.forced_ucs2:
            message += " " + gettext("These characters switch it to UCS-2 (70/67 per part): "
                                     "%(chars)s.", chars=" ".join(sent.forced_ucs2))
        raise TextTooLong(message)
    return summary


def unit_name(encoding: str) -> str:
    return "GSM-7 characters" if encoding == "gsm7" else "UCS-2 characters"
