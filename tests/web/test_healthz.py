"""The health route: what load balancers poll and the benchmark's floor measures."""

import sqlalchemy as sa

from app import db


def test_the_health_route_answers_without_a_session_or_the_database(client):
    seen = []

    def count(*args):
        seen.append(args)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/healthz")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.json == {"status": "ok"} and seen == [] and "Set-Cookie" not in response.headers
