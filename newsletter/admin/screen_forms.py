"""Forms of the editor's everyday screens: the account's own settings and the campaign
list's filters."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, SearchField, SelectField
from wtforms.validators import Optional

from newsletter.campaigns.listing import SORTS, STATES
from newsletter.platform.i18n import LANGUAGES
from newsletter.platform.timezones import zones

from .forms import choices
from .labels import SORTS as SORT_LABELS
from .labels import STATUSES


class AccountForm(FlaskForm):
    time_zone = SelectField(lazy_gettext("Your time zone"), description=lazy_gettext(
        "Scheduling asks for times in this zone, and campaign times are shown in it."))
    language = SelectField(lazy_gettext("Language of the administration"),
                           choices=choices(LANGUAGES.items()), description=lazy_gettext(
        "Menus, buttons and messages of these pages. Subscribers see their own language."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = choices((z, z) for z in zones())


class CampaignFilterForm(FlaskForm):
    """GET filters (nothing changes, so no CSRF token in the address)."""

    class Meta:
        csrf = False

    q = SearchField(lazy_gettext("Search"), validators=[Optional()],
                    description=lazy_gettext("Part of the name or subject"))
    state = SelectField(lazy_gettext("State"), choices=choices(
        [("", lazy_gettext("Any state"))] + [(s, STATUSES.get(s, s)) for s in STATES]),
                        validators=[Optional()])
    list_id = SelectField(lazy_gettext("List"), coerce=lambda v: int(v) if v else None,
                          validators=[Optional()])
    sort = SelectField(lazy_gettext("Sort"), choices=choices(
        (k, SORT_LABELS.get(k, label)) for k, (label, _) in SORTS.items()),
                       default="newest", validators=[Optional()])
    page = IntegerField(lazy_gettext("Page"), default=1, validators=[Optional()])
