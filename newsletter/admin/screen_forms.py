"""Forms of the editor's everyday screens: the account's own settings and the campaign
list's filters."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SearchField, SelectField
from wtforms.validators import Optional

from newsletter.campaigns.listing import SORTS, STATES
from newsletter.platform.timezones import zones

from .forms import choices


class AccountForm(FlaskForm):
    time_zone = SelectField("Your time zone", description=(
        "Scheduling asks for times in this zone, and campaign times are shown in it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = choices((z, z) for z in zones())


class CampaignFilterForm(FlaskForm):
    """GET filters (nothing changes, so no CSRF token in the address)."""

    class Meta:
        csrf = False

    q = SearchField("Search", validators=[Optional()],
                    description="Part of the name or subject")
    state = SelectField("State", choices=choices([("", "Any state")] + [(s, s) for s in STATES]),
                        validators=[Optional()])
    list_id = SelectField("List", coerce=lambda v: int(v) if v else None,
                          validators=[Optional()])
    sort = SelectField("Sort", choices=choices((k, label) for k, (label, _) in SORTS.items()),
                       default="newest", validators=[Optional()])
    page = IntegerField("Page", default=1, validators=[Optional()])
