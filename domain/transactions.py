"""How a request's transaction ends: one that only read ends with COMMIT, so PostgreSQL keeps its plans.

psycopg forgets every prepared statement of a connection on ROLLBACK (the transaction may have dropped what
they refer to), and SQLAlchemy's session ends each request with one. No query ever lived long enough on a
connection to be prepared, so PostgreSQL parsed and planned every query of every page again. For a
transaction that ran only SELECTs, COMMIT and ROLLBACK are the same to the database (nothing to keep, locks
released alike); ending it with COMMIT lets psycopg prepare a query from its fifth run on a connection
(``prepare_threshold``), which saves 8 to 16 % of a page in process, 0.5 to 1.6 ms (``benchmarks/README.md``).

A transaction that ran any other statement, in which a statement failed, whose request raised, or whose
session holds changes not yet written still ends as before: rolled back, nothing of it kept.
"""

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

ONLY_READ = "seatdesk.only_read"


def watch(engine: Engine) -> None:
    """Record, per transaction of ``engine``, whether it has only read so far."""
    event.listen(engine, "begin", _began)
    event.listen(engine, "before_cursor_execute", _executing)
    event.listen(engine, "handle_error", _failed)


def end_request(session: Session, error: BaseException | None) -> None:
    """At the end of a request: roll back after an error, commit a transaction that only read, and leave any
    other to the session's own end (a rollback)."""
    if error is not None:
        session.rollback()
    elif (session.in_transaction() and not (session.new or session.dirty or session.deleted)
          and session.connection().info.get(ONLY_READ)):
        session.commit()


def _began(connection: Connection) -> None:
    connection.info[ONLY_READ] = True


def _executing(connection: Connection, cursor, statement: str, parameters, context, executemany) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        connection.info[ONLY_READ] = False


def _failed(context) -> None:
    if context.connection is not None:
        context.connection.info[ONLY_READ] = False
