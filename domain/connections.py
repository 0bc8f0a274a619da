"""Whether a pooled PostgreSQL connection is still open, known before a request uses it, without asking the server.

A connection can die while it waits in the pool: the server restarts, an administrator or a proxy ends it, an
idle timeout closes it. SQLAlchemy's ``pool_pre_ping`` finds out by sending an empty statement at every checkout,
one round trip to the server before each request's first query (0.1 to 0.5 ms here, up to a fifth of what
loading the session and the user costs; ``benchmarks/README.md``). A server that ends a connection says so on it: it
sends its reason and closes the socket. So the socket of an idle connection has nothing to read unless the
server has said something since, and a look at it (``poll`` with no wait) tells without a round trip. Only then
is the connection pinged as before: it is replaced if the ping fails (SQLAlchemy's pool replaces a connection
for which a ``checkout`` listener raises ``DisconnectionError``), and kept if it answers (what was waiting was
something else the server may send an idle connection: a notification, a changed setting).

What no look at the socket can see, a network path that died without a word (no FIN, no RST), neither does the
pre-ping see without waiting for TCP's timeout: the request that meets it fails with the clean error page and
rolls back, SQLAlchemy invalidates the pool, and the next request gets a new connection.
"""

import select

from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DisconnectionError


def check_at_checkout(engine: Engine) -> None:
    """Replace, at checkout, every connection of ``engine`` the server has ended (PostgreSQL only: SQLite's
    connections are files in this process and cannot be ended by a server)."""
    if engine.dialect.name != "postgresql":
        return

    def refuse_ended(dbapi_connection, connection_record, connection_proxy) -> None:
        refuse_if_ended(engine.dialect, dbapi_connection)

    event.listen(engine, "checkout", refuse_ended)


def refuse_if_ended(dialect: Dialect, dbapi_connection) -> None:
    """Raise ``DisconnectionError`` if the server has ended ``dbapi_connection``; ask it only if it has spoken."""
    if dbapi_connection.closed:
        raise DisconnectionError("this connection is closed")
    if _has_something_to_read(dbapi_connection.fileno()):
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("the server has ended this connection while it was idle in the pool") from error


def _has_something_to_read(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))
