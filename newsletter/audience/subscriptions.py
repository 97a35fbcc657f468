"""Self-service subscriptions: signup (single or double opt-in), confirmation and
unsubscribe, each leaving consent evidence (time, IP, user agent, text version)."""

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import timedelta

from flask import current_app
from flask_babel import get_locale, gettext
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from newsletter.errors import DomainError
from newsletter.models import (
    Channel,
    ConsentRecord,
    Contact,
    ContactStatus,
    Delivery,
    ListVisibility,
    MailingList,
    OptIn,
    Subscription,
    SubscriptionStatus,
    Suppression,
    utcnow,
)
from newsletter.platform import limits, ratelimit, tokens
from newsletter.webhooks import events, payloads
from newsletter.webhooks import outbox as webhooks

from . import history, suppression
from .addresses import InvalidAddress, normalize_email
from .suppression import Reason, address_hash, is_suppressed

NAME_MAX = 100
CONFIRMATION_INTERVAL = timedelta(hours=24)
HONEYPOT = "website"  # a field hidden from people; bots fill it in
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_VERSION = re.compile(r"^[a-z]{2}-[0-9a-f]{12}$")


class ListNotFound(DomainError):
    def __init__(self):
        super().__init__(gettext("There is no public list at this address."))


class SignupError(DomainError):
    """Bad input: ``errors`` maps form field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Evidence:
    """Who asked, for the consent record."""

    ip: str | None
    user_agent: str | None
    source: str

    def __post_init__(self):
        object.__setattr__(self, "user_agent", (self.user_agent or "")[:300] or None)


@dataclass(frozen=True)
class SignupResult:
    subscription_id: int
    confirmed: bool  # single opt-in (or already confirmed): nothing more to do
    #: a mail should go now (after the commit): the confirmation link, or for an address
    #: already on a double opt-in list a notice that nothing changed
    mail_due: bool
    text_version: str | None = None  # the consent text version the subscriber saw


def public_list(session, key: str) -> MailingList:
    mlist = session.scalar(select(MailingList).where(MailingList.key == key))
    if mlist is None or mlist.visibility != ListVisibility.PUBLIC:
        raise ListNotFound()
    return mlist


def consent_text(mlist: MailingList) -> str:
    """The consent sentence shown next to the signup button, in the current language."""
    text = gettext("I want to receive “%(name)s” by e-mail. I can unsubscribe at any time "
                   "with the link in every message.", name=mlist.name)
    if mlist.purpose:
        text += " " + gettext("Purpose: %(purpose)s", purpose=mlist.purpose)
    return text


def consent_version(mlist: MailingList) -> str:
    """Identifies the consent text shown: its language and a hash of its wording."""
    digest = hashlib.sha256(consent_text(mlist).encode()).hexdigest()[:12]
    return f"{get_locale()}-{digest}"


def clean_version(value: str | None, mlist: MailingList) -> str:
    """The version a form says it showed, or the current one when it sent none."""
    value = (value or "").strip()
    return value if _VERSION.match(value) else consent_version(mlist)


def clean_name(value: str | None, field: str) -> str | None:
    value = (value or "").strip()
    if _CONTROL.search(value):
        raise SignupError({field: gettext("A name cannot contain line breaks or control "
                                          "characters.")})
    if len(value) > NAME_MAX:
        raise SignupError({field: gettext("At most %(n)d characters, please.", n=NAME_MAX)})
    return value or None


def clean_email(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise SignupError({"email": gettext("Enter your e-mail address.")})
    if len(value) > 254 or _CONTROL.search(value):
        raise SignupError({"email": gettext("Enter a valid e-mail address.")})
    try:
        return normalize_email(value)
    except InvalidAddress as exc:
        raise SignupError({"email": gettext("Enter a valid e-mail address.")}) from exc


def clean_signup(email, first_name, last_name) -> tuple[str, str | None, str | None]:
    """The normalized address and names, or one SignupError naming every bad field."""
    errors, values = {}, []
    for clean, args in ((clean_email, (email,)), (clean_name, (first_name, "first_name")),
                        (clean_name, (last_name, "last_name"))):
        try:
            values.append(clean(*args))
        except SignupError as exc:
            errors.update(exc.errors)
    if errors:
        raise SignupError(errors)
    return values[0], values[1], values[2]


def signup_answer(mlist: MailingList) -> tuple[str, str, str]:
    """``(status, title, text)`` after a signup, the same for every address: new, already
    subscribed, unsubscribed before, erased, or a bot's. Only the list's opt-in mode
    decides, so the answer never tells whether an address is on the list."""
    if mlist.optin == OptIn.SINGLE:
        return "subscribed", gettext("Thank you"), gettext(
            "Thank you for signing up for “%(name)s”. If your address has to confirm it "
            "first (for example because it left the list before), we have sent it a link.",
            name=mlist.name)
    return "confirmation_sent", gettext("Check your inbox"), gettext(
        "We sent a confirmation link to your address. Your subscription starts when you "
        "open it. No mail? Look in the spam folder.")


def signup_from_form(session, mlist: MailingList, data, *, language: str,
                     evidence: Evidence) -> SignupResult | None:
    """A signup as a form or the JSON endpoint submits it (``data``: email, first_name,
    last_name, consent_version, and the honeypot field): the fields are checked first (a
    SignupError for a mistyped address counts no attempt: the person corrects it and sends
    again), then the rate limits per IP and per address, then ``signup``. None for a bot
    that filled the honeypot. The caller commits, then sends the confirmation when
    ``mail_due``."""
    if (data.get(HONEYPOT) or "").strip():
        return None
    address, _, _ = clean_signup(data.get("email"), data.get("first_name"),
                                 data.get("last_name"))
    ratelimit.limit_each(("signup_ip", evidence.ip or "-"), ("signup_address", address))
    version = clean_version(data.get("consent_version"), mlist)
    result = signup(session, mlist, data.get("email"), first_name=data.get("first_name"),
                    last_name=data.get("last_name"), language=language,
                    text_version=version, evidence=evidence)
    return replace(result, text_version=version)


def signup(session, mlist: MailingList, email: str, *, first_name: str | None = None,
           last_name: str | None = None, language: str = "en", text_version: str,
           evidence: Evidence) -> SignupResult:
    """Sign ``email`` up for the list's e-mail channel. Names given by a stranger never
    overwrite an existing contact's. Double opt-in lists wait for confirmation, and so does
    any list for an address that said no before (unsubscribed from it, inactive, bounced,
    erased): a third party cannot undo that, and nothing about the existing contact or
    subscription changes until the address confirms (only the time of the last
    confirmation mail is kept). At most one mail per address and list per 24 hours."""
    address, first, last = clean_signup(email, first_name, last_name)
    if limits.remaining(session, "contacts") == 0:
        # the plan's contact limit is reached: every signup hears the same, so the answer
        # tells nobody whether an address is known or what the plan allows
        raise SignupError({"email": gettext("This list is not taking new signups at the "
                                            "moment. Please try again later.")})
    contact, created = _contact(session, address, first, last, language)
    if created:  # nothing to look up: no subscription yet, and the address is active
        return _first_signup(session, mlist, contact, evidence, text_version)
    sub = _subscription(session, contact.id, mlist.id, Channel.EMAIL)
    if not needs_confirmation(session, sub):  # already on the list
        notice = mlist.optin != OptIn.SINGLE and _claim_mail(session, sub.id)
        return SignupResult(sub.id, confirmed=True, mail_due=notice)
    said_no = sub.status == SubscriptionStatus.UNSUBSCRIBED \
        or contact.status != ContactStatus.ACTIVE or is_suppressed(session, address)
    if mlist.optin == OptIn.SINGLE and not said_no:
        return _granted(session, sub, evidence, text_version)
    return _pending(session, sub, evidence, mail_due=_claim_mail(session, sub.id))


def _first_signup(session, mlist: MailingList, contact: Contact, evidence: Evidence,
                  text_version: str) -> SignupResult:
    """``signup`` for the contact it just created: its subscription is new, so a double
    opt-in list (or a suppressed address) claims the confirmation mail in the same insert."""
    confirm_now = mlist.optin == OptIn.SINGLE and not is_suppressed(session, contact.email)
    sub = Subscription(contact_id=contact.id, list_id=mlist.id, channel=Channel.EMAIL,
                       status=SubscriptionStatus.UNCONFIRMED,
                       confirmation_sent_at=None if confirm_now else utcnow())
    session.add(sub)
    session.flush()
    if confirm_now:
        return _granted(session, sub, evidence, text_version)
    return _pending(session, sub, evidence, mail_due=True)


def _granted(session, sub: Subscription, evidence: Evidence,
             text_version: str) -> SignupResult:
    grant(session, sub, evidence, text_version)
    webhooks.emit(session, events.SUBSCRIBED, payloads.subscription(sub, evidence.source))
    return SignupResult(sub.id, confirmed=True, mail_due=False)


def _pending(session, sub: Subscription, evidence: Evidence, mail_due: bool) -> SignupResult:
    if mail_due:  # once per confirmation mail, not for every repeated form
        webhooks.emit(session, events.SUBSCRIBED, payloads.subscription(
            sub, evidence.source) | {"status": "pending"})
    return SignupResult(sub.id, confirmed=False, mail_due=mail_due)


def needs_confirmation(session, sub: Subscription) -> bool:
    """Whether the address has to confirm before the subscription counts: it is not
    confirmed, or the address said no in another way since (inactive, bounced,
    suppressed)."""
    contact = session.get(Contact, sub.contact_id)
    return sub.status != SubscriptionStatus.CONFIRMED \
        or contact.status != ContactStatus.ACTIVE \
        or bool(contact.email and is_suppressed(session, contact.email))


def _claim_mail(session, subscription_id: int) -> bool:
    """True at most once per CONFIRMATION_INTERVAL and subscription (across processes)."""
    now = utcnow()
    return session.execute(
        update(Subscription)
        .where(Subscription.id == subscription_id, or_(
            Subscription.confirmation_sent_at.is_(None),
            Subscription.confirmation_sent_at <= now - CONFIRMATION_INTERVAL))
        .values(confirmation_sent_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def _contact(session, address: str, first: str | None, last: str | None,
             language: str) -> tuple[Contact, bool]:
    """Find or create the contact, and whether this call created it; two signups racing
    for a new address both end up with the one row (the unique e-mail decides, the loser
    reads the winner's)."""
    query = select(Contact).where(Contact.email == address)
    contact = session.scalar(query)
    if contact is not None:
        return contact, False
    try:
        with session.begin_nested():
            contact = Contact(email=address, first_name=first, last_name=last,
                              language=language)
            session.add(contact)
    except IntegrityError:
        return session.scalar(query), False
    return contact, True


def _subscription(session, contact_id: int, list_id: int, channel: str) -> Subscription:
    sub = session.scalar(select(Subscription).where(
        Subscription.contact_id == contact_id, Subscription.list_id == list_id,
        Subscription.channel == channel))
    if sub is None:
        sub = Subscription(contact_id=contact_id, list_id=list_id, channel=channel,
                           status=SubscriptionStatus.UNCONFIRMED)
        session.add(sub)
        session.flush()
    return sub


def grant(session, sub: Subscription, evidence: Evidence, text_version: str | None) -> None:
    """Confirm the subscription and record the consent; reactivate the contact."""
    contact = session.get(Contact, sub.contact_id)
    if sub.status != SubscriptionStatus.CONFIRMED:
        sub.status = SubscriptionStatus.CONFIRMED
        sub.confirmed_at = utcnow()
        sub.unsubscribed_at = None
        session.add(ConsentRecord(
            contact_id=sub.contact_id, list_id=sub.list_id, channel=sub.channel,
            action="granted", source=evidence.source, ip=evidence.ip,
            user_agent=evidence.user_agent, text_version=text_version))
    if contact.status in (ContactStatus.INACTIVE, ContactStatus.BOUNCED):
        history.update_contact(session, contact, {"status": ContactStatus.ACTIVE},
                               actor="subscriber")
    if contact.email:  # fresh consent outweighs an earlier erasure of the same address
        session.execute(delete(Suppression).where(
            Suppression.address_hash == address_hash(contact.email),
            Suppression.reason == Reason.ERASED))
    session.flush()


def withdraw(session, sub: Subscription, evidence: Evidence) -> bool:
    """Unsubscribe and record the withdrawal; False when it was not subscribed. Only the
    subscriber can withdraw (the link in their mail, their profile), so the daily limit on
    confirmation mails starts over: signing up again the same day gets its link."""
    if sub.status == SubscriptionStatus.UNSUBSCRIBED:
        return False
    was_confirmed = sub.status == SubscriptionStatus.CONFIRMED
    sub.status = SubscriptionStatus.UNSUBSCRIBED
    sub.unsubscribed_at = utcnow()
    sub.confirmation_sent_at = None
    if was_confirmed:
        session.add(ConsentRecord(
            contact_id=sub.contact_id, list_id=sub.list_id, channel=sub.channel,
            action="withdrawn", source=evidence.source, ip=evidence.ip,
            user_agent=evidence.user_agent))
    session.flush()
    webhooks.emit(session, events.UNSUBSCRIBED, payloads.subscription(sub, evidence.source))
    return True


def confirmation_token(subscription_id: int, text_version: str) -> str:
    return tokens.sign(tokens.Purpose.CONFIRM, {"s": subscription_id, "v": text_version})


def pending_confirmation(session, token: str) -> tuple[Subscription, str | None]:
    """The subscription a confirmation link is for and the consent text version shown at
    signup. Expired or tampered: InvalidToken; used: InvalidToken(expired=True). A link is
    used once there is nothing left to confirm, or once the subscription was confirmed or
    left after the link was made (a link from before someone left cannot bring them back,
    and a used link does not lead to the profile)."""
    max_age = int(current_app.config["CONFIRM_MAX_AGE"])
    payload, signed_at = tokens.verify_timed(tokens.Purpose.CONFIRM, token, max_age=max_age)
    sub = session.get(Subscription, payload.get("s")) if isinstance(payload, dict) else None
    if sub is None or sub.contact.status == ContactStatus.ERASED:
        raise tokens.InvalidToken()
    changed_since = any(when and when.replace(microsecond=0) > signed_at
                        for when in (sub.confirmed_at, sub.unsubscribed_at))
    if changed_since or not needs_confirmation(session, sub):
        raise tokens.InvalidToken(expired=True)
    version = payload.get("v")
    return sub, (str(version)[:40] if version else None)


def confirm(session, token: str, evidence: Evidence) -> Subscription:
    """Confirm a double opt-in; a second use of the link is refused (InvalidToken)."""
    sub, text_version = pending_confirmation(session, token)
    grant(session, sub, evidence, text_version)
    webhooks.emit(session, events.CONFIRMED, payloads.subscription(sub, evidence.source))
    return sub


# --- unsubscribe ------------------------------------------------------------------------
def unsubscribe_url(contact_id: int, *, delivery_id: int | None = None,
                    list_id: int | None = None) -> str:
    """The absolute /u/<token> link for a message's footer and List-Unsubscribe header:
    a campaign message passes its delivery, any other mail the list it is about."""
    if (delivery_id is None) == (list_id is None):
        raise ValueError("give exactly one of delivery_id and list_id")
    payload = {"c": contact_id, "d": delivery_id} if delivery_id is not None \
        else {"c": contact_id, "l": list_id}
    return absolute_url("/u/" + tokens.sign(tokens.Purpose.UNSUBSCRIBE, payload))


def absolute_url(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def unsubscribe_scope(session, token: str) -> tuple[Contact, list[Subscription]]:
    """The contact and the subscriptions an unsubscribe link is about (read only)."""
    payload = tokens.verify(tokens.Purpose.UNSUBSCRIBE, token)
    if not isinstance(payload, dict):
        raise tokens.InvalidToken()
    contact = session.get(Contact, payload.get("c"))
    if contact is None or contact.status == ContactStatus.ERASED:
        raise tokens.InvalidToken()
    query = select(Subscription).where(Subscription.contact_id == contact.id)
    if payload.get("d") is not None:
        delivery = session.get(Delivery, payload["d"])
        if delivery is None or delivery.contact_id != contact.id:
            raise tokens.InvalidToken()
        list_ids = [m.id for m in delivery.campaign.lists]
        query = query.where(Subscription.list_id.in_(list_ids),
                            Subscription.channel == delivery.campaign.channel)
    else:
        query = query.where(Subscription.list_id == payload.get("l"))
    return contact, list(session.scalars(query.order_by(Subscription.id)))


def address_only(session, token: str) -> Delivery | None:
    """The delivery an unsubscribe link names when it went to an extra recipient typed on
    the campaign (an address without a contact), else None."""
    payload = tokens.verify(tokens.Purpose.UNSUBSCRIBE, token)
    if not isinstance(payload, dict) or payload.get("c") is not None or not payload.get("d"):
        return None
    delivery = session.get(Delivery, payload["d"])
    return delivery if delivery is not None and delivery.contact_id is None else None


def stop_address(session, delivery: Delivery) -> None:
    """An extra recipient asked for no more mail: the address is suppressed (kept only as
    a keyed hash), so no campaign reaches it again."""
    suppression.suppress(session, delivery.address, suppression.Reason.UNSUBSCRIBED)
    if delivery.unsubscribed_at is None:
        delivery.unsubscribed_at = utcnow()


def unsubscribe_by_mail(session, recipient: str) -> bool:
    """A mail to the List-Unsubscribe mailto address ``unsubscribe+<token>@domain``: leave
    the campaign's lists (or stop the address, for an extra recipient). False when the
    address names no delivery of ours."""
    local = recipient.partition("@")[0]
    prefix, _, short = local.partition("+")
    if prefix.lower() != "unsubscribe" or not short:
        return False
    try:
        delivery = session.get(Delivery, tokens.short_verify(tokens.Purpose.UNSUBSCRIBE, short))
    except tokens.InvalidToken:
        return False
    if delivery is None:
        return False
    if delivery.contact_id is None:
        stop_address(session, delivery)
        return True
    token = tokens.sign(tokens.Purpose.UNSUBSCRIBE, {"c": delivery.contact_id, "d": delivery.id})
    unsubscribe(session, token, everything=False,
                evidence=Evidence(ip=None, user_agent=None, source="unsubscribe by e-mail"))
    return True


def unsubscribe(session, token: str, *, everything: bool, evidence: Evidence) -> list[str]:
    """Leave the lists the link is about, or everything (the contact becomes inactive and
    stays with its history). Returns the names of the lists left; repeating is harmless."""
    contact, subs = unsubscribe_scope(session, token)
    _count_for_campaign(session, token)
    if everything:
        subs = list(session.scalars(select(Subscription).where(
            Subscription.contact_id == contact.id)))
    left = [sub.mailing_list.name for sub in subs if withdraw(session, sub, evidence)]
    deactivate_if_unsubscribed(session, contact)
    return left


def _count_for_campaign(session, token: str) -> None:
    """The message whose link was used counts one unsubscribe for its campaign (once)."""
    delivery_id = tokens.verify(tokens.Purpose.UNSUBSCRIBE, token).get("d")
    if delivery_id:
        session.execute(update(Delivery).where(Delivery.id == delivery_id,
                                               Delivery.unsubscribed_at.is_(None))
                        .values(unsubscribed_at=utcnow()))


def deactivate_if_unsubscribed(session, contact: Contact) -> None:
    """A contact left with no confirmed subscription becomes inactive (kept with its
    history; only the subscriber's own fresh consent makes it active again)."""
    remaining = session.scalar(select(Subscription.id).where(
        Subscription.contact_id == contact.id,
        Subscription.status == SubscriptionStatus.CONFIRMED).limit(1))
    if remaining is None and contact.status == ContactStatus.ACTIVE:
        history.update_contact(session, contact, {"status": ContactStatus.INACTIVE},
                               actor="subscriber")
