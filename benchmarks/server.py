"""The app as the load run serves it: Seatdesk itself, plus one trivial route behind the login.

``/bench/logged-in`` does what every console page does before its own work (the session cookie, the user
and its reseller loaded from the database by Flask-Login) and nothing after it. It is the second floor of
the load run: what a page costs above it is the page's own work. Only the benchmark serves this route.
"""

from flask_login import current_user, login_required

from app import create_app as create_seatdesk


def create_app(test_config: dict | None = None):
    """Seatdesk with the logged-in floor route."""
    app = create_seatdesk(test_config)

    @app.get("/bench/logged-in")
    @login_required
    def logged_in_floor():
        return {"user": current_user.id, "reseller": current_user.reseller_id}

    return app
