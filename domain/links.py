"""Signed links that work without an account (a payer's invoice link) and absolute URLs for e-mails."""

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"seatdesk.link.{purpose}")


def sign(purpose: str, object_id: int) -> str:
    return _serializer(purpose).dumps(object_id)


def unsign(purpose: str, token: str, max_age: int) -> int | None:
    """The id a valid, unexpired token names, else None."""
    try:
        value = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsign_expired(purpose: str, token: str, max_age: int) -> int | None:
    """The id a genuine token names once it is older than ``max_age`` (so a new link can be offered), else None."""
    value = expired_payload(_serializer(purpose), token, max_age)
    return value if isinstance(value, int) else None


def expired_payload(serializer: URLSafeTimedSerializer, token: str, max_age: int):
    """What a genuine token of ``serializer`` holds once it is older than ``max_age``, else None: a tampered
    token, one signed for another purpose, or one still valid (its own check decides)."""
    try:
        serializer.loads(token, max_age=max_age)
    except SignatureExpired as expired:
        return serializer.load_payload(expired.payload)
    except BadSignature:
        return None
    return None


def external_url(endpoint: str, **values) -> str:
    """An absolute URL, also outside a request (daily runs, webhooks), based on PUBLIC_URL there."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)
