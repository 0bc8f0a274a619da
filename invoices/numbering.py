"""Gapless numbers per series and year (R8): taken in the issuing transaction from a locked counter row.

``UPDATE ... RETURNING`` locks the counter row until the transaction ends, so concurrent issuers
wait for each other and a rolled-back issue gives its number back: no gaps, no duplicates.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app import db
from domain.models import DocumentCounter

SERIES_FORMAT = {"INV": "{year}-{number:06d}", "CN": "CN{year}-{number:06d}"}


def _insert_counter(series: str, year: int) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(DocumentCounter).values(series=series, year=year, last_number=0)
                       .on_conflict_do_nothing())


def take_number(series: str, year: int) -> str:
    """Take the next number of ``series`` in ``year``, formatted (``2026-000042``, ``CN2026-000001``)."""
    bump = (sa.update(DocumentCounter)
            .where(DocumentCounter.series == series, DocumentCounter.year == year)
            .values(last_number=DocumentCounter.last_number + 1)
            .returning(DocumentCounter.last_number))
    number = db.session.scalar(bump)
    if number is None:
        _insert_counter(series, year)
        number = db.session.scalar(bump)
    return SERIES_FORMAT[series].format(year=year, number=number)
