"""Forms of the channels the owner configures: SMTP servers, SMS gateway accounts, a
sender's pool. Password fields never show the stored password: blank keeps it."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from newsletter.channels.servers import GATEWAY_KINDS, MAX_WEIGHT

from .forms import choices, strip

KEEP = lazy_gettext("Blank keeps the stored password.")

#: how a server's connection is secured, as people read it (code -> label)
SECURITY_LABELS = {"plain": lazy_gettext("None (plain SMTP)"), "starttls": "STARTTLS",
                   "tls": lazy_gettext("TLS from the start")}
#: the kinds of SMS gateway (protocol names read the same in every language)
KIND_LABELS = dict(GATEWAY_KINDS)


class MailServerForm(FlaskForm):
    name = StringField(lazy_gettext("Server name"), filters=[strip],
                       validators=[DataRequired(), Length(max=100)])
    host = StringField(lazy_gettext("Host"), filters=[strip],
                       validators=[DataRequired(), Length(max=253)])
    port = IntegerField(lazy_gettext("Port"), default=587,
                        validators=[InputRequired(), NumberRange(min=1, max=65535)])
    security = SelectField(lazy_gettext("Security"), choices=choices(SECURITY_LABELS.items()),
                           default="starttls")
    username = StringField(lazy_gettext("User"), filters=[strip],
                           validators=[Optional(), Length(max=254)])
    password = PasswordField(lazy_gettext("Password"), validators=[Optional(), Length(max=500)])
    clear_password = BooleanField(lazy_gettext("Remove the stored password"))
    max_connections = IntegerField(lazy_gettext("Connections at most"), validators=[
        Optional(), NumberRange(min=1, max=1000)])
    rate_per_minute = IntegerField(lazy_gettext("Messages per minute at most"), validators=[
        Optional(), NumberRange(min=1, max=1_000_000)])
    timeout = IntegerField(lazy_gettext("Timeout (seconds)"), default=30,
                           validators=[InputRequired(), NumberRange(min=1, max=300)])


class GatewayForm(FlaskForm):
    name = StringField(lazy_gettext("Gateway name"), filters=[strip],
                       validators=[DataRequired(), Length(max=100)])
    kind = SelectField(lazy_gettext("Kind"), choices=choices(KIND_LABELS.items()),
                       default="smpp")
    host = StringField(lazy_gettext("Host"), filters=[strip],
                       validators=[DataRequired(), Length(max=253)])
    port = IntegerField(lazy_gettext("Port"), default=2775,
                        validators=[InputRequired(), NumberRange(min=1, max=65535)])
    username = StringField(lazy_gettext("User (SMPP system_id)"), filters=[strip],
                           validators=[DataRequired(), Length(max=100)])
    password = PasswordField(lazy_gettext("Password"), validators=[Optional(), Length(max=500)])
    path = StringField(lazy_gettext("Path (HTTP)"), filters=[strip],
                       validators=[Optional(), Length(max=200)])
    options = StringField(lazy_gettext("Parameters"), filters=[strip],
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
            validators=[InputRequired(message=lazy_gettext(
                "A number: 0 leaves the server out.")),
                        NumberRange(min=0, max=MAX_WEIGHT)]))
    return Form(formdata=formdata) if formdata is not None else Form()
