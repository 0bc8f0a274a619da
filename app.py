"""The Seatdesk application factory: configuration, extensions, blueprints, CLI. Wiring only."""

import os
from pathlib import Path

from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from domain.models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Seatdesk console."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object("config.Defaults")
    if test_config is None:
        app.config.from_prefixed_env()
        if os.environ.get("DATABASE_URL") and "FLASK_SQLALCHEMY_DATABASE_URI" not in os.environ:
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    else:
        app.config.update(test_config)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'seatdesk.sqlite'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = _driver_url(app.config["SQLALCHEMY_DATABASE_URI"])
    _refuse_unsafe_production(app)
    if proxies := app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    from blueprints import web
    from blueprints.params import RowId

    app.url_map.converters["int"] = RowId  # before any route: an id too large for the database is a 404
    babel.init_app(app, locale_selector=web.select_locale)
    web.init_app(app)

    from blueprints import (
        account,
        auth,
        billing,
        business,
        create,
        dashboard,
        licenses,
        manage,
        payer,
        payments,
        portal,
        vendor,
    )

    for module in (auth, dashboard, create, manage, licenses, business, billing, account, portal, vendor, payments,
                   payer):
        app.register_blueprint(module.bp)

    import cli

    cli.init_app(app)
    return app


def _driver_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _refuse_unsafe_production(app: Flask) -> None:
    from config import DEFAULT_SECRET_KEY

    if app.config["ENV_NAME"] == "production" and app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise RuntimeError("Refusing to start in production with the default SECRET_KEY: set FLASK_SECRET_KEY.")
