"""The subscriber's GDPR profile: 8-character codes, what is shown, the JSON export and
erasure.

Profile codes. Each contact gets a random 16-byte salt (``Contact.profile_salt``); its code
is ``HMAC(PROFILE_CODE_KEY, "code:<contact id>:<salt>")`` written as 8 characters of an
alphabet without look-alikes (no 0/O, 1/I/L; 31^8 ≈ 8.5e11 codes). The database stores only
``HMAC(PROFILE_CODE_KEY, "hash:<code>")`` in ``Contact.profile_code_hash`` (unique), so a
stolen database reveals no code, yet the sender can re-derive a contact's code at send time
for the footer link from the salt and the server key. A code that collides with another
contact's gets a new salt. Lookups go by the keyed hash (an index, no scan), and the code is
then compared with the re-derived one in constant time.

A code alone is not a key: the footer link carries the code plus a signed token naming the
contact (``Purpose.PROFILE``), and a visitor who only knows an address (or address and code)
gets a one-time login link by mail instead."""

import hmac
import secrets
from collections.abc import Callable

from flask import current_app
from flask_babel import gettext
from sqlalchemy import bindparam, delete, literal, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import String

from newsletter import queue
from newsletter.errors import DomainError
from newsletter.models import (
    Channel,
    ConsentRecord,
    Contact,
    ContactChange,
    ContactStatus,
    Delivery,
    DeliveryState,
    ListVisibility,
    MailingList,
    Subscription,
    SubscriptionStatus,
    utcnow,
)
from newsletter.platform import audit, tokens
from newsletter.platform.i18n import LANGUAGES, TIME_ZONES
from newsletter.webhooks import events, payloads
from newsletter.webhooks import outbox as webhooks

from . import history
from .subscriptions import (
    Evidence,
    SignupError,
    absolute_url,
    clean_name,
    deactivate_if_unsubscribed,
    grant,
    withdraw,
)
from .suppression import Reason, suppress

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODES_AHEAD = 5000
#: Contact fields whose history rows carry personal data (removed on erasure).
PERSONAL_FIELDS = ("email", "phone", "first_name", "last_name", "attributes", "person_id")


class ProfileError(DomainError):
    pass


def _key() -> bytes:
    cfg = current_app.config
    return (cfg.get("PROFILE_CODE_KEY") or cfg["SECRET_KEY"] + ":profile-code").encode()


def derive_code(contact_id: int, salt: str, key: bytes | None = None) -> str:
    digest = hmac.digest(key or _key(), f"code:{contact_id}:{salt}".encode(), "sha256")
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, rest = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[rest])
    return "".join(chars)


def code_hash(code: str, key: bytes | None = None) -> str:
    return hmac.digest(key or _key(), f"hash:{code}".encode(), "sha256").hex()


def normalize_code(text: str | None) -> str | None:
    """Upper-cased, without spaces and dashes; None when it cannot be a code."""
    code = (text or "").upper().replace(" ", "").replace("-", "")
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def ensure_code(session, contact: Contact) -> str:
    """The contact's code, giving it a salt (and a unique hash) the first time."""
    assign_codes(session, [contact])
    return derive_code(contact.id, contact.profile_salt)


def assign_codes(session, contacts: list[Contact]) -> None:
    """Give every contact without a code a salt whose code no other contact holds (see
    ``_assign_salts``)."""
    pending = [c.id for c in contacts if not (c.profile_salt and c.profile_code_hash)]
    by_id = {c.id: c for c in contacts}
    for cid, salt, digest in _assign_salts(session, pending):
        set_committed_value(by_id[cid], "profile_salt", salt)
        set_committed_value(by_id[cid], "profile_code_hash", digest)


def _assign_salts(session, contact_ids: list[int]) -> list[tuple[int, str, str]]:
    """Salts for contacts that have none, with one query per round rather than per contact
    (the sender calls this per batch); returns (id, salt, code hash) as stored. The UPDATE
    applies only while no salt is set, so two processes racing for one contact both end
    up with the winner's salt."""
    pending, key = list(contact_ids), _key()
    for _ in range(10):
        if not pending:
            break
        salts = {cid: secrets.token_hex(16) for cid in pending}
        hashes = {cid: code_hash(derive_code(cid, salts[cid], key), key) for cid in pending}
        taken = set(session.scalars(select(Contact.profile_code_hash).where(
            Contact.profile_code_hash.in_(list(hashes.values())))))
        retry, rows = [], []
        for cid in pending:
            digest = hashes[cid]
            if digest in taken:
                retry.append(cid)
                continue
            taken.add(digest)
            rows.append({"cid": cid, "salt": salts[cid], "digest": digest})
        if rows:  # one executemany for the whole batch
            table = Contact.__table__
            session.connection().execute(
                table.update().where(table.c.id == bindparam("cid"),
                                     table.c.profile_salt.is_(None))
                .values(profile_salt=bindparam("salt"), profile_code_hash=bindparam("digest")),
                rows)
        pending = retry
    if pending:  # pragma: no cover - 10 collisions in a row in 8.5e11 codes
        raise ProfileError("Could not find a free profile code.")
    if not contact_ids:
        return []
    return list(session.execute(select(
        Contact.id, Contact.profile_salt, Contact.profile_code_hash).where(
        Contact.id.in_(contact_ids))).all())


def find_by_code(session, code: str | None) -> Contact | None:
    """The contact holding ``code``, or None (for unknown and malformed codes alike)."""
    code = normalize_code(code)
    if code is None:
        return None
    contact = session.scalar(select(Contact).where(Contact.profile_code_hash == code_hash(code)))
    if contact is None or not contact.profile_salt:
        return None
    if not hmac.compare_digest(derive_code(contact.id, contact.profile_salt), code):
        return None
    return contact


def profile_url(session, contact_id: int) -> str:
    """The footer link: /p/<code>?s=<signed contact id>, absolute (BASE_URL). The first call
    for a contact gives it a code (an UPDATE; the caller commits)."""
    return profile_urls(session, [contact_id])[contact_id]


def profile_urls(session, contact_ids: list[int], campaign_id: int | None = None,
                 from_delivery_id: int = 0) -> dict[int, str]:
    """``profile_url`` for many contacts at once (a sending batch): plain rows, no ORM
    objects, as this runs for every batch of every campaign. Given the campaign, contacts
    without a code get theirs CODES_AHEAD deliveries at a time: one large write costs far
    less than many small ones, each touching pages all over the code index."""
    rows = session.execute(select(Contact.id, Contact.profile_salt, Contact.profile_code_hash)
                           .where(Contact.id.in_(contact_ids))).all()
    salts = {cid: salt for cid, salt, digest in rows if salt and digest}
    missing = [cid for cid, *_ in rows if cid not in salts]
    if missing and campaign_id is not None:
        missing = sorted(set(missing).union(session.scalars(
            select(Delivery.contact_id).join(Contact, Contact.id == Delivery.contact_id)
            .where(Delivery.campaign_id == campaign_id, Delivery.id >= from_delivery_id,
                   Contact.profile_salt.is_(None))
            .order_by(Delivery.id).limit(CODES_AHEAD))))
    wanted = set(contact_ids)
    salts.update((cid, salt) for cid, salt, _ in _assign_salts(session, missing)
                 if cid in wanted)
    key, sign = _key(), tokens.signer(tokens.Purpose.PROFILE).dumps
    return {cid: absolute_url(f"/p/{derive_code(cid, salt, key)}?s={sign({'c': cid})}")
            for cid, salt in salts.items()}


def open_with_signature(session, code: str, signature: str) -> Contact:
    """The contact a footer link opens; any mismatch gives the same InvalidToken."""
    max_age = int(current_app.config["PROFILE_LINK_MAX_AGE"])
    payload = tokens.verify(tokens.Purpose.PROFILE, signature, max_age=max_age)
    contact = find_by_code(session, code)
    if contact is None or not isinstance(payload, dict) or "n" in payload \
            or payload.get("c") != contact.id or contact.status == ContactStatus.ERASED:
        raise tokens.InvalidToken()
    return contact


# --- one-time login links ---------------------------------------------------------------
def login_candidate(session, email: str, code: str | None = None) -> int | None:
    """The contact to mail a login link to, or None (the caller answers the same either
    way). With a code, it must belong to that address."""
    from .addresses import InvalidAddress, normalize_email

    try:
        address = normalize_email(email)
    except InvalidAddress:
        return None
    contact = session.scalar(select(Contact).where(Contact.email == address))
    if contact is None or contact.status == ContactStatus.ERASED:
        return None
    if code and (found := find_by_code(session, code)) is not None and found.id != contact.id:
        return None
    return contact.id


def login_token(contact_id: int) -> str:
    return tokens.sign(tokens.Purpose.PROFILE, {"c": contact_id, "n": secrets.token_hex(12)})


def use_login_token(session, token: str) -> Contact:
    """The contact a one-time login link is for; a second use is refused."""
    max_age = int(current_app.config["PROFILE_LOGIN_MAX_AGE"])
    payload = tokens.verify(tokens.Purpose.PROFILE, token, max_age=max_age)
    if not isinstance(payload, dict) or not payload.get("n"):
        raise tokens.InvalidToken()
    contact = session.get(Contact, payload.get("c"))
    if contact is None or contact.status == ContactStatus.ERASED:
        raise tokens.InvalidToken()
    fresh = queue.get_redis().set(f"profile-login-used:{payload['n']}", 1, nx=True,
                                  ex=max_age + 60)
    if not fresh:
        raise tokens.InvalidToken(expired=True)
    ensure_code(session, contact)
    return contact


# --- what the profile shows and exports -------------------------------------------------
def list_choices(session, contact_id: int) -> list[dict]:
    """One row per list × channel the subscriber may switch: public lists and lists they
    are (or were) on."""
    subs = {(s.list_id, s.channel): s for s in session.scalars(
        select(Subscription).where(Subscription.contact_id == contact_id))}
    on_lists = {list_id for list_id, _ in subs}
    lists = session.scalars(select(MailingList).where(or_(
        MailingList.visibility == ListVisibility.PUBLIC, MailingList.id.in_(on_lists)))
        .order_by(MailingList.name))
    rows = []
    for mlist in lists:
        for channel in [c.strip() for c in mlist.channels.split(",") if c.strip()]:
            sub = subs.get((mlist.id, channel))
            rows.append({"list": mlist, "channel": channel,
                         "status": sub.status if sub else None,
                         "on": bool(sub and sub.status == SubscriptionStatus.CONFIRMED)})
    return rows


def consent_history(session, contact_id: int) -> list[tuple[ConsentRecord, str | None]]:
    rows = session.execute(
        select(ConsentRecord, MailingList.name)
        .outerjoin(MailingList, MailingList.id == ConsentRecord.list_id)
        .where(ConsentRecord.contact_id == contact_id).order_by(ConsentRecord.id.desc()))
    return [(record, name) for record, name in rows]


def messages_received(session, contact_id: int, limit: int = 500) -> list[Delivery]:
    return list(session.scalars(
        select(Delivery).where(Delivery.contact_id == contact_id,
                               Delivery.state.in_((DeliveryState.SENT,
                                                   DeliveryState.DELIVERED)))
        .order_by(Delivery.sent_at.desc()).limit(limit)))


def export_data(session, contact_id: int,
                subject_of: Callable[[Delivery], str] | None = None) -> dict:
    """Everything stored about the subscriber, as JSON-ready data. ``subject_of`` gives a
    received message's subject as the subscriber got it (content.webview renders it; the
    stored subject may hold merge tags)."""
    subject_of = subject_of or (lambda delivery: delivery.campaign.subject)
    contact = session.get(Contact, contact_id)

    def when(value):
        return value.isoformat() + "Z" if value else None

    return {
        "contact": {
            "email": contact.email, "phone": contact.phone,
            "first_name": contact.first_name, "last_name": contact.last_name,
            "language": contact.language, "time_zone": contact.time_zone,
            "status": contact.status,
            "attributes": contact.attributes or {},
            "organization": contact.organization.name if contact.organization else None,
            "branch": contact.branch.name if contact.branch else None,
            "person": contact.person.name if contact.person else None,
            "created_at": when(contact.created_at),
        },
        "subscriptions": [
            {"list": row["list"].name, "channel": row["channel"], "status": row["status"]}
            for row in list_choices(session, contact_id) if row["status"]],
        "consent_history": [
            {"list": name, "channel": r.channel, "action": r.action,
             "legal_basis": r.legal_basis, "source": r.source, "ip": r.ip,
             "user_agent": r.user_agent, "text_version": r.text_version,
             "at": when(r.created_at)}
            for r, name in consent_history(session, contact_id)],
        "messages_received": [
            {"subject": subject_of(d), "channel": d.campaign.channel,
             "address": d.address, "sent_at": when(d.sent_at)}
            for d in messages_received(session, contact_id)],
        "data_changes": [
            {"field": c.field, "old": c.old_value, "new": c.new_value, "by": c.actor,
             "at": when(c.created_at)}
            for c in history.changes_for(session, contact_id, limit=10_000)],
    }


# --- changes the subscriber makes -------------------------------------------------------
def update_profile(session, contact_id: int, *, first_name: str | None,
                   last_name: str | None, language: str,
                   tracking_opt_out: bool | None = None,
                   time_zone: str | None = None) -> list[ContactChange]:
    """The subscriber's own changes (None: left as it is), each recorded in the history."""
    errors, changes = {}, {"language": language}
    if tracking_opt_out is not None:  # no click or open recorded when set
        changes["tracking_opt_out"] = tracking_opt_out
    if time_zone is not None:
        if time_zone in TIME_ZONES:
            changes["time_zone"] = time_zone
        else:
            errors["time_zone"] = gettext("Choose a time zone from the list.")
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        try:
            changes[field] = clean_name(value, field)
        except SignupError as exc:
            errors.update(exc.errors)
    if language not in LANGUAGES:
        errors["language"] = gettext("Choose one of the offered languages.")
    if errors:
        raise SignupError(errors)
    contact = session.get(Contact, contact_id)
    return history.update_contact(session, contact, changes, actor="subscriber")


def switch_subscription(session, contact_id: int, list_id: int, channel: str, on: bool,
                        evidence: Evidence) -> None:
    """Turn one list × channel on (consent, confirmed at once: the subscriber proved the
    address by opening the profile) or off (withdrawal)."""
    allowed = {(row["list"].id, row["channel"]) for row in list_choices(session, contact_id)}
    if (list_id, channel) not in allowed:
        raise ProfileError(gettext("That subscription cannot be changed here."))
    contact = session.get(Contact, contact_id)
    if on and channel == Channel.SMS and not contact.phone:
        raise ProfileError(gettext("Text messages need a phone number; none is stored for you."))
    sub = session.scalar(select(Subscription).where(
        Subscription.contact_id == contact_id, Subscription.list_id == list_id,
        Subscription.channel == channel))
    if sub is None:
        if not on:
            return
        sub = Subscription(contact_id=contact_id, list_id=list_id, channel=channel,
                           status=SubscriptionStatus.UNCONFIRMED)
        session.add(sub)
        session.flush()
    if on and sub.status != SubscriptionStatus.CONFIRMED:
        grant(session, sub, evidence, text_version=None)
        webhooks.emit(session, events.SUBSCRIBED, payloads.subscription(sub, evidence.source))
    elif on:
        grant(session, sub, evidence, text_version=None)
    elif withdraw(session, sub, evidence):
        deactivate_if_unsubscribed(session, contact)


# --- erasure ----------------------------------------------------------------------------
def erasure_token(contact_id: int) -> str:
    return tokens.sign(tokens.Purpose.ERASURE, {"c": contact_id})


def contact_for_erasure(session, token: str) -> Contact:
    max_age = int(current_app.config["ERASURE_MAX_AGE"])
    payload = tokens.verify(tokens.Purpose.ERASURE, token, max_age=max_age)
    contact = session.get(Contact, payload.get("c")) if isinstance(payload, dict) else None
    if contact is None or contact.status == ContactStatus.ERASED:
        raise tokens.InvalidToken()
    return contact


def erase(session, contact_id: int) -> None:
    """Remove the personal data: the addresses go to the suppression list as HMACs, names,
    phone and attributes are cleared, history rows holding personal values are deleted,
    IP and user agent leave the consent records, deliveries lose their address. The row
    stays, status ``erased``, so campaign statistics stay whole but anonymous."""
    contact = session.get(Contact, contact_id)
    for address in (contact.email, contact.phone):
        if address:
            suppress(session, address, Reason.ERASED)
    session.execute(
        update(Delivery).where(Delivery.contact_id == contact_id)
        .values(address=literal("erased:", String) + Delivery.id.cast(String))
        .execution_options(synchronize_session=False))
    session.execute(
        update(ConsentRecord).where(ConsentRecord.contact_id == contact_id)
        .values(ip=None, user_agent=None).execution_options(synchronize_session=False))
    session.execute(
        update(Subscription).where(Subscription.contact_id == contact_id,
                                   Subscription.status != SubscriptionStatus.UNSUBSCRIBED)
        .values(status=SubscriptionStatus.UNSUBSCRIBED, unsubscribed_at=utcnow())
        .execution_options(synchronize_session=False))
    contact.email = contact.phone = contact.first_name = contact.last_name = None
    contact.attributes, contact.person_id = {}, None
    contact.profile_code_hash = contact.profile_salt = None
    session.flush()
    session.execute(delete(ContactChange).where(
        ContactChange.contact_id == contact_id, ContactChange.field.in_(PERSONAL_FIELDS)))
    history.update_contact(session, contact, {"status": ContactStatus.ERASED},
                           actor="subscriber")
    audit.record(session, "subscriber", "contacts.erase", f"contact {contact_id}",
                 "asked for by the subscriber (profile)")
