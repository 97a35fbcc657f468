"""Passwords of the servers and gateways set in the admin, encrypted at rest with Fernet
(AES-128-CBC + HMAC-SHA256, from ``cryptography``). The key is ``CREDENTIALS_KEY`` when set,
else derived from ``SECRET_KEY`` with HKDF (its own ``info``, so it is no other use's key):
changing either makes the stored passwords unreadable, which the admin says, asking for
the password again."""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask_babel import gettext

from newsletter.errors import DomainError

_INFO = b"newsletter channel credentials v1"


class CredentialError(DomainError):
    """A stored password cannot be read with the current key."""


def _fernet(config) -> Fernet:
    secret = config.get("CREDENTIALS_KEY") or config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(config, password: str) -> str:
    return _fernet(config).encrypt(password.encode()).decode("ascii")


def decrypt(config, token: str | None) -> str:
    """The password ("" when none is stored)."""
    if not token:
        return ""
    try:
        return _fernet(config).decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise CredentialError(gettext(
            "The stored password cannot be decrypted (SECRET_KEY or CREDENTIALS_KEY changed "
            "since it was saved): enter the password again.")) from None
