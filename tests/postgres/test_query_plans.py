"""Plans of prepared statements: psycopg prepares a query from its fifth run on a connection, and PostgreSQL
may then plan it once for any parameters (a generic plan). The Manage page of a big customer must still read
its members in order from the live-members index, not sort all 2,000 of them for each page; the customer list
and its search must read the reseller's customers from their list index alone, not one table page each."""

import os
import re

import pytest
import sqlalchemy as sa

from app import db
from domain import customers, seats
from domain.models import Customer, Member

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
    """``value`` as an SQL literal, its ``%`` doubled for the driver (a LIKE pattern)."""
    return str(value) if isinstance(value, int) else "'{}'".format(str(value).replace("'", "''").replace("%", "%%"))


def test_a_page_of_live_members_is_read_in_order_from_their_index_under_a_generic_plan(make):
    make.seller()
    customer = make.customer(make.reseller(), licenses=40, members=30)
    plan = generic_plan(seats.live_members(customer.subscription).order_by(Member.email).limit(25))
    assert "uq_members_live_email" in plan and "Sort" not in plan, plan


@pytest.mark.parametrize("search", ["", "customer 01"])
def test_the_customer_list_and_its_search_read_the_list_index_alone_under_a_generic_plan(make, search):
    make.seller()
    reseller = make.reseller()
    admin = make.reseller_admin(reseller)
    for _ in range(30):
        make.customer(reseller)
    make.customer(make.reseller())  # another reseller's, outside the index range read
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE) customers")  # what autovacuum does: the pages all-visible
    query = customers.row_query(admin, search).order_by(sa.func.lower(Customer.name), Customer.id).limit(25)
    plan = generic_plan(query)
    assert "Index Only Scan using ix_customers_reseller_list on customers" in plan and "Sort" not in plan, plan
