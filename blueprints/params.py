"""Ids and days read from URLs and query strings, only in forms the database can take.

Row ids are integer columns (32 bits on PostgreSQL): a larger number, a sign or a digit that is not
ASCII (``"²".isdigit()`` is true, ``int("²")`` fails) names no row, rather than reaching the database
and failing there.
"""

from datetime import date

from flask import request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class RowId(IntegerConverter):
    """The ``int`` converter of every route: an id beyond the integer columns matches no route (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def row_id(value) -> int | None:
    """``value`` as a row id (1 to MAX_ID, written in ASCII digits), else None."""
    text = str(value)
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def query_id(name: str) -> int | None:
    """The row id in the query string's ``name``, or None."""
    return row_id(request.args.get(name, ""))


def query_day(name: str) -> date | None:
    """The ISO date (2027-01-31) in the query string's ``name``, or None."""
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
