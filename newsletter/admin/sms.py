"""SMS campaigns in the campaign screens: the SMS form (text with a counter that the server
computes on every submit and a small script keeps live, a tag picker, transliteration and
opt-out line), the confirmation before sending (messages, parts, quota before and after),
and the owner's quota ledger with top-ups and the alphanumeric-sender switch."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from newsletter.audience import lists
from newsletter.audience.phones import LABELS
from newsletter.campaigns.drafts import CampaignError
from newsletter.channels import sms_gateways
from newsletter.content import sms as sms_content
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import Branch, Campaign, CampaignStatus, Channel, Organization, PhoneKind
from newsletter.segments import segments
from newsletter.sending import sms as sms_sending
from newsletter.sms import quota

from . import bp, owner_bp
from .composer import edited
from .forms import EmptyForm, choices
from .sms_forms import SmsCampaignForm, SmsSettingsForm, TopUpForm

LEDGER_PAGE = 100
#: the contact's phone fields as the form names them (in the account's language)
PHONE_LABELS = {PhoneKind.MAIN: lazy_gettext("Phone"),
                PhoneKind.MOBILE: lazy_gettext("Mobile phone"),
                PhoneKind.WORK: lazy_gettext("Work phone"),
                PhoneKind.HOME: lazy_gettext("Home phone"),
                PhoneKind.OTHER: lazy_gettext("Other phone")}


def _form(campaign: Campaign | None) -> SmsCampaignForm:
    form = SmsCampaignForm()
    if campaign is not None and request.method != "POST":
        form = SmsCampaignForm(data={
            "name": campaign.name, "lists": [m.id for m in campaign.lists],
            "branch": campaign.branch_id or 0, "segment": campaign.segment_id or 0,
            "phone_field": campaign.sms_phone_field,
            "gateway": campaign.sms_gateway, "sender": campaign.sms_sender,
            "text": campaign.sms_text, "transliterate": campaign.sms_transliterate,
            "opt_out": campaign.sms_opt_out, "extra_recipients": campaign.extra_recipients})
    form.lists.choices = choices((m.id, f"{m.name} ({n})")
                                 for m, n in lists.list_overview(db.session))
    form.branch.choices = choices([(0, gettext("All contacts on the lists"))] + [
        (b.id, f"{b.organization.name} — {b.name}") for b in db.session.scalars(
            select(Branch).join(Organization).order_by(Organization.name, Branch.name))])
    form.segment.choices = choices([(0, gettext("Everyone on the lists"))] + [
        (s.id, s.name) for s in segments.list_segments(db.session)])
    form.phone_field.choices = choices((kind, PHONE_LABELS.get(kind, LABELS[kind]))
                                       for kind in PhoneKind.ALL)
    form.gateway.choices = choices(
        (n, n) for n in sms_gateways.names(current_app.config, db.session))
    return form


def _draft(form: SmsCampaignForm) -> sms_content.SmsDraft:
    return sms_content.SmsDraft(
        name=form.name.data or "", list_ids=form.lists.data or [], text=form.text.data or "",
        gateway=form.gateway.data or "", sender=form.sender.data or "",
        phone_field=form.phone_field.data or PhoneKind.MAIN,
        transliterate=bool(form.transliterate.data), opt_out=form.opt_out.data or "",
        extra_recipients=form.extra_recipients.data or "", branch_id=form.branch.data or None,
        segment_id=form.segment.data or None)


@bp.route("/campaigns/new-sms", methods=["GET", "POST"], defaults={"campaign_id": None})
@bp.route("/campaigns/<int:campaign_id>/sms", methods=["GET", "POST"])
def edit_sms_campaign(campaign_id: int | None):
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
    if campaign_id and (campaign is None or campaign.channel != Channel.SMS):
        abort(404)
    form = _form(campaign)
    action = request.form.get("action", "save")
    if form.is_submitted() and action == "tag" and form.tag.data:  # the picker without JS
        form.text.data = (form.text.data or "") + form.tag.data
    elif form.validate_on_submit() and action == "save":
        try:
            saved = sms_content.save_sms_draft(
                db.session, campaign_id, _draft(form),
                gateways=sms_gateways.names(current_app.config, db.session),
                created_by_id=current_user.id)
        except DomainError as exc:
            db.session.rollback()
            field = getattr(form, getattr(exc, "field", None) or "", None) or form.text
            field.errors = [*field.errors, str(exc)]
        else:
            db.session.commit()
            flash(gettext("SMS campaign saved."), "success")
            edited(saved.id)
            return redirect(url_for("admin.campaign", campaign_id=saved.id))
    status = 422 if form.is_submitted() and (form.errors or action == "save") else 200
    return render_template("admin/sms_campaign_form.html", form=form, campaign=campaign,
                           counter=_counter(form), tags=sms_content.MERGE_TAGS), status


def _counter(form: SmsCampaignForm) -> sms_content.Counter:
    return sms_content.counter(form.text.data or "", transliterated=bool(form.transliterate.data),
                               opt_out=form.opt_out.data or "")


@bp.post("/campaigns/<int:campaign_id>/sms-confirm")
def confirm_sms(campaign_id: int):
    """The confirmation (seed 002): what starting now would send and what it costs. A POST
    because it runs the start in a savepoint (rolled back): nothing changes."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    if campaign.channel != Channel.SMS or campaign.status != CampaignStatus.DRAFT:
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    try:
        shown = sms_sending.preview(db.session, campaign_id)
    except CampaignError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    db.session.rollback()
    return render_template("admin/sms_confirm.html", campaign=campaign, preview=shown,
                           form=EmptyForm())


@owner_bp.get("/sms/quota")
def sms_quota():
    page = max(request.args.get("page", 1, type=int), 1)
    return render_template(
        "admin/sms_quota.html", balance=quota.balance(db.session), page=page,
        movements=quota.movements(db.session, LEDGER_PAGE, (page - 1) * LEDGER_PAGE),
        pages=max(1, -(-quota.movement_count(db.session) // LEDGER_PAGE)),
        top_up=TopUpForm(), settings=SmsSettingsForm(
            alphanumeric_sender=quota.alphanumeric_sender_allowed(db.session)))


@owner_bp.post("/sms/quota/top-up")
def sms_top_up():
    form = TopUpForm()
    if form.validate_on_submit():
        try:
            balance = quota.top_up(db.session, form.amount.data, form.note.data or "",
                                   actor=current_user.email)
        except DomainError as exc:
            db.session.rollback()
            form.amount.errors.append(str(exc))
        else:
            db.session.commit()
            flash(ngettext("Added %(num)d part: %(available)d available.",
                           "Added %(num)d parts: %(available)d available.", form.amount.data,
                           available=balance.available), "success")
            return redirect(url_for("admin.owner.sms_quota"))
    return render_template(
        "admin/sms_quota.html", balance=quota.balance(db.session), page=1,
        movements=quota.movements(db.session, LEDGER_PAGE), pages=1, top_up=form,
        settings=SmsSettingsForm(
            alphanumeric_sender=quota.alphanumeric_sender_allowed(db.session))), 422


@owner_bp.post("/sms/settings")
def sms_settings():
    form = SmsSettingsForm()
    if not form.validate_on_submit():
        abort(400)
    quota.set_alphanumeric_sender(db.session, bool(form.alphanumeric_sender.data))
    db.session.commit()
    flash(gettext("Alphanumeric senders are allowed.") if form.alphanumeric_sender.data
          else gettext("Alphanumeric senders are not allowed."), "success")
    return redirect(url_for("admin.owner.sms_quota"))
