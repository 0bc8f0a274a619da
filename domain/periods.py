"""Calendar arithmetic for subscription periods."""

from calendar import monthrange
from datetime import date


def add_months(day: date, months: int) -> date:
    """Move ``day`` by whole calendar months, clamping to the month's last day (Jan 31 + 1 = Feb 28/29)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))
