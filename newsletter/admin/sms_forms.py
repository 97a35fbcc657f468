"""Admin forms of the SMS channel (flask-wtf: CSRF on every one)."""

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
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    lists = SelectMultipleField("Lists", coerce=int, validators=[DataRequired()])
    branch = SelectField("Only contacts of the branch", coerce=int, default=0,
                         validators=[Optional()])
    segment = SelectField("Only contacts in the segment", coerce=int, default=0,
                          validators=[Optional()])
    phone_field = SelectField("Phone field", default="phone",
                              description="Which of the contact's numbers gets the SMS.")
    gateway = SelectField("Gateway")
    sender = StringField("Sender", filters=[strip], validators=[Optional(), Length(max=20)],
                         description="Empty: the operator's number. Or a number with its "
                                     "country code, a short code, or (once the owner allows "
                                     "it) a name of at most 11 characters.")
    tag = SelectField("Merge tag", choices=choices(MERGE_TAGS), validators=[Optional()])
    text = TextAreaField("Text", validators=[Optional(), Length(max=2000)])
    transliterate = BooleanField("Replace Slovak and Czech diacritics (fits more in a part)")
    opt_out = StringField("Opt-out line", filters=[strip], validators=[Optional(),
                                                                       Length(max=60)],
                          description='Appended on its own line, e.g. "STOP to 7777".')
    extra_recipients = TextAreaField("Extra recipients", filters=[strip],
                                     validators=[Optional(), Length(max=20000)],
                                     description="Phone numbers with their country code, "
                                                 "one per line.")


class TopUpForm(FlaskForm):
    amount = IntegerField("Parts", validators=[DataRequired(),
                                               NumberRange(min=1, max=TOP_UP_MAX)])
    note = StringField("Note", filters=[strip], validators=[Optional(), Length(max=500)])


class SmsSettingsForm(FlaskForm):
    alphanumeric_sender = BooleanField("Allow alphanumeric senders (a name instead of a "
                                       "number)")
