"""Admin forms (flask-wtf: CSRF on every one)."""

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from ..models import LegalBasis, ListVisibility, OptIn, Role


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField("E-mail", filters=[strip], validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])


class ListForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    visibility = SelectField("Visibility", choices=choices(
        [(ListVisibility.PRIVATE, "Private"), (ListVisibility.PUBLIC, "Public")]))
    optin = SelectField("Opt-in", choices=choices(
        [(OptIn.DOUBLE, "Double opt-in"), (OptIn.SINGLE, "Single opt-in")]))


class AddContactForm(FlaskForm):
    email = EmailField("E-mail", filters=[strip], validators=[DataRequired(), Length(max=254)])
    first_name = StringField("First name", validators=[Optional(), Length(max=100)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=100)])
    legal_basis = SelectField("Legal basis", choices=choices(
        [(LegalBasis.CONSENT, "Consent"),
         (LegalBasis.LEGITIMATE_INTEREST, "Legitimate interest"),
         (LegalBasis.CONTRACT, "Contract")]))


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
