"""Plans of prepared statements: psycopg prepares a query from its fifth run on a connection, and PostgreSQL
may then plan it once for any parameters (a generic plan). The Manage page of a big customer must still read
its members in order from the live-members index, not sort all 2,000 of them for each page."""

import os
import re

import pytest
import sqlalchemy as sa

from app import db
from domain import seats
from domain.models import Member

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                reason="needs PostgreSQL: run with TEST_DATABASE_URL (the CI's second run does)")


def generic_plan(query: sa.Select) -> str:
    """EXPLAIN of ``query`` prepared on the server and planned for any parameters, as a reused prepared
    statement is."""
    with db.engine.connect() as connection:
        compiled = query.compile(dialect=connection.dialect)
        names = []

        def numbered(match):
            names.append(match[1])
            return f"${len(names)}"

        statement = re.sub(r"%\((\w+)\)s", numbered, compiled.string)
        connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        connection.exec_driver_sql("SET enable_seqscan = off")  # the test's tables are a few rows
        connection.exec_driver_sql(f"PREPARE checked AS {statement}")
        arguments = ", ".join(_literal(compiled.params[name]) for name in names)
        plan = connection.exec_driver_sql(f"EXPLAIN EXECUTE checked({arguments})").scalars().all()
        connection.rollback()
    return "\n".join(plan)


def _literal(value) -> str:
    return str(value) if isinstance(value, int) else "'{}'".format(str(value).replace("'", "''"))


def test_a_page_of_live_members_is_read_in_order_from_their_index_under_a_generic_plan(make):
    make.seller()
    customer = make.customer(make.reseller(), licenses=40, members=30)
    plan = generic_plan(seats.live_members(customer.subscription).order_by(Member.email).limit(25))
    assert "uq_members_live_email" in plan and "Sort" not in plan, plan
