"""Request-wide wiring: login, locale, audit address, security headers, error pages, template helpers."""

import hmac
import re
from datetime import date, datetime

from flask import Flask, g, has_request_context, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape

from app import db, login_manager
from blueprints import htmx
from blueprints.access import reseller_read_only
from blueprints.params import row_id
from domain import audit, connections, notifications, transactions
from domain.labels import LANGUAGES, per_language, status_label, subject_label
from domain.models import User
from domain.money import format_money, percent
from domain.pricing import term_label
from invoices.issuing import amount_due, payer_status
from invoices.pdf import country_name

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")


def select_locale() -> str:
    """The user's saved language, else the one chosen before logging in, else the language of the document the
    page shows (a payer's invoice), else the browser's, else English.

    Outside a request (the daily billing run, the CLI) it is English; e-mails and invoices choose
    their recipient's language themselves with ``force_locale``."""
    if not has_request_context():
        return "en"
    if current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    if session.get("locale") in LANGUAGES:
        return session["locale"]
    if g.get("document_locale") in LANGUAGES:
        return g.document_locale
    return browser_locale(request.accept_languages)


def browser_locale(accept_languages) -> str:
    """The first of the browser's languages we have, by quality: any Chinese tag means Simplified Chinese."""
    for tag, _quality in accept_languages:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary == "zh":
            return "zh_Hans"
        if primary in LANGUAGES:
            return primary
    return "en"


class SessionCookie(SecureCookieSessionInterface):
    """The session cookie, marked Secure on every request that came over HTTPS (directly, or through a trusted
    proxy: ``PROXY_COUNT``), so that no configuration can be forgotten for it; ``SESSION_COOKIE_SECURE`` forces it.

    Messages wait in the cookie until a page shows them. Forms posted without ever reading the page they lead to
    (a script, a page left open that posts in the background) would pile them up until the cookie outgrew the
    4 KB a browser keeps, and the browser would then silently drop every change to the session: so only the
    ``FLASHES_KEPT`` latest are kept."""

    FLASHES_KEPT = 5

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)

    def save_session(self, app: Flask, session, response) -> None:
        if session.modified and len(session.get("_flashes", ())) > self.FLASHES_KEPT:
            session["_flashes"] = session["_flashes"][-self.FLASHES_KEPT:]
        super().save_session(app, session, response)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session's user while its password is the one the session was opened with (``User.get_id``)."""
    user_id, _, digest = session_id.partition(":")
    user_id = row_id(user_id)
    user = db.session.get(User, user_id) if user_id else None
    return user if user is not None and hmac.compare_digest(user.password_digest, digest) else None


# POST routes a suspended reseller may still use: live price quotes, the language, its people's own accounts
# (a password must be changeable whatever the reseller's state), and leaving.
READ_ONLY_POSTS = {"create.quote", "licenses.quote", "licenses.restart_quote", "portal.licenses_quote",
                   "auth.logout", "auth.language", "auth.rename", "auth.change_password"}
URL = re.compile(r"https?://[^\s<>\"']+")


def day_label(value: date | datetime | None) -> str:
    """``|date``: the day in the reader's language (``Jan 5, 2027``), ``—`` for none. A date-time reads as its
    day as stored (Flask-Babel formats only the date part and does not move it to another time zone)."""
    if not value:
        return "—"
    return _medium_date(value.date() if isinstance(value, datetime) else value)


@per_language
def _medium_date(day: date) -> str:
    return format_date(day, "medium")


def linkify(text: str) -> Markup:
    """Plain text, escaped, with its web addresses made into links (for e-mails read in the outbox)."""
    escaped = str(escape(text))
    return Markup(URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))


def init_app(app: Flask) -> None:
    """Attach login settings, hooks, error pages and template helpers to ``app``."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.session_protection = "strong"
    app.session_interface = SessionCookie()

    @app.before_request
    def remember_address():
        audit.request_address.set(request.remote_addr)

    @app.before_request
    def refuse_nul_characters():
        """No text field can hold a NUL character (PostgreSQL refuses them): refuse such input whole."""
        values = [*request.args.values(), *request.form.values()]
        if any("\x00" in value for value in values):
            return render_template("error.html", title=_("This request cannot be processed"),
                                   message=_("It contains a NUL character, which no field accepts. "
                                             "Remove it and try again.")), 400
        return None

    @app.before_request
    def suspended_resellers_read_only():
        """A suspended reseller's users may read everything of theirs and change nothing (seed 003)."""
        if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint in READ_ONLY_POSTS:
            return None
        if not reseller_read_only():
            return None
        return render_template("error.html", title=_("Your reseller account is suspended"),
                               message=_("The vendor has suspended your reseller account: you can read, but not buy "
                                         "or change anything. Contact the vendor to have it reactivated.")), 403

    @app.get("/healthz")
    def healthz():
        """For load balancers and the benchmark's floor: the stack answers, nothing else is done."""
        return {"status": "ok"}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    with app.app_context():
        connections.check_at_checkout(db.engine)
        transactions.watch(db.engine)

    @app.teardown_request
    def end_transaction(error):
        transactions.end_request(db.session(), error)

    pages = {code: _error_page(code, title) for code, title in (
        (400, _l("Bad request")), (404, _l("Not found")), (429, _l("Too many attempts")), (500, _l("Error")))}
    for code, handler in pages.items():
        app.register_error_handler(code, handler)

    @app.errorhandler(CSRFError)
    def csrf_refused(error):
        """A page whose session ended posts without a valid token: for htmx, the login page (its session ended is
        the likely reason), in the whole window (``htmx.whole_window_to_login``); otherwise a bad request."""
        if htmx.from_htmx() and not current_user.is_authenticated:
            return login_manager.unauthorized()
        return pages[400](error)

    app.after_request(htmx.whole_window_to_login)

    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["term"] = term_label
    app.jinja_env.filters["status"] = status_label
    app.jinja_env.filters["subject"] = subject_label
    app.jinja_env.filters["date"] = day_label
    app.jinja_env.filters["payer_url"] = notifications.payer_link
    app.jinja_env.filters["linkify"] = linkify
    app.jinja_env.filters["amount_due"] = amount_due
    app.jinja_env.filters["payer_status"] = payer_status
    app.jinja_env.filters["country"] = country_name
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["read_only"] = reseller_read_only
    app.jinja_env.globals["languages"] = LANGUAGES
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks are extracted with their spaces collapsed


def _error_page(code: int, title: str):
    messages = {
        400: _l("The request could not be understood. If you submitted a form, reload the page and try again."),
        404: _l("There is nothing here, or you may not see it."),
        429: _l("Too many attempts. Wait a few minutes, then try again."),
        500: _l("Something went wrong on our side. Nothing was saved; please try again."),
    }

    def handler(error):
        db.session.rollback()
        return render_template("error.html", code=code, title=title, message=messages[code]), code

    return handler
