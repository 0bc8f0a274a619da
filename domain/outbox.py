"""E-mail through an outbox: written in the transaction of the change, delivered by ``flask outbox send``.

Without ``MAIL_SERVER`` messages stay queued and readable in the outbox. Delivery failures keep
the message with its error and retry it with exponential back-off; a message is marked sent in
its own commit right after the SMTP server accepted it, so none is sent twice.
"""

import contextlib
import smtplib
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from app import db
from domain.clock import utcnow
from domain.models import OutboxMessage, OutboxStatus

MAX_BACKOFF_MINUTES = 6 * 60


def enqueue(to_address: str, subject: str, body_text: str, *, kind: str) -> OutboxMessage:
    """Queue one e-mail; the caller's commit makes it real together with the change."""
    message = OutboxMessage(to_address=to_address, subject=subject, body_text=body_text, kind=kind)
    db.session.add(message)
    return message


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = f"<outbox-{message.id}@seatdesk>"
    email.set_content(message.body_text)
    return email


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    if config["MAIL_USE_STARTTLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def send_pending(limit: int = 100) -> tuple[int, int]:
    """Deliver due messages over SMTP; return (sent, failed). Does nothing without MAIL_SERVER."""
    if not current_app.config["MAIL_SERVER"]:
        return 0, 0
    now = utcnow()
    due = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    sent = failed = 0
    smtp = None
    for message in due:
        try:
            smtp = smtp or _connect()
            smtp.send_message(_as_email(message))
        except (OSError, smtplib.SMTPException) as error:
            _record_failure(message, error)
            if smtp is not None:  # a refused message may leave the session unusable: start afresh
                smtp.close()
                smtp = None
            failed += 1
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.attempts += 1
            message.last_error = None
            sent += 1
        db.session.commit()
    if smtp is not None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return sent, failed


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    message.next_attempt_at = utcnow() + timedelta(minutes=min(2 ** message.attempts, MAX_BACKOFF_MINUTES))
    if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED


def retry(message: OutboxMessage) -> None:
    """Put a failed message back in the queue, due now."""
    message.status = OutboxStatus.QUEUED
    message.next_attempt_at = utcnow()
