"""Admin forms for the audience: lists, the contact search, a contact and its
organization, branch and person, bulk actions, and the contact import (flask-wtf: CSRF on
every one)."""

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
)

from newsletter.imports.files import DELIMITERS, ENCODINGS, TARGETS
from newsletter.models import ContactStatus, LegalBasis, ListVisibility, OptIn

from .forms import LANGUAGES, LEGAL_BASES, choices, strip


class ListForm(FlaskForm):
    name = StringField(lazy_gettext("List name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(lazy_gettext("Description"),
                                validators=[Optional(), Length(max=2000)])
    visibility = SelectField(lazy_gettext("Visibility"), choices=choices(
        [(ListVisibility.PRIVATE, lazy_gettext("Private")),
         (ListVisibility.PUBLIC, lazy_gettext("Public"))]))
    optin = SelectField(lazy_gettext("Opt-in"), choices=choices(
        [(OptIn.DOUBLE, lazy_gettext("Double opt-in")),
         (OptIn.SINGLE, lazy_gettext("Single opt-in"))]))
    language = SelectField(lazy_gettext("Default language"), choices=choices(LANGUAGES),
                           default="en")
    purpose = StringField(lazy_gettext("Purpose"), validators=[Optional(), Length(max=200)],
                          description=lazy_gettext("The topic subscribers see, e.g. “Product "
                                                   "news”."))
    channels = SelectMultipleField(lazy_gettext("Channels offered"), default=["email"],
                                   description=lazy_gettext("None chosen means e-mail."),
                                   choices=choices([("email", lazy_gettext("E-mail")),
                                                    ("sms", "SMS")]))
    theme_id = SelectField(lazy_gettext("Theme of its public pages"),
                           coerce=lambda v: int(v) if v else None,
                           validators=[Optional()], description=lazy_gettext(
                               "Signup, confirmation, unsubscribe and archive pages wear its "
                               "logo and colours. None: the default theme, if one is marked."))


class ContactSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(lazy_gettext("Search"), validators=[Optional(), Length(max=200)],
                    description=lazy_gettext("E-mail, name, phone or organization"))
    list_id = SelectField(lazy_gettext("List"), coerce=lambda v: int(v) if v else None,
                          validators=[Optional()])
    status = SelectField(lazy_gettext("Status"), validators=[Optional()],
                         choices=choices([
                             ("", lazy_gettext("Any")),
                             (ContactStatus.ACTIVE, lazy_gettext("active")),
                             (ContactStatus.INACTIVE, lazy_gettext("inactive")),
                             (ContactStatus.BOUNCED, lazy_gettext("undeliverable")),
                             (ContactStatus.ERASED, lazy_gettext("erased")),
                             (ContactStatus.ARCHIVED, lazy_gettext("archived"))]))
    language = SelectField(lazy_gettext("Language"), validators=[Optional()],
                           choices=choices([("", lazy_gettext("Any")), *LANGUAGES]))
    basis = SelectField(lazy_gettext("Consent basis"), validators=[Optional()],
                        choices=choices([("", lazy_gettext("Any")), *LEGAL_BASES]))
    field = StringField(lazy_gettext("Field"), validators=[Optional(), Length(max=60)],
                        description=lazy_gettext("e.g. city, first_name"))
    value = StringField(lazy_gettext("Value"), validators=[Optional(), Length(max=200)],
                        description=lazy_gettext("equal to (empty: the field is empty)"))


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class ContactForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail"), filters=[strip],
                       validators=[DataRequired(), Length(max=254)])
    phone = StringField(lazy_gettext("Phone"), filters=[strip],
                        validators=[Optional(), Length(max=32)],
                        description=lazy_gettext("With country code, e.g. +421 905 123 456"))
    phone_mobile = StringField(lazy_gettext("Mobile phone"), filters=[strip],
                               validators=[Optional(), Length(max=32)])
    phone_work = StringField(lazy_gettext("Work phone"), filters=[strip],
                             validators=[Optional(), Length(max=32)])
    phone_home = StringField(lazy_gettext("Home phone"), filters=[strip],
                             validators=[Optional(), Length(max=32)])
    phone_other = StringField(lazy_gettext("Other phone"), filters=[strip],
                              validators=[Optional(), Length(max=32)])
    first_name = StringField(lazy_gettext("First name"), validators=[Optional(), Length(max=100)])
    last_name = StringField(lazy_gettext("Last name"), validators=[Optional(), Length(max=100)])
    language = SelectField(lazy_gettext("Language"), choices=choices(LANGUAGES))
    status = SelectField(lazy_gettext("Status"), choices=choices(
        [(ContactStatus.ACTIVE, lazy_gettext("Active")),
         (ContactStatus.INACTIVE, lazy_gettext("Inactive")),
         (ContactStatus.ARCHIVED, lazy_gettext("Archived"))]))
    organization_id = SelectField(lazy_gettext("Organization"), coerce=optional_int,
                                  validators=[Optional()])
    branch_id = SelectField(lazy_gettext("Branch"), coerce=optional_int, validators=[Optional()])
    person_id = SelectField(lazy_gettext("Person"), coerce=optional_int, validators=[Optional()])


class OrganizationForm(FlaskForm):
    name = StringField(lazy_gettext("Organization name"),
                       validators=[DataRequired(), Length(max=200)])
    registration_no = StringField(lazy_gettext("Registration no."),
                                  validators=[Optional(), Length(max=40)])
    phone = StringField(lazy_gettext("Phone"), validators=[Optional(), Length(max=32)])


class BranchForm(FlaskForm):
    organization_id = SelectField(lazy_gettext("Organization"), coerce=int,
                                  validators=[DataRequired()])
    name = StringField(lazy_gettext("Branch name"), validators=[DataRequired(), Length(max=200)])


class PersonForm(FlaskForm):
    first_name = StringField(lazy_gettext("First name"), validators=[Optional(), Length(max=100)])
    last_name = StringField(lazy_gettext("Last name"), validators=[Optional(), Length(max=100)])


class BulkForm(FlaskForm):
    """A bulk action on the ticked contacts, or (scope "matching") on every contact the
    search finds; the search travels along in hidden fields (``SEARCH_FIELDS``)."""

    ids = SelectMultipleField(lazy_gettext("Contacts"), coerce=int, validate_choice=False)
    scope = RadioField(lazy_gettext("Apply to"), default="selected", choices=choices(
        [("selected", lazy_gettext("the ticked contacts")),
         ("matching", lazy_gettext("all contacts found"))]))
    action = SelectField(lazy_gettext("Action"), default="", choices=choices(
        [("", lazy_gettext("Choose an action…")), ("add_to_list", lazy_gettext("Add to list")),
         ("remove_from_list", lazy_gettext("Remove from list")),
         ("unsubscribe", lazy_gettext("Unsubscribe from all lists")),
         ("block", lazy_gettext("Block (block list)")), ("export", lazy_gettext("Export as CSV")),
         ("archive", lazy_gettext("Archive")),
         ("erase", lazy_gettext("Erase (delete personal data)"))]),
        validators=[DataRequired(lazy_gettext("Choose an action."))])
    to_list = SelectField(lazy_gettext("List"), coerce=optional_int, validate_choice=False,
                          validators=[Optional()])
    confirm = BooleanField(lazy_gettext("I understand that erased contacts cannot be restored"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.scope.data != "matching" and not self.ids.data:
            self.ids.errors.append(gettext("Select at least one contact."))
            return False
        if self.action.data in ("add_to_list", "remove_from_list") and not self.to_list.data:
            self.to_list.errors.append(gettext("Choose the list."))
            return False
        return True


class ImportUploadForm(FlaskForm):
    list_id = SelectField(lazy_gettext("Into list"), coerce=int, validators=[DataRequired()])
    file = FileField(lazy_gettext("File (CSV or XML)"),
                     validators=[FileRequired(lazy_gettext("Choose a file."))])


class ImportSetupForm(FlaskForm):
    encoding = SelectField(lazy_gettext("Encoding"), choices=choices(ENCODINGS.items()),
                           default="utf-8")
    delimiter = SelectField(lazy_gettext("Delimiter"), choices=choices(DELIMITERS.items()),
                            default=",")
    has_header = BooleanField(lazy_gettext("The first row holds column names"))
    columns = FieldList(SelectField(choices=choices(TARGETS.items())))
    legal_basis = SelectField(
        lazy_gettext("Legal basis"),
        validators=[DataRequired(lazy_gettext("Choose the legal basis."))],
        choices=choices([("", lazy_gettext("Choose…")),
                         (LegalBasis.CONSENT, lazy_gettext("Consent")),
                         (LegalBasis.LEGITIMATE_INTEREST, lazy_gettext("Legitimate interest")),
                         (LegalBasis.CONTRACT, lazy_gettext("Contract"))]))
    source = StringField(
        lazy_gettext("Source"), validators=[Optional(), Length(max=200)],
        description=lazy_gettext("Where the addresses come from, e.g. “trade fair 2026”."))


class AddContactForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail"), filters=[strip],
                       validators=[DataRequired(), Length(max=254)])
    first_name = StringField(lazy_gettext("First name"), validators=[Optional(), Length(max=100)])
    last_name = StringField(lazy_gettext("Last name"), validators=[Optional(), Length(max=100)])
    legal_basis = SelectField(lazy_gettext("Legal basis"), choices=choices(LEGAL_BASES))
