"""Forms of the channels the owner configures: SMTP servers, SMS gateway accounts, a
sender's pool. Password fields never show the stored password: blank keeps it."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from newsletter.channels.servers import GATEWAY_KINDS, MAX_WEIGHT, SECURITY

from .forms import choices, strip

KEEP = "Blank keeps the stored password."


class MailServerForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=100)])
    host = StringField("Host", filters=[strip], validators=[DataRequired(), Length(max=253)])
    port = IntegerField("Port", default=587,
                        validators=[InputRequired(), NumberRange(min=1, max=65535)])
    security = SelectField("Security", choices=choices(SECURITY.items()), default="starttls")
    username = StringField("User", filters=[strip], validators=[Optional(), Length(max=254)])
    password = PasswordField("Password", validators=[Optional(), Length(max=500)])
    clear_password = BooleanField("Remove the stored password")
    max_connections = IntegerField("Connections at most", validators=[
        Optional(), NumberRange(min=1, max=1000)])
    rate_per_minute = IntegerField("Messages per minute at most", validators=[
        Optional(), NumberRange(min=1, max=1_000_000)])
    timeout = IntegerField("Timeout (seconds)", default=30,
                           validators=[InputRequired(), NumberRange(min=1, max=300)])


class GatewayForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=100)])
    kind = SelectField("Kind", choices=choices(GATEWAY_KINDS.items()), default="smpp")
    host = StringField("Host", filters=[strip], validators=[DataRequired(), Length(max=253)])
    port = IntegerField("Port", default=2775,
                        validators=[InputRequired(), NumberRange(min=1, max=65535)])
    username = StringField("User (SMPP system_id)", filters=[strip],
                           validators=[DataRequired(), Length(max=100)])
    password = PasswordField("Password", validators=[Optional(), Length(max=500)])
    path = StringField("Path (HTTP)", filters=[strip], validators=[Optional(), Length(max=200)])
    options = StringField("Parameters", filters=[strip],
                          validators=[Optional(), Length(max=500)])


class PoolForm(FlaskForm):
    """One weight field per server (``weight-<id>``), added by ``pool_form``."""


def pool_form(servers, weights: dict[int, int], formdata=None) -> PoolForm:
    class Form(PoolForm):
        pass

    for server in servers:
        setattr(Form, f"weight_{server.id}", IntegerField(
            f"{server.name} ({server.host}:{server.port})",
            default=weights.get(server.id, 0),
            validators=[InputRequired(message="A number: 0 leaves the server out."),
                        NumberRange(min=0, max=MAX_WEIGHT)]))
    return Form(formdata=formdata) if formdata is not None else Form()
