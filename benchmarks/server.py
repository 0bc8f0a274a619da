"""The app as the load run serves it: Seatdesk itself, plus two trivial routes that read the database.

``/bench/one-query`` sends one statement (``SELECT 1``) on a connection of the app's pool in autocommit mode (no
``BEGIN``, no ``COMMIT``) and answers: the least a request that reads the database at all can cost. Every console
page and fragment reads at least its user, so none can serve more of ``/healthz``'s rate than this floor.

``/bench/logged-in`` does what every console page does before its own work (the session cookie, the user
and its reseller loaded from the database by Flask-Login) and nothing after it: what a page costs above it
is the page's own work.

Only the benchmark serves these routes.
"""

from flask_login import current_user, login_required

from app import create_app as create_seatdesk
from app import db


def create_app(test_config: dict | None = None):
    """Seatdesk with the one-query and logged-in floor routes."""
    app = create_seatdesk(test_config)

    @app.get("/bench/one-query")
    def one_query_floor():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            return {"one": connection.exec_driver_sql("SELECT 1").scalar()}

    @app.get("/bench/logged-in")
    @login_required
    def logged_in_floor():
        return {"user": current_user.id, "reseller": current_user.reseller_id}

    return app
