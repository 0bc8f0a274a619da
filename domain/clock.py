"""The current time in one place, so that tests can travel in time (time-machine)."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime, as the database stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Return today's date in UTC."""
    return utcnow().date()
