"""Forms of a campaign's sending options: the A/B test of its subject and local-time
delivery (flask-wtf: CSRF on every one)."""

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from newsletter.campaigns.abtest import MAX_WAIT_MINUTES
from newsletter.content import rendering

from .forms import choices, strip


class AbTestForm(FlaskForm):
    subject_1 = StringField(lazy_gettext("Subject A"), filters=[strip],
                            validators=[Length(max=300)])
    subject_2 = StringField(lazy_gettext("Subject B"), filters=[strip],
                            validators=[Length(max=300)])
    subject_3 = StringField(lazy_gettext("Subject C (optional)"), filters=[strip],
                            validators=[Length(max=300)])
    subject_4 = StringField(lazy_gettext("Subject D (optional)"), filters=[strip],
                            validators=[Length(max=300)])
    sample_percent = IntegerField(lazy_gettext("Sample (percentage of the recipients)"),
                                  default=20, validators=[
        InputRequired(), NumberRange(min=1, max=99, message=lazy_gettext(
            "The sample is between 1 and 99 %% of the recipients: the rest gets the "
            "winner."))])
    wait_minutes = IntegerField(lazy_gettext("Wait before picking the winner (minutes)"),
                                default=240,
                                validators=[InputRequired(), NumberRange(
                                    min=1, max=MAX_WAIT_MINUTES,
                                    message=lazy_gettext(
                                        "Wait between 1 minute and 7 days (10080)."))])
    metric = SelectField(lazy_gettext("The winner is the subject with the most"), choices=choices([
        ("clicks", lazy_gettext("unique clicks per delivered message")),
        ("opens", lazy_gettext("unique opens per delivered message (open tracking on)"))]))

    def subjects(self) -> list[str]:
        return [f.data for f in (self.subject_1, self.subject_2, self.subject_3,
                                 self.subject_4) if f.data]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for f in (self.subject_1, self.subject_2, self.subject_3, self.subject_4):
            if f.data and not f.errors:
                try:  # the merge tags, checked as the composer checks the subject
                    rendering.prepare("", None, f.data, where=str(f.label.text))
                except rendering.RenderError as exc:
                    f.errors = [*f.errors, str(exc)]
                    ok = False
        if len(self.subjects()) < 2:
            self.subject_2.errors = [*self.subject_2.errors,
                                     gettext("Give at least two subjects to compare.")]
            ok = False
        return ok


class LocalTimeForm(FlaskForm):
    local_send_time = StringField(
        lazy_gettext("Deliver at (recipient's local time)"), filters=[strip],
        validators=[Optional(), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$",
                                       message=lazy_gettext(
                                           "Give the hour as HH:MM, e.g. 09:00."))])
