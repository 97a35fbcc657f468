"""Admin accounts: password hashing (argon2id), login with per-account lockout."""

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from newsletter.errors import DomainError
from newsletter.models import Role, User, utcnow

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile

MIN_PASSWORD_LENGTH = 10


class InvalidCredentials(DomainError):
    def __init__(self):
        super().__init__("Wrong e-mail or password.")


class AccountLocked(DomainError):
    def __init__(self, seconds: int):
        super().__init__(
            f"Too many failed logins. This account is locked; try again in {seconds} seconds."
        )
        self.seconds = seconds


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")


def normalize_login_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise DomainError(f"{email!r} is not a valid e-mail address: {exc}") from exc


def create_user(session, email: str, role: str, password: str) -> User:
    email = normalize_login_email(email)
    if role not in Role.ALL:
        raise DomainError(f"Unknown role {role!r}; choose one of {', '.join(Role.ALL)}.")
    check_password_rules(password)
    if session.scalar(select(User.id).where(User.email == email)):
        raise DomainError(f"A user with the e-mail {email} already exists.")
    user = User(email=email, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def set_password(session, user_id: int, password: str) -> User:
    check_password_rules(password)
    user = session.get(User, user_id)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    return user


def authenticate(session, email: str, password: str, *, threshold: int, base_seconds: int,
                 max_seconds: int, now: datetime | None = None) -> User:
    """Return the user or raise. After ``threshold`` failures the account locks for
    ``base_seconds``, doubling with each further failure up to ``max_seconds``."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check
        raise InvalidCredentials()
    if user.locked_until and user.locked_until > now:
        raise AccountLocked(int((user.locked_until - now).total_seconds()) + 1)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        over = user.failed_logins - threshold
        if over >= 0:
            delay = min(base_seconds * 2**over, max_seconds)
            user.locked_until = now + timedelta(seconds=delay)
        raise InvalidCredentials() from None
    if not user.active:
        raise InvalidCredentials()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user
