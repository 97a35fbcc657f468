"""Admin forms (flask-wtf: CSRF on every one)."""

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    ColorField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import CheckboxInput, ListWidget

from newsletter.models import LegalBasis, Role
from newsletter.platform.apikeys import DEFAULT_RATE, SCOPES
from newsletter.webhooks.events import EVENTS as WEBHOOK_EVENTS


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def error_text(form) -> str:
    """Every error of ``form`` in one text, for a form posted from another page whose
    refusal is flashed there (messages may be lazy: made text here)."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail"), filters=[strip],
                       validators=[DataRequired(), Email()])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired()])


WEB_ADDRESS = r"^https?://[^\s/?#]+\S*$"
WEB_ADDRESS_MESSAGE = "A web address starting with https:// (or http://)."
LEGAL_BASES = [(LegalBasis.CONSENT, lazy_gettext("Consent")),
               (LegalBasis.LEGITIMATE_INTEREST, lazy_gettext("Legitimate interest")),
               (LegalBasis.CONTRACT, lazy_gettext("Contract"))]
LANGUAGES = [("en", lazy_gettext("English")), ("sk", lazy_gettext("Slovak")),
             ("cs", lazy_gettext("Czech")), ("sl", lazy_gettext("Slovenian")),
             ("de", lazy_gettext("German")), ("hu", lazy_gettext("Hungarian")),
             ("pl", lazy_gettext("Polish"))]


class BlockForm(Form):
    """One composer block (no CSRF of its own: it lives inside the campaign form)."""

    type = HiddenField()
    text = TextAreaField(lazy_gettext("Content"))
    text2 = TextAreaField(lazy_gettext("Right column"))
    url = StringField(lazy_gettext("Address"), validators=[Optional(), Length(max=2000)])
    label = StringField(lazy_gettext("Label"), validators=[Optional(), Length(max=300)])


class ContentForm(FlaskForm):
    """Subject and composer blocks: the campaign's main content or a language variant."""

    subject = StringField(lazy_gettext("Subject"), validators=[DataRequired(), Length(max=300)])
    blocks = FieldList(FormField(BlockForm), max_entries=60)
    text_edited = BooleanField(lazy_gettext("I edit the plain-text version myself"))
    body_text = TextAreaField(lazy_gettext("Plain-text version"), validators=[Optional()])


class CampaignForm(ContentForm):
    name = StringField(lazy_gettext("Campaign name"), validators=[DataRequired(), Length(max=200)])
    preheader = StringField(lazy_gettext("Preheader"), validators=[Optional(), Length(max=200)])
    lists = SelectMultipleField(lazy_gettext("Lists"), coerce=int, validators=[DataRequired()])
    sender = SelectField(lazy_gettext("Sender"), coerce=int, validators=[Optional()])
    theme = SelectField(lazy_gettext("Theme"), coerce=int, default=0, validators=[Optional()])
    template = SelectField(lazy_gettext("Template"), default="blank", validators=[Optional()])
    language = StringField(lazy_gettext("Language of this content"), default="en",
                           validators=[DataRequired(), Length(min=2, max=8)])
    public_archive = BooleanField(lazy_gettext("Publish in the public archive"))
    track_opens = BooleanField(lazy_gettext("Track opens with a pixel (off by default)"))
    extra_recipients = TextAreaField(lazy_gettext("Extra recipients"), filters=[strip],
                                     validators=[Optional(), Length(max=20000)])
    branch = SelectField(lazy_gettext("Only contacts of the branch"), coerce=int, default=0,
                         validators=[Optional()])
    segment = SelectField(lazy_gettext("Only contacts in the segment"), coerce=int, default=0,
                          validators=[Optional()])

    # the order fields render in (subject comes from ContentForm)
    FIELD_ORDER = ("name", "subject", "preheader", "lists", "sender", "theme", "template",
                   "language")


class VariantForm(ContentForm):
    language = StringField(lazy_gettext("Language code"),
                           validators=[DataRequired(), Length(min=2, max=8)])


class TestSendForm(FlaskForm):
    addresses = TextAreaField(lazy_gettext("Send a test to"), validators=[DataRequired()],
                              description=lazy_gettext(
                                  "One or more addresses, separated by commas."))
    contact = EmailField(lazy_gettext("Use the merge data of the contact"), filters=[strip],
                         validators=[Optional()],
                         render_kw={"list": "contact-emails", "autocomplete": "off"})


class ThemeForm(FlaskForm):
    name = StringField(lazy_gettext("Theme name"),
                       validators=[DataRequired(), Length(max=100)])
    primary_color = ColorField(lazy_gettext("Primary colour"), default="#1a5fb4",
                               validators=[DataRequired(), Length(max=7)])
    background_color = ColorField(lazy_gettext("Background colour"), default="#f3f4f6",
                                  validators=[DataRequired(), Length(max=7)])
    text_color = ColorField(lazy_gettext("Text colour"), default="#1f2937",
                            validators=[DataRequired(), Length(max=7)])
    font_family = SelectField(lazy_gettext("Font"))
    logo_url = StringField(lazy_gettext("Logo address"), validators=[Optional(), Length(max=500)])
    logo_file = FileField(lazy_gettext("Or upload a logo"))
    organization = StringField(lazy_gettext("Organization"),
                               validators=[Optional(), Length(max=200)])
    contact_details = TextAreaField(lazy_gettext("Contacts (address, phone, web)"),
                                    validators=[Optional(), Length(max=1000)])
    legal_notice = TextAreaField(lazy_gettext("Legal notice"),
                                 validators=[Optional(), Length(max=2000)])
    site_url = StringField(lazy_gettext("Your site"), filters=[strip],
                           validators=[Optional(), Length(max=500),
                                       Regexp(WEB_ADDRESS, message=WEB_ADDRESS_MESSAGE)])
    public_default = BooleanField(
        lazy_gettext("Public pages of lists without a theme wear this one"))


class FileForm(FlaskForm):
    file = FileField(lazy_gettext("File"), validators=[FileRequired()])


#: roles from the least privilege up: a role picker starts at the first
ROLES_LEAST_FIRST = (Role.VIEWER, Role.EDITOR, Role.REVIEWER, Role.OWNER)


ROLE_CHOICE_LABELS = {Role.VIEWER: lazy_gettext("Viewer"), Role.EDITOR: lazy_gettext("Editor"),
                      Role.REVIEWER: lazy_gettext("Reviewer"), Role.OWNER: lazy_gettext("Owner")}


def role_choices() -> list[SelectChoice]:
    return choices((r, ROLE_CHOICE_LABELS.get(r, r.capitalize())) for r in ROLES_LEAST_FIRST)


class UserForm(FlaskForm):
    """Add an account: with a password given now, or (``invite``) by mail, the invitee
    choosing their own."""

    email = EmailField(lazy_gettext("E-mail"), filters=[strip],
                       validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(lazy_gettext("Role"), choices=role_choices(), default=Role.VIEWER)
    invite = BooleanField(lazy_gettext("Invite by mail: they choose their own password"),
                          default=True)
    password = PasswordField(lazy_gettext("Password (when not invited)"),
                             validators=[Optional()])
    current_password = PasswordField(lazy_gettext("Your own password, to confirm"),
                                     validators=[DataRequired()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.invite.data and len(self.password.data or "") < 10:
            self.password.errors.append(gettext("Give a password of at least 10 characters, "
                                                "or invite by mail."))
            return False
        return valid


class PasswordForm(FlaskForm):
    password = PasswordField(lazy_gettext("New password"), validators=[
        DataRequired(), Length(min=10, message=lazy_gettext(
            "The password needs at least %(min)d characters."))])
    again = PasswordField(lazy_gettext("The same password again"), validators=[
        DataRequired(), EqualTo("password", lazy_gettext("The two passwords differ."))])


class AccountForm(FlaskForm):
    """Another role for an account, or its removal (the button pressed says which; a
    removal sends no role, and the role is checked by ``accounts.change_role``)."""

    role = SelectField(lazy_gettext("Role"), choices=role_choices(), validate_choice=False)
    current_password = PasswordField(lazy_gettext("Your own password, to confirm"),
                                     validators=[DataRequired()])


class ApiKeyForm(FlaskForm):
    name = StringField(lazy_gettext("Key name"), filters=[strip],
                       validators=[DataRequired(), Length(max=100)],
                       description=lazy_gettext("Who uses it, e.g. “Shop CMS”."))
    scopes = SelectMultipleField(
        lazy_gettext("Scopes"),
        validators=[DataRequired(message=lazy_gettext("Choose at least one scope."))],
        choices=choices((s, s) for s in SCOPES), widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    rate_limit = StringField(lazy_gettext("Rate limit"), default=DEFAULT_RATE, filters=[strip],
                             validators=[DataRequired(), Regexp(
                                 r"^\d{1,7}/\d{1,6}$", message=lazy_gettext(
                                     "Write requests/seconds, e.g. 600/60."))],
                             description=lazy_gettext(
                                 "Requests per window in seconds, e.g. 600/60."))


class EmptyForm(FlaskForm):
    """Buttons that only need a CSRF token."""


class ScheduleForm(FlaskForm):
    #: in the editor's own time zone (its label names it: ``for_zone``)
    send_at = DateTimeLocalField(lazy_gettext("Send at"), format="%Y-%m-%dT%H:%M",
                                 validators=[Optional()])
    delay_minutes = IntegerField(lazy_gettext("…or after a delay (minutes)"),
                                 validators=[Optional(), NumberRange(min=1, max=60 * 24 * 30)])
    #: shown when the pre-send checklist warns (compliance)
    confirm_warnings = BooleanField(lazy_gettext("Send despite the warnings above"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.send_at.data and not self.delay_minutes.data:
            self.send_at.errors.append(gettext("Give a date and time, or a delay."))
            return False
        if self.send_at.data and self.delay_minutes.data:
            self.send_at.errors.append(gettext("Give either a date and time or a delay, not "
                                               "both: which one did you mean?"))
            return False
        return True

    def for_zone(self, zone: str) -> "ScheduleForm":
        self.send_at.label.text = gettext("Send at (your time, %(zone)s)", zone=zone)
        return self


class FollowUpForm(FlaskForm):
    subject = StringField(lazy_gettext("Subject of the follow-up"), filters=[strip],
                          validators=[DataRequired(), Length(max=300)])
    audience = SelectField(lazy_gettext("To the recipients"), choices=choices([
        ("non_clickers", lazy_gettext("who did not click")),
        ("non_openers", lazy_gettext("who did not open"))]))
    days = IntegerField(lazy_gettext("Days after this campaign started"), default=3,
                        validators=[InputRequired(), NumberRange(min=0, max=30)])


class SenderForm(FlaskForm):
    _WEB_ADDRESS = lazy_gettext("A web address starting with https:// (or http://).")

    name = StringField(lazy_gettext("Name (for editors)"),
                       validators=[DataRequired(), Length(max=100)])
    from_name = StringField(lazy_gettext("From name"),
                            validators=[DataRequired(), Length(max=100)])
    from_email = EmailField(lazy_gettext("From address"), filters=[strip],
                            validators=[DataRequired(), Email(), Length(max=254)])
    reply_to = EmailField("Reply-To", filters=[strip],
                          validators=[Optional(), Email(), Length(max=254)])
    rate_limit = IntegerField(lazy_gettext("Sending rate"), default=3000,
                              validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])
    rate_period = SelectField(lazy_gettext("Period"), choices=choices(
        [("hour", lazy_gettext("per hour")), ("minute", lazy_gettext("per minute")),
         ("second", lazy_gettext("per second"))]))
    dkim_selector = StringField(lazy_gettext("DKIM selector"), filters=[strip],
                                validators=[Optional(), Regexp(r"^[a-z0-9][a-z0-9-]{0,62}$",
                                            message=lazy_gettext(
                                                "Letters, digits and dashes only."))])
    website_url = StringField(lazy_gettext("Website"), filters=[strip], validators=[
        Optional(), Length(max=500), Regexp(WEB_ADDRESS, message=_WEB_ADDRESS)])
    contact_url = StringField(lazy_gettext("Contact page"), filters=[strip], validators=[
        Optional(), Length(max=500), Regexp(WEB_ADDRESS, message=_WEB_ADDRESS)])
    privacy_url = StringField(lazy_gettext("Privacy policy page"), filters=[strip], validators=[
        Optional(), Length(max=500), Regexp(WEB_ADDRESS, message=_WEB_ADDRESS)])


class DecisionForm(FlaskForm):
    """A reviewer's decision on a held campaign (compliance.review)."""

    note = TextAreaField(lazy_gettext("Reason or message to the editor"), filters=[strip],
                         validators=[DataRequired(lazy_gettext(
                             "Give a reason (approval) or tell the editor what to change "
                             "(rejection).")),
                                     Length(max=2000)])

    def validate(self, extra_validators=None) -> bool:
        """Errors as plain strings in the reader's language: the view joins them into a
        flash message."""
        valid = super().validate(extra_validators)
        self.note.errors = [str(error) for error in self.note.errors]
        return valid


class WebhookForm(FlaskForm):
    name = StringField(lazy_gettext("Endpoint name"), filters=[strip],
                       validators=[DataRequired(), Length(max=100)],
                       description=lazy_gettext("Who receives it, e.g. “CRM sync”."))
    url = StringField("URL", filters=[strip], validators=[DataRequired(), Length(max=2000)],
                      description=lazy_gettext(
                          "The https:// address that gets a signed POST per event."))
    events = SelectMultipleField(
        lazy_gettext("Events"),
        validators=[DataRequired(message=lazy_gettext("Choose at least one event."))],
        choices=choices((name, name) for name in WEBHOOK_EVENTS),
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
