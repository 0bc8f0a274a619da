"""The benchmark's own parts, at a thousandth of the scale: the data set has the shape the load run reports,
and the app it serves answers its three floors, so `make bench` cannot rot unnoticed."""

import pytest
import sqlalchemy as sa

from app import db
from benchmarks import load
from benchmarks.dataset import generate
from benchmarks.server import create_app
from domain.models import AuditEvent, Customer, Invoice, Member, Reseller, Subscription


def test_the_data_set_has_its_shape_and_the_bench_app_serves_its_floors(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.sqlite'}"
    info = generate(url, 0.001)
    assert info["sizes"] == {"resellers": 50, "customers": 20, "members": 400, "invoices": 60, "events": 1000,
                             "big_members": 2}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        # the audit log: the generated events, and the one the real invoice's issuing recorded
        assert [count(m) for m in (Reseller, Customer, Invoice, AuditEvent)] == [50, 20, 60, 1000 + 1]
        assert db.session.get(Subscription, info["big_customer"]).assigned == 2  # the counters, recounted
        assert sum(db.session.scalars(sa.select(Subscription.assigned))) == count(Member)
        assert db.session.get(Invoice, info["invoice"]).pdf.startswith(b"%PDF-")
        client = app.test_client()
        assert client.get("/bench/logged-in").status_code == 302  # the floor is behind the login
        client.post("/login", data={"email": info["reseller_admin"], "password": info["password"]})
        assert client.get("/bench/logged-in").json == {"user": 1, "reseller": 1}
        assert client.get("/healthz").json == {"status": "ok"}
        assert client.get("/bench/one-query").json == {"one": 1}
        db.session.remove()


def test_a_wrk_run_is_bounded_in_requests_and_refuses_to_report_a_run_that_reached_the_bound(tmp_path, monkeypatch):
    server = load.Server(f"sqlite:///{tmp_path / 'bench.sqlite'}")  # /healthz reads no table
    try:
        result = load.wrk(server.base, "/healthz", duration="1s")
        assert result["requests"] > 0 and result["errors"] == 0 and not result["bounded"]
        monkeypatch.setattr(load, "MAX_REQUESTS", 100)
        with pytest.raises(RuntimeError, match="reached the bound of 100 requests"):
            load.wrk(server.base, "/healthz", duration="1s")
    finally:
        server.stop()
