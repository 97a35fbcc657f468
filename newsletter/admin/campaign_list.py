"""The campaign list (search, filters, sort, pages), duplicating a campaign, and the
account's own settings (its time zone)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import select

from newsletter.campaigns import drafts, listing
from newsletter.extensions import db
from newsletter.models import Channel, MailingList
from newsletter.platform import accounts, timezones
from newsletter.platform.i18n import use_language

from . import bp, perform
from .forms import EmptyForm, choices
from .screen_forms import AccountForm, CampaignFilterForm


@bp.get("/campaigns")
def campaigns():
    form = CampaignFilterForm(request.args)
    form.list_id.choices = choices([("", lazy_gettext("Any list"))] + [
        (m.id, m.name) for m in db.session.scalars(select(MailingList).order_by(MailingList.name))])
    form.validate()  # unknown values fall back to "any" in the search
    found = listing.search(db.session, query=form.q.data or "", state=form.state.data or "",
                           list_id=form.list_id.data if not form.list_id.errors else None,
                           sort=form.sort.data or "newest", page=form.page.data or 1)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/campaign_list.html", form=form, found=found, args=args,
                           action_form=EmptyForm())


@bp.post("/campaigns/<int:campaign_id>/duplicate")
def duplicate_campaign(campaign_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    ok, copy = perform(lambda: drafts.duplicate_campaign(db.session, campaign_id,
                                                         current_user.id))
    if not ok:
        return redirect(url_for("admin.campaigns"))
    edit = "admin.edit_sms_campaign" if copy.channel == Channel.SMS else "admin.edit_campaign"
    flash(gettext("Duplicated: this is the copy, a draft. Change what you need and send it."),
          "success")
    return redirect(url_for(edit, campaign_id=copy.id))


@bp.route("/account", methods=["GET", "POST"])
def account():
    # a field the POST leaves out keeps the account's value
    form = AccountForm(data={"time_zone": current_user.time_zone,
                             "language": current_user.language})
    if form.validate_on_submit():
        ok, user = perform(lambda: accounts.set_preferences(
            db.session, current_user.id, form.time_zone.data, form.language.data))
        if ok:
            use_language(user.language)  # the message below already in the new language
            flash(gettext("Times are now shown in %(zone)s.", zone=user.time_zone),
                  "success")
            return redirect(url_for("admin.account"))
    return render_template("admin/account.html", form=form), 422 if form.errors else 200


@bp.app_template_filter("local_time")
def local_time(value) -> str:
    """A stored UTC time in the signed-in editor's zone, with the zone named."""
    zone = getattr(current_user, "time_zone", None) or timezones.DEFAULT_ZONE
    return timezones.label(value, zone)
