"""The campaign composer: campaign form with blocks, live and full previews, language
variants, attachments, image uploads and test sends."""

import dataclasses
import json
from types import SimpleNamespace

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import select

from newsletter import jobs
from newsletter.audience import lists
from newsletter.campaigns import recipients
from newsletter.compliance import checklist, review
from newsletter.content import (
    blocks,
    composer,
    display,
    media,
    rendering,
    saved_templates,
    themes,
    webview,
)
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import (
    Branch,
    Campaign,
    CampaignStatus,
    Channel,
    Contact,
    Organization,
    SenderIdentity,
    utcnow,
)
from newsletter.platform.redirects import safe_next
from newsletter.platform.sessioncookie import background
from newsletter.segments import segments
from newsletter.sending import sms_testsend, testsend

from . import bp, perform
from .forms import CampaignForm, EmptyForm, FileForm, TestSendForm, VariantForm, choices


def _as_form_data(campaign: Campaign) -> SimpleNamespace:
    return SimpleNamespace(
        name=campaign.name, subject=campaign.subject, preheader=campaign.preheader,
        body_text=campaign.body_text,
        text_edited=campaign.text_edited, theme=campaign.theme_id or 0,
        template=campaign.template, language=campaign.language,
        public_archive=campaign.public_archive, track_opens=campaign.track_opens,
        lists=[m.id for m in campaign.lists], sender=campaign.sender_id or 0,
        extra_recipients=campaign.extra_recipients, branch=campaign.branch_id or 0,
        segment=campaign.segment_id or 0,
        blocks=[SimpleNamespace(**b) for b in campaign.blocks or []])


def _campaign_form(campaign: Campaign | None) -> CampaignForm:
    obj = _as_form_data(campaign) if campaign is not None and request.method != "POST" else None
    form = CampaignForm(obj=obj)
    form.lists.choices = choices((m.id, f"{m.name} ({n})")
                                 for m, n in lists.list_overview(db.session))
    senders = db.session.scalars(select(SenderIdentity).order_by(SenderIdentity.name))
    form.sender.choices = choices([(0, lazy_gettext("Default sender"))] + [
        (s.id, f"{s.from_name} <{s.from_email}>") for s in senders])
    form.theme.choices = choices([(0, lazy_gettext("Default look"))] + [
        (t.id, t.name) for t in themes.list_themes(db.session)])
    form.template.choices = choices([(k, gettext(v[0])) for k, v in blocks.TEMPLATES.items()]
                                    + saved_templates.choices(db.session))
    form.branch.choices = choices([(0, lazy_gettext("All contacts on the lists"))] + [
        (b.id, f"{b.organization.name} — {b.name}") for b in db.session.scalars(
            select(Branch).join(Organization).order_by(Organization.name, Branch.name))])
    form.segment.choices = choices([(0, lazy_gettext("Everyone on the lists"))] + [
        (s.id, s.name) for s in segments.list_segments(db.session)])
    return form


def _form_blocks(form) -> list[dict]:
    return [dict(entry.data) for entry in form.blocks]


def _set_blocks(form, new_blocks: list[dict]) -> None:
    while form.blocks.entries:
        form.blocks.pop_entry()
    for block in new_blocks:
        form.blocks.append_entry(SimpleNamespace(**block))


def block_action(form, action: str) -> bool:
    """Apply an add/up/down/remove button (the composer works without JavaScript: each is
    a submit that re-renders the form unsaved). False when ``action`` is a save."""
    verb, _, arg = action.partition(":")
    current = _form_blocks(form)
    if verb == "add" and arg in blocks.BLOCK_TYPES:
        current.append(blocks.new_block(arg))
    elif verb in ("up", "down") and arg.isdigit():
        current = blocks.move(current, int(arg), -1 if verb == "up" else 1)
    elif verb == "move" and all(part.isdigit() for part in arg.split(":")) \
            and arg.count(":") == 1:  # drag and drop: from index to index
        start, end = (int(part) for part in arg.split(":"))
        current = blocks.move(current, start, end - start)
    elif verb == "remove" and arg.isdigit() and int(arg) < len(current):
        form.removed = {"index": int(arg), "block": current.pop(int(arg))}
    elif verb == "undo":  # put the last removed block back where it was
        current = _restore_removed(current, request.form.get("removed_block", ""))
    elif verb == "template" and getattr(form, "template", None) is not None \
            and saved_templates.blocks_for(db.session, form.template.data) is not None:
        current = saved_templates.blocks_for(db.session, form.template.data)
    else:
        return False
    _set_blocks(form, current)
    return True


def _restore_removed(current: list[dict], stashed: str) -> list[dict]:
    """The blocks with the one the removal stashed in the re-rendered form (``removed_block``:
    its index and fields, as JSON) inserted again; unchanged when the stash is unusable."""
    try:
        removed = json.loads(stashed)
        index, block = int(removed["index"]), blocks.clean_block(removed["block"])
    except (ValueError, TypeError, KeyError, AttributeError, DomainError):
        return current
    if len(current) >= blocks.MAX_BLOCKS:
        return current
    return [*current[:max(0, index)], block, *current[max(0, index):]]


def _draft(form: CampaignForm) -> composer.Draft:
    return composer.Draft(
        name=form.name.data, subject=form.subject.data, list_ids=form.lists.data,
        sender_id=form.sender.data or None, theme_id=form.theme.data or None,
        template=form.template.data or "blank", blocks=_form_blocks(form),
        body_text=form.body_text.data or "", text_edited=form.text_edited.data,
        language=(form.language.data or "en").strip().lower(),
        public_archive=form.public_archive.data, track_opens=form.track_opens.data,
        extra_recipients=form.extra_recipients.data or "", branch_id=form.branch.data or None,
        preheader=form.preheader.data or "", segment_id=form.segment.data or None)


def edited(campaign_id: int) -> None:
    """After a committed content save: approved content that changed is held for review
    again at once (compliance.review), and the editor told here and by mail."""
    _, held = perform(lambda: review.recheck_edited(db.session, campaign_id,
                                                    current_user.email))
    if held:
        jobs.enqueue_review_mail(held.id)
        flash(gettext("The content changed after its approval, so the campaign is held for "
                      "review again (it matches %(rules)s). A reviewer approves or rejects it; "
                      "you are told by mail.",
                      rules=", ".join(sorted({f["name"] for f in held.findings}))), "info")


def _attempt(form, action) -> bool:
    """Run one service call; commit on success, else roll back and show the error at the
    form's field (the form re-renders with what was typed)."""
    try:
        action()
    except DomainError as exc:
        _show_error(form, exc)
        return False
    db.session.commit()
    return True


def _show_error(form, exc: DomainError) -> None:
    db.session.rollback()
    target = getattr(form, getattr(exc, "field", None) or "", None)
    if str(exc).startswith(("Subject", gettext("Subject"))):
        target = form.subject
    block = getattr(exc, "block", None)
    if block is not None and block < len(form.blocks.entries):
        target = form.blocks.entries[block].form[exc.block_field]
    if target is not None and not isinstance(target.errors, dict):
        target.errors = [*target.errors, str(exc)]
    flash(str(exc), "error")


@bp.route("/campaigns/new", methods=["GET", "POST"], defaults={"campaign_id": None})
@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit_campaign(campaign_id: int | None):
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
    if campaign_id and campaign is None:
        abort(404)
    form = _campaign_form(campaign)
    if form.is_submitted() and block_action(form, request.form.get("action", "save")):
        return _render_form(form, campaign, 200)
    saved = []
    if form.validate_on_submit() and _attempt(form, lambda: saved.append(composer.save_draft(
            db.session, campaign_id, _draft(form), created_by_id=current_user.id))):
        flash(gettext("Campaign saved."), "success")
        edited(saved[0].id)
        return redirect(url_for("admin.campaign", campaign_id=saved[0].id))
    return _render_form(form, campaign, 422 if form.is_submitted() else 200)


@bp.post("/campaigns/autosave", defaults={"campaign_id": None})
@bp.post("/campaigns/<int:campaign_id>/autosave")
@background
def autosave_campaign(campaign_id: int | None):
    """The composer saving a draft as the editor writes (composer-blocks.js): JSON, no
    page. A new campaign is created on its first autosave; the answer says where it now
    lives."""
    if campaign_id is not None:
        campaign = db.session.get(Campaign, campaign_id) or abort(404)
        if campaign.status != CampaignStatus.DRAFT:
            return jsonify(error=gettext("This campaign is no longer a draft.")), 409
    form = _campaign_form(None)
    if not form.validate_on_submit():
        return jsonify(error=_first_error(form)), 422
    try:
        saved = composer.save_draft(db.session, campaign_id, _draft(form),
                                    created_by_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        return jsonify(error=str(exc)), 422
    db.session.commit()
    return jsonify(id=saved.id, saved_at=utcnow().isoformat(timespec="seconds") + "Z",
                   edit_url=url_for("admin.edit_campaign", campaign_id=saved.id),
                   autosave_url=url_for("admin.autosave_campaign", campaign_id=saved.id))


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        if isinstance(errors, list) and errors and isinstance(errors[0], str):
            label = getattr(getattr(form, name, None), "label", None)
            return f"{label.text if label else name}: {errors[0]}"
    return gettext("Some blocks are not complete yet.")


def _render_form(form, campaign, status):
    return render_template("admin/campaign_form.html", form=form, campaign=campaign,
                           block_types=blocks.block_labels(),
                           upload_form=FileForm(prefix="upload")), status


@bp.post("/campaigns/preview")
@background
def live_preview():
    """The composer's live preview: the submitted (unsaved) form rendered with sample
    data. Errors come back as a readable page with status 422."""
    form = CampaignForm()
    try:
        _, content = composer.prepare_content(form.subject.data or "", _form_blocks(form),
                                              form.body_text.data if form.text_edited.data
                                              else None, complete=False)
        content = dataclasses.replace(content, preheader=composer.clean_preheader(
            request.form.get("preheader", "")))
        theme_id = request.form.get("theme", type=int) or None
        theme = themes.get_theme(db.session, theme_id) if theme_id else None
        out = rendering.render(content, themes.style(theme), rendering.sample_merge_data(),
                               rendering.Links(base_url=request.host_url.rstrip("/")))
    except DomainError as exc:
        return _preview_error(exc)
    return display.message_response(out.html)


def _preview_error(exc: DomainError):
    return display.message_response(
        render_template("admin/preview_error.html", error=str(exc)), 422)


@bp.get("/campaigns/<int:campaign_id>/preview")
def preview(campaign_id: int):
    """Desktop and 320 px previews (frames of preview_html) and the plain-text version."""
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    language = request.args.get("lang") or None
    try:
        text, error = webview.render_test(campaign, None, request.host_url.rstrip("/"),
                                          language=language).text, None
    except DomainError as exc:
        text, error = "", str(exc)
    return render_template("admin/campaign_preview.html", campaign=campaign, language=language,
                           languages=[campaign.language, *sorted(campaign.variants or {})],
                           text=text, error=error)


@bp.get("/campaigns/<int:campaign_id>/preview.html")
def preview_html(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    try:
        out = webview.render_test(campaign, None, request.host_url.rstrip("/"),
                                  language=request.args.get("lang") or None)
    except DomainError as exc:
        return _preview_error(exc)
    return display.message_response(out.html)


@bp.route("/campaigns/<int:campaign_id>/variants/new", methods=["GET", "POST"],
          defaults={"language": None})
@bp.route("/campaigns/<int:campaign_id>/variants/<language>", methods=["GET", "POST"])
def edit_variant(campaign_id: int, language: str | None):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    variant = (campaign.variants or {}).get(language) if language else None
    if language and variant is None:
        abort(404)
    obj = None
    if variant and request.method != "POST":
        obj = SimpleNamespace(language=language, subject=variant["subject"],
                              body_text=variant["body_text"],
                              text_edited=variant.get("text_edited", False),
                              blocks=[SimpleNamespace(**b) for b in variant["blocks"]])
    elif request.method != "POST":
        obj = SimpleNamespace(**{**vars(_as_form_data(campaign)), "language": ""})
    form = VariantForm(obj=obj)
    if form.is_submitted() and block_action(form, request.form.get("action", "save")):
        return render_template("admin/variant_form.html", form=form, campaign=campaign,
                               block_types=blocks.block_labels()), 200
    if form.validate_on_submit() and _attempt(form, lambda: composer.save_variant(
            db.session, campaign_id, form.language.data, form.subject.data,
            _form_blocks(form), form.body_text.data if form.text_edited.data else None)):
        flash(gettext("Language variant %(language)s saved.",
                      language=form.language.data.strip().lower()), "success")
        edited(campaign_id)
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    return render_template("admin/variant_form.html", form=form, campaign=campaign,
                           block_types=blocks.block_labels()), 422 if form.is_submitted() else 200


@bp.post("/campaigns/<int:campaign_id>/variants/<language>/delete")
def delete_variant(campaign_id: int, language: str):
    response = _simple_post(lambda: composer.delete_variant(db.session, campaign_id, language),
                            gettext("Language variant %(language)s removed.",
                                    language=language),
                            url_for("admin.campaign", campaign_id=campaign_id))
    edited(campaign_id)
    return response


def _simple_post(action, message: str, back: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(back)


@bp.route("/campaigns/<int:campaign_id>/files", methods=["GET", "POST"])
def campaign_files(campaign_id: int):
    """Attachments of a campaign (OBERON), with size limits."""
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    form = FileForm()
    upload = form.file.data
    if form.validate_on_submit() and _attempt(form, lambda: media.add_attachment(
            db.session, campaign_id, upload.filename, upload.mimetype, upload.read())):
        flash(gettext("Attached %(name)s.", name=upload.filename), "success")
        return redirect(url_for("admin.campaign_files", campaign_id=campaign_id))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/campaign_files.html", campaign=campaign, form=form,
                           delete_form=EmptyForm(), upload_form=FileForm(prefix="upload"),
                           images=media.recent_images(db.session)), status


@bp.post("/campaigns/<int:campaign_id>/files/<int:attachment_id>/delete")
def delete_attachment(campaign_id: int, attachment_id: int):
    return _simple_post(
        lambda: media.remove_attachment(db.session, campaign_id, attachment_id),
        gettext("Attachment removed."), url_for("admin.campaign_files", campaign_id=campaign_id))


@bp.post("/uploads")
def upload_image():
    """Image upload from the composer: JSON for the script, a flash without it."""
    form = FileForm(prefix="upload")
    wants_json = request.accept_mimetypes.best == "application/json"
    back = redirect(safe_next(request.referrer, url_for("admin.dashboard"),
                              origin=request.host_url))  # the page the upload came from
    try:
        if not form.validate_on_submit():
            raise composer.ComposerError(gettext("Choose an image file."))
        image = media.add_image(db.session, form.file.data.filename, form.file.data.read())
    except DomainError as exc:
        db.session.rollback()
        if wants_json:
            return jsonify(error=str(exc)), 422
        flash(str(exc), "error")
        return back
    db.session.commit()
    url = url_for("public.media", key=image.key)
    if wants_json:
        return jsonify(url=url)
    flash(gettext("Image uploaded. Its address for an image block: %(url)s", url=url),
          "success")
    return back


@bp.route("/campaigns/<int:campaign_id>/test", methods=["GET", "POST"])
def test_send(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    form = TestSendForm()
    if request.method != "POST" and not form.addresses.data:
        form.addresses.data = current_user.email
    checked = []
    requester = sms_testsend if campaign.channel == Channel.SMS else testsend
    if request.method != "POST" and campaign.channel == Channel.SMS:
        form.addresses.data = ""
    if form.validate_on_submit() and _attempt(form, lambda: checked.extend(
            requester.request_test(db.session, campaign_id, form.addresses.data,
                                   form.contact.data or ""))):
        addresses, contact_id = checked
        jobs.enqueue_test(campaign_id, addresses, contact_id)  # after the commit
        flash(gettext("Test message on its way to %(addresses)s.",
                      addresses=", ".join(addresses)), "success")
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    contacts = db.session.scalars(select(Contact.email).where(Contact.email.is_not(None))
                                  .order_by(Contact.id).limit(50))
    return render_template("admin/test_send.html", campaign=campaign, form=form,
                           contacts=list(contacts)), 422 if form.is_submitted() else 200


@bp.get("/campaigns/<int:campaign_id>/test/contacts")
def test_send_contacts(campaign_id: int):
    """The addresses the contact field suggests while the editor types (?q=)."""
    db.session.get(Campaign, campaign_id) or abort(404)
    return jsonify(testsend.suggest_contacts(db.session, request.args.get("q", "")[:100]))


@bp.get("/campaigns/<int:campaign_id>/confirm-send")
def confirm_send(campaign_id: int):
    """Asked before every send: to how many recipients, whether it was test-sent, and
    what the pre-send checklist warns of (compliance)."""
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    if campaign.status != CampaignStatus.DRAFT:
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    return render_template("admin/confirm_send.html", campaign=campaign, form=EmptyForm(),
                           checks=checklist.run(db.session, campaign_id),
                           count=recipients.count_recipients(db.session, campaign_id))
