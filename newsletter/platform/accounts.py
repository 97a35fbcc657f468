"""Admin accounts: password hashing (argon2id), login with per-account lockout, sessions
that end on the server, and owner-only account creation confirmed with the owner's password.

Login answers never tell whether an account exists or is locked: an unknown address, a
wrong password and a locked account get the same message after the same work (one argon2
verification)."""

import functools
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from sqlalchemy import select, update

from newsletter.errors import DomainError
from newsletter.models import Role, User, utcnow

from . import audit, limits

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile

MIN_PASSWORD_LENGTH = 10


class InvalidCredentials(DomainError):
    """Unknown address, wrong password or locked account: one answer for all three."""

    def __init__(self):
        super().__init__(gettext("Wrong e-mail or password. After repeated failures an "
                                 "account accepts no login for a while."))


class NotAllowed(DomainError):
    def __init__(self):
        super().__init__(gettext("Only an owner can do this."))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(gettext("The password needs at least %(min)d characters.",
                                  min=MIN_PASSWORD_LENGTH))


def normalize_login_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise DomainError(gettext("%(email)r is not a valid e-mail address: %(reason)s",
                                  email=email, reason=exc)) from exc


def create_user(session, email: str, role: str, password: str,
                actor: str | None = None) -> User:
    """A new account; with ``actor`` (who made it: an owner, the command line) it goes to
    the audit log."""
    email = normalize_login_email(email)
    if role not in Role.ALL:
        raise DomainError(gettext("Unknown role %(role)r; choose one of %(roles)s.",
                                  role=role, roles=", ".join(Role.ALL)))
    check_password_rules(password)
    if session.scalar(select(User.id).where(User.email == email)):
        raise DomainError(gettext("A user with the e-mail %(email)s already exists.",
                                  email=email))
    limits.check(session, "users")
    user = User(email=email, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    if actor:
        audit.record(session, actor, "user.created", user.email, f"role {user.role}")
    return user


def add_user(session, actor_id: int, actor_password: str, email: str, role: str,
             password: str, **lockout) -> User:
    """An owner adds an account, confirming it with their own password: a script running
    in an owner's browser (or a session left open) cannot make anyone an owner.
    A wrong ``actor_password`` counts as a failed login of the owner's account (the
    caller commits to keep the count) and raises InvalidCredentials."""
    actor = session.get(User, actor_id)
    if actor is None or actor.role != Role.OWNER or not actor.active:
        raise NotAllowed()
    check_password(actor, actor_password, **lockout)
    return create_user(session, email, role, password, actor=actor.email)


def _confirmed_owner(session, actor_id: int, actor_password: str, **lockout) -> User:
    """The acting owner, after their own password (as for adding an account)."""
    actor = session.get(User, actor_id)
    if actor is None or actor.role != Role.OWNER or not actor.active:
        raise NotAllowed()
    check_password(actor, actor_password, **lockout)
    return actor


def _other_owner_left(session, user: User) -> None:
    """Refuse to leave the installation without an active owner."""
    if user.role == Role.OWNER and not session.scalar(select(User.id).where(
            User.role == Role.OWNER, User.active.is_(True), User.id != user.id).limit(1)):
        raise DomainError(gettext("%(email)s is the only owner: make another account an "
                                  "owner first.", email=user.email))


def change_role(session, actor_id: int, actor_password: str, user_id: int, role: str,
                **lockout) -> User:
    """An owner gives an account another role (confirmed with their own password, so a
    script in their browser cannot make anyone an owner); in the audit log."""
    actor = _confirmed_owner(session, actor_id, actor_password, **lockout)
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise DomainError(gettext("That account does not exist or was removed."))
    if role not in Role.ALL:
        raise DomainError(gettext("Unknown role %(role)r; choose one of %(roles)s.",
                                  role=role, roles=", ".join(Role.ALL)))
    if role == user.role:
        return user
    if role != Role.OWNER:
        _other_owner_left(session, user)
    audit.record(session, actor.email, "user.role", user.email, f"{user.role} → {role}")
    user.role = role
    session.flush()
    return user


def remove_user(session, actor_id: int, actor_password: str, user_id: int,
                **lockout) -> User:
    """An owner removes an account: it can no longer log in and every session of it ends
    at once; what it did stays attributed to it. In the audit log."""
    actor = _confirmed_owner(session, actor_id, actor_password, **lockout)
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise DomainError(gettext("That account does not exist or was removed already."))
    if user.id == actor.id:
        raise DomainError(gettext("You cannot remove your own account."))
    _other_owner_left(session, user)
    user.active = False
    user.session_version += 1
    audit.record(session, actor.email, "user.removed", user.email, f"role {user.role}")
    session.flush()
    return user


def set_password(session, user_id: int, password: str) -> User:
    """A new password also ends every session of the account."""
    check_password_rules(password)
    user = session.get(User, user_id)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.session_version += 1
    return user


def authenticate(session, email: str, password: str, *, threshold: int, base_seconds: int,
                 max_seconds: int, now: datetime | None = None) -> User:
    """Return the user or raise InvalidCredentials (see ``check_password``)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _verify(_unknown_account_hash(), password)  # the same work as a real check
        raise InvalidCredentials()
    now = now or utcnow()
    check_password(user, password, threshold=threshold, base_seconds=base_seconds,
                   max_seconds=max_seconds, now=now)
    if not user.active:
        raise InvalidCredentials()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def check_password(user: User, password: str, *, threshold: int, base_seconds: int,
                   max_seconds: int, now: datetime | None = None) -> None:
    """Raise InvalidCredentials unless ``password`` is the user's and the account is not
    locked. After ``threshold`` failures the account locks for ``base_seconds``, doubling
    with each further failure up to ``max_seconds``. A locked account is checked too (the
    same work) and answers like a wrong password."""
    now = now or utcnow()
    right = _verify(user.password_hash, password)
    if user.locked_until and user.locked_until > now:
        raise InvalidCredentials()
    if not right:
        user.failed_logins += 1
        over = user.failed_logins - threshold
        if over >= 0:
            user.locked_until = now + timedelta(seconds=min(base_seconds * 2**over,
                                                            max_seconds))
        raise InvalidCredentials()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _unknown_account_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(24))


# --- sessions ---------------------------------------------------------------------------
def session_user(session, session_id: str) -> User | None:
    """The account a session cookie names (``"<id>:<session version>"``, see
    ``User.get_id``), or None once that session was ended."""
    user_id, _, version = str(session_id).partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def end_sessions(session, user_id: int) -> None:
    """Log the account out everywhere: every session cookie issued so far stops working."""
    session.execute(update(User).where(User.id == user_id)
                    .values(session_version=User.session_version + 1))


def set_preferences(session, user_id: int, time_zone: str, language: str) -> User:
    """The account's own settings: the zone it schedules and reads times in, and the
    language of its admin pages (one of the public side's languages)."""
    from newsletter.platform.i18n import LANGUAGES
    from newsletter.platform.timezones import set_time_zone

    if language not in LANGUAGES:
        raise DomainError(gettext("Unknown language %(language)r: choose one from the list.",
                                  language=language))
    user = set_time_zone(session, user_id, time_zone)
    user.language = language
    return user
