"""How a request's transaction ends (domain/transactions.py): one that only read commits, so psycopg keeps
its prepared statements; one that wrote without committing, failed or raised is rolled back, nothing kept."""

import contextlib
import os

import pytest
import sqlalchemy as sa

from app import db
from domain.models import Reseller
from tests.conftest import login


@pytest.fixture
def endings(app):
    """The COMMITs and ROLLBACKs of the app's engine, in order."""
    seen = []
    sa.event.listen(db.engine, "commit", lambda connection: seen.append("commit"))
    sa.event.listen(db.engine, "rollback", lambda connection: seen.append("rollback"))
    return seen


@pytest.fixture
def routes(app, make):
    """Three requests that end without committing: one flushed a change, one only changed an object in memory,
    one ran a statement that failed and went on."""
    reseller = make.reseller("Northwind IT SAS")

    @app.post("/test/flushed")
    def flushed():
        db.session.get(Reseller, reseller.id).name = "Flushed"
        db.session.flush()
        return "kept?"

    @app.post("/test/changed")
    def changed():
        db.session.get(Reseller, reseller.id).name = "Changed"
        return "kept?"

    @app.get("/test/failed")
    def failed():
        db.session.get(Reseller, reseller.id)
        with contextlib.suppress(sa.exc.DBAPIError):
            db.session.execute(sa.text("SELECT * FROM no_such_table"))
        return "went on"

    return reseller


def _name_on_record(reseller_id: int) -> str:
    db.session.remove()  # as the end of the request's app context does in production
    return db.session.get(Reseller, reseller_id).name


def test_a_page_that_only_reads_ends_its_transaction_with_a_commit(client, make, endings):
    reseller = make.reseller()
    make.customer(reseller, "Acme GmbH")
    login(client, make.reseller_admin(reseller))
    endings.clear()
    response = client.get("/console/")
    assert response.status_code == 200 and "Acme GmbH" in response.text
    assert endings == ["commit"]


@pytest.mark.parametrize("path", ["/test/flushed", "/test/changed"])
def test_a_request_that_changed_something_without_committing_is_rolled_back(client, routes, endings, path):
    assert client.post(path).status_code == 200
    assert "commit" not in endings
    assert _name_on_record(routes.id) == "Northwind IT SAS"
    assert endings[-1] == "rollback"


def test_a_request_in_which_a_statement_failed_is_rolled_back(client, routes, endings):
    assert client.get("/test/failed").text == "went on"
    assert "commit" not in endings
    assert _name_on_record(routes.id) == "Northwind IT SAS"


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="prepared statements are PostgreSQL's")
def test_the_dashboard_s_queries_are_prepared_on_the_connection_after_five_requests(client, make):
    reseller = make.reseller()
    make.customer(reseller, "Acme GmbH")
    login(client, make.reseller_admin(reseller))
    for _ in range(6):
        assert client.get("/console/").status_code == 200
    db.session.remove()
    with db.engine.connect() as connection:  # the pool's one connection, which served those requests
        prepared = connection.scalars(sa.text("SELECT statement FROM pg_prepared_statements")).all()
    assert any("FROM customers" in statement for statement in prepared), prepared
