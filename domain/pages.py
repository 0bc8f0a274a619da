"""Pagination of list queries: one count and one page query (or one query for both), whatever the number of
rows; and the date range the filtered lists share."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa

from app import db


@dataclass(frozen=True)
class Page:
    rows: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query: sa.Select, *, page: int, size: int, order_by: Sequence, options: Sequence = (),
             scalars: bool = True, total: int | None = None, counted_with_rows: bool = False) -> Page:
    """Return page ``page`` (clamped to the existing pages) of ``query`` in ``order_by`` order; ``total``
    is the query's row count if the caller knows it already.

    ``counted_with_rows`` is for a filter no index answers (a search for a part of a name): on the first
    page, where a search lands, the page's own query counts the matches (``count(*) OVER ()``), so every
    candidate row is read once, not once to count and again for the page. Further pages count first, so
    that a page past the last is clamped to it."""
    if total is None and counted_with_rows and page <= 1:
        rows = db.session.execute(query.add_columns(sa.func.count().over()).options(*options).order_by(*order_by)
                                  .limit(size)).all()
        return Page(rows=[row[0] if scalars else row[:-1] for row in rows], number=1, size=size,
                    total=rows[0][-1] if rows else 0)
    if total is None:
        total = db.session.scalar(query.with_only_columns(sa.func.count()).order_by(None))
    number = max(1, min(page, max(1, -(-total // size))))
    result = db.session.execute(query.options(*options).order_by(*order_by).limit(size).offset((number - 1) * size))
    return Page(rows=list(result.scalars() if scalars else result), number=number, size=size, total=total)


def on_days(query: sa.Select, column, date_from: date | None, date_to: date | None) -> sa.Select:
    """``query`` kept to the rows whose timestamp ``column`` falls on ``date_from`` to ``date_to``, both days
    included; either may be None (no bound). The end is the day's last instant, so 9999-12-31 works too."""
    if date_from:
        query = query.where(column >= datetime.combine(date_from, time.min))
    if date_to:
        query = query.where(column <= datetime.combine(date_to, time.max))
    return query
