"""Pagination of list queries: one count and one page query, whatever the number of rows."""

from collections.abc import Sequence
from dataclasses import dataclass

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
             scalars: bool = True, total: int | None = None) -> Page:
    """Return page ``page`` (clamped to the existing pages) of ``query`` in ``order_by`` order; ``total``
    is the query's row count if the caller knows it already."""
    if total is None:
        total = db.session.scalar(query.with_only_columns(sa.func.count()).order_by(None))
    number = max(1, min(page, max(1, -(-total // size))))
    result = db.session.execute(query.options(*options).order_by(*order_by).limit(size).offset((number - 1) * size))
    return Page(rows=list(result.scalars() if scalars else result), number=number, size=size, total=total)
