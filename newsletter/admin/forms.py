"""Admin forms (flask-wtf: CSRF on every one)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from ..import_files import DELIMITERS, ENCODINGS, TARGETS
from ..models import ContactStatus, LegalBasis, ListVisibility, OptIn, Role


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField("E-mail", filters=[strip], validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])


LEGAL_BASES = [(LegalBasis.CONSENT, "Consent"),
               (LegalBasis.LEGITIMATE_INTEREST, "Legitimate interest"),
               (LegalBasis.CONTRACT, "Contract")]
LANGUAGES = [("en", "English"), ("sk", "Slovak"), ("cs", "Czech"), ("sl", "Slovenian"),
             ("de", "German"), ("hu", "Hungarian"), ("pl", "Polish")]


class ListForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    visibility = SelectField("Visibility", choices=choices(
        [(ListVisibility.PRIVATE, "Private"), (ListVisibility.PUBLIC, "Public")]))
    optin = SelectField("Opt-in", choices=choices(
        [(OptIn.DOUBLE, "Double opt-in"), (OptIn.SINGLE, "Single opt-in")]))
    language = SelectField("Default language", choices=choices(LANGUAGES), default="en")
    purpose = StringField("Purpose", validators=[Optional(), Length(max=200)],
                          description="The topic subscribers see, e.g. “Product news”.")
    channels = SelectMultipleField("Channels offered", default=["email"],
                                   description="None chosen means e-mail.",
                                   choices=choices([("email", "E-mail"), ("sms", "SMS")]))


class ContactSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField("Search", validators=[Optional(), Length(max=200)],
                    description="E-mail, name, phone or organization")
    list_id = SelectField("List", coerce=lambda v: int(v) if v else None,
                          validators=[Optional()])
    status = SelectField("Status", validators=[Optional()],
                         choices=choices([("", "Any"), *((s, s) for s in ContactStatus.ALL)]))
    language = SelectField("Language", validators=[Optional()],
                           choices=choices([("", "Any"), *LANGUAGES]))


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class ContactForm(FlaskForm):
    email = EmailField("E-mail", filters=[strip], validators=[DataRequired(), Length(max=254)])
    phone = StringField("Phone", filters=[strip], validators=[Optional(), Length(max=32)],
                        description="With country code, e.g. +421 905 123 456")
    first_name = StringField("First name", validators=[Optional(), Length(max=100)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=100)])
    language = SelectField("Language", choices=choices(LANGUAGES))
    status = SelectField("Status", choices=choices(
        [(ContactStatus.ACTIVE, "Active"), (ContactStatus.INACTIVE, "Inactive"),
         (ContactStatus.ARCHIVED, "Archived")]))
    organization_id = SelectField("Organization", coerce=optional_int, validators=[Optional()])
    branch_id = SelectField("Branch", coerce=optional_int, validators=[Optional()])
    person_id = SelectField("Person", coerce=optional_int, validators=[Optional()])


class OrganizationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    registration_no = StringField("Registration no.", validators=[Optional(), Length(max=40)])
    phone = StringField("Phone", validators=[Optional(), Length(max=32)])


class BranchForm(FlaskForm):
    organization_id = SelectField("Organization", coerce=int, validators=[DataRequired()])
    name = StringField("Branch name", validators=[DataRequired(), Length(max=200)])


class PersonForm(FlaskForm):
    first_name = StringField("First name", validators=[Optional(), Length(max=100)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=100)])


class BulkForm(FlaskForm):
    ids = SelectMultipleField("Contacts", coerce=int, validate_choice=False,
                              validators=[DataRequired("Select at least one contact.")])
    action = SelectField("Action", choices=choices(
        [("unsubscribe", "Unsubscribe from all lists"), ("archive", "Archive"),
         ("erase", "Erase (delete personal data)")]))
    confirm = BooleanField("I understand that erased contacts cannot be restored")


class ImportUploadForm(FlaskForm):
    list_id = SelectField("Into list", coerce=int, validators=[DataRequired()])
    file = FileField("File (CSV or XML)", validators=[FileRequired("Choose a file.")])


class ImportSetupForm(FlaskForm):
    encoding = SelectField("Encoding", choices=choices(ENCODINGS.items()), default="utf-8")
    delimiter = SelectField("Delimiter", choices=choices(DELIMITERS.items()), default=",")
    has_header = BooleanField("The first row holds column names")
    columns = FieldList(SelectField(choices=choices(TARGETS.items())))
    legal_basis = SelectField("Legal basis", validators=[DataRequired("Choose the legal basis.")],
                              choices=choices([("", "Choose…"), *LEGAL_BASES]))
    source = StringField("Source", validators=[Optional(), Length(max=200)],
                         description="Where the addresses come from, e.g. “trade fair 2026”.")


class AddContactForm(FlaskForm):
    email = EmailField("E-mail", filters=[strip], validators=[DataRequired(), Length(max=254)])
    first_name = StringField("First name", validators=[Optional(), Length(max=100)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=100)])
    legal_basis = SelectField("Legal basis", choices=choices(LEGAL_BASES))


class CampaignForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=300)])
    body_text = TextAreaField("Body", validators=[DataRequired()])
    lists = SelectMultipleField("Lists", coerce=int, validators=[DataRequired()])
    sender = SelectField("Sender", coerce=int, validators=[Optional()])


class UserForm(FlaskForm):
    email = EmailField("E-mail", filters=[strip],
                       validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=choices((r, r.capitalize()) for r in Role.ALL))
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10)])


class EmptyForm(FlaskForm):
    """Buttons that only need a CSRF token."""
