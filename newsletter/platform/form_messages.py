"""WTForms' own messages ("This field is required.", "Not a valid choice.") in the page's
language. WTForms ships no Slovenian catalogue and an incomplete Czech one (plural forms in
English), so forms read ours first, which carries the messages our forms can show (listed
here, so `make translations` extracts them), and WTForms' catalogue behind it."""

from functools import lru_cache

from babel import support
from flask import current_app
from flask_babel import get_locale
from wtforms.i18n import messages_path

from newsletter.texts import N_, N_plural

#: WTForms' messages the validators and fields our forms use can show
MESSAGES = (
    N_("This field is required."), N_("Not a valid choice."),
    N_("Not a valid integer value."), N_("Not a valid datetime value."),
    N_("Invalid email address."), N_("Invalid URL."), N_("Invalid input."),
    N_("Number must be at least %(min)s."), N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Field must be equal to %(other_name)s."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_plural("'%(value)s' is not a valid choice for this field.",
             "'%(value)s' are not valid choices for this field."),
    N_plural("Field cannot be longer than %(max)d character.",
             "Field cannot be longer than %(max)d characters."),
    N_plural("Field must be at least %(min)d character long.",
             "Field must be at least %(min)d characters long."),
)


class FormTranslations:
    """What Flask-WTF asks for a message; the language is the page's when a message is
    translated (nothing is looked up for a request whose forms show no error)."""

    def ugettext(self, message: str) -> str:
        return _catalogues(str(get_locale()), _directory()).ugettext(message)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _catalogues(str(get_locale()), _directory()).ungettext(singular, plural, n)


def _directory() -> str:
    return current_app.config["BABEL_TRANSLATION_DIRECTORIES"]


@lru_cache(maxsize=16)
def _catalogues(language: str, directory: str):
    ours = support.Translations.load(directory, [language])
    ours.add_fallback(support.Translations.load(messages_path(), [language], domain="wtforms"))
    return ours


#: what Flask-WTF takes from the request (``i18n.init_app`` puts it there)
TRANSLATIONS = FormTranslations()
