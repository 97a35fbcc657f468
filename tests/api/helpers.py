"""API keys for the API tests."""

from newsletter.extensions import db
from newsletter.platform import apikeys


def make_key(scopes=apikeys.SCOPES, rate_limit="1000/60", name="CRM") -> str:
    token = apikeys.create_key(db.session, None, name, list(scopes), rate_limit).token
    db.session.commit()
    return token


def auth(token: str, **headers) -> dict:
    return {"Authorization": f"Bearer {token}", **headers}
