"""Admin forms of the SMS channel (flask-wtf: CSRF on every one)."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from newsletter.content.sms import MERGE_TAGS
from newsletter.sms.quota import TOP_UP_MAX

from .forms import choices, strip


class SmsCampaignForm(FlaskForm):
    name = StringField(lazy_gettext("Campaign name"), validators=[DataRequired(), Length(max=200)])
    lists = SelectMultipleField(lazy_gettext("Lists"), coerce=int,
                                validators=[DataRequired()])
    branch = SelectField(lazy_gettext("Only contacts of the branch"), coerce=int, default=0,
                         validators=[Optional()])
    segment = SelectField(lazy_gettext("Only contacts in the segment"), coerce=int, default=0,
                          validators=[Optional()])
    phone_field = SelectField(lazy_gettext("Phone field"), default="phone",
                              description=lazy_gettext(
                                  "Which of the contact's numbers gets the SMS."))
    gateway = SelectField(lazy_gettext("Gateway"))
    sender = StringField(lazy_gettext("Sender"), filters=[strip],
                         validators=[Optional(), Length(max=20)],
                         description=lazy_gettext(
                             "Empty: the operator's number. Or a number with its country "
                             "code, a short code, or (once the owner allows it) a name of at "
                             "most 11 characters."))
    tag = SelectField(lazy_gettext("Merge tag"), validators=[Optional()],
                      choices=choices([(tag, lazy_gettext(label)) for tag, label in MERGE_TAGS]))
    text = TextAreaField(lazy_gettext("Text"), validators=[Optional(), Length(max=2000)])
    transliterate = BooleanField(
        lazy_gettext("Replace Slovak and Czech diacritics (fits more in a part)"))
    opt_out = StringField(lazy_gettext("Opt-out line"), filters=[strip],
                          validators=[Optional(), Length(max=60)],
                          description=lazy_gettext(
                              'Appended on its own line, e.g. "STOP to 7777".'))
    extra_recipients = TextAreaField(lazy_gettext("Extra recipients"), filters=[strip],
                                     validators=[Optional(), Length(max=20000)],
                                     description=lazy_gettext(
                                         "Phone numbers with their country code, one per "
                                         "line."))


class TopUpForm(FlaskForm):
    amount = IntegerField(lazy_gettext("Parts"), validators=[
        DataRequired(), NumberRange(min=1, max=TOP_UP_MAX)])
    note = StringField(lazy_gettext("Note"), filters=[strip],
                       validators=[Optional(), Length(max=500)])


class SmsSettingsForm(FlaskForm):
    alphanumeric_sender = BooleanField(
        lazy_gettext("Allow alphanumeric senders (a name instead of a number)"))
