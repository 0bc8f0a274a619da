"""Log in and out, reset a forgotten password, activate an invited account."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from app import db, limiter
from blueprints.forms import show_error
from domain import accounts, notifications, seats
from domain.errors import DomainError
from domain.labels import LANGUAGES

from .forms import ActivateForm, ChangePasswordForm, ForgotPasswordForm, LoginForm, NameForm, SetPasswordForm

bp = Blueprint("auth", __name__)


def _account_key() -> str:
    """Rate-limit key for the account named in the form, whatever address the requests come from."""
    return "account:" + accounts.normalise_email(request.form.get("email", ""))


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["RESET_LIMIT"]


def _user_key() -> str:
    """Rate-limit key for the logged-in person, whatever address the requests come from."""
    return f"user:{current_user.id if current_user.is_authenticated else ''}"


def _this_site(target: str) -> bool:
    """True if ``target`` is a path on this site. Browsers drop tabs and line breaks from an address and read
    ``\\`` as ``/``, so ``/<tab>/host`` or ``/\\host`` would lead to another site as ``//host`` does."""
    return (target.startswith("/") and target[1:2] not in ("/", "\\")
            and not any(ord(char) < 32 or char == "\x7f" for char in target))


@bp.get("/")
def home():
    """Send each person to the console of their role."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_operator:
        return redirect(url_for("vendor.home"))
    if current_user.reseller_id is not None:
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("portal.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key)
def login():
    """Log in with e-mail and password, then back to the page that asked for it (``next``, a path on this site),
    or to the console of the person's role."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("E-mail or password is incorrect."))
        else:
            login_user(user)
            seats.activate_memberships(user)  # licenses given to this address while it had an account
            if user.locale is None and session.get("locale") in LANGUAGES:
                accounts.set_language(user, session["locale"])  # the language chosen on the login page
            db.session.commit()
            back = request.form.get("next", "")  # the page that sent here (a console page whose session ended)
            return redirect(back if _this_site(back) else url_for("auth.home"), 303)
    back = request.values.get("next", "")
    return render_template("auth/login.html", form=form, next=back if _this_site(back) else "")


@bp.post("/language")
def language():
    """Save the language chosen in the header: on the account when logged in, in the session always."""
    locale = request.form.get("locale", "")
    if locale not in LANGUAGES:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        accounts.set_language(current_user, locale)
        db.session.commit()
    back = request.form.get("next", "")
    return redirect(back if _this_site(back) else url_for("auth.home"), 303)


@bp.post("/logout")
@login_required
def logout():
    """Log out and forget the session."""
    logout_user()
    flash(_("You have been logged out."))
    return redirect(url_for("auth.login"), 303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_account_key)
def forgot_password():
    """Send a one-hour reset link; say the same thing whether the address has an account or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.user_by_email(form.email.data)
        if user is not None:
            if user.is_active:
                link = url_for("auth.reset_password", token=accounts.make_link_token(user, "reset"), _external=True)
                notifications.send(user.email, _l("Reset your Seatdesk password"), "email/reset_password.txt",
                                   kind="password_reset", fallback=str(get_locale()), user=user, link=link)
            else:
                _send_activation_link(user)
            db.session.commit()
        flash(_("If an account exists for that address, we have sent it a link to set a new password. "
                "The link is valid for one hour."))
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password through a signed, one-hour, single-use link."""
    user = accounts.user_from_token(token, "reset", current_app.config["RESET_LINK_MAX_AGE"])
    if user is None or not user.is_active:
        return render_template("auth/link_invalid.html", request_new=url_for("auth.forgot_password")), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(user, form.password.data)
        except DomainError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your password has been changed. You can log in with it now."))
            return redirect(url_for("auth.login"), 303)
    return render_template("auth/set_password.html", form=form, title=_("Choose a new password"))


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str):
    """Activate an invited account by setting a password, then log the person in."""
    max_age = current_app.config["ACTIVATION_LINK_MAX_AGE"]
    user = accounts.user_from_token(token, "activate", max_age)
    if user is None or user.is_active:
        expired = accounts.user_from_expired_token(token, "activate", max_age)
        if expired is not None and not expired.is_active:
            return render_template("auth/link_expired.html", token=token), 410
        return render_template("auth/link_invalid.html", request_new=url_for("auth.forgot_password")), 404
    form = ActivateForm(name=user.name)
    if form.validate_on_submit():
        try:
            accounts.set_password(user, form.password.data, name=form.name.data)
        except DomainError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            login_user(user)
            flash(_("Your account is active. Welcome to Seatdesk."))
            return redirect(url_for("auth.home"), 303)
    return render_template("auth/set_password.html", form=form, title=_("Activate your account"), user=user)


@bp.post("/activate/<token>/renew")
@limiter.limit(_reset_limit)
def renew_activation(token: str):
    """Send a fresh activation link to the address an expired invitation was sent to (and only there)."""
    user = accounts.user_from_expired_token(token, "activate", current_app.config["ACTIVATION_LINK_MAX_AGE"])
    if user is None or user.is_active:
        abort(404)
    _send_activation_link(user)
    db.session.commit()
    flash(_("A new activation link has been sent to %(email)s. It is valid for seven days.", email=user.email))
    return redirect(url_for("auth.login"), 303)


def _send_activation_link(user) -> None:
    link = url_for("auth.activate", token=accounts.make_link_token(user, "activate"), _external=True)
    notifications.send(user.email, _l("Activate your Seatdesk account"), "email/activate.txt", kind="activation",
                       fallback=str(get_locale()), user=user, link=link)


def _profile_page(name_form: NameForm, password_form: ChangePasswordForm):
    return render_template("auth/profile.html", name_form=name_form, password_form=password_form)


@bp.get("/profile")
@login_required
def profile():
    """Your account, for every role: the name you go by and your password."""
    return _profile_page(NameForm(formdata=None, name=current_user.name), ChangePasswordForm(formdata=None))


@bp.post("/profile/name")
@login_required
def rename():
    """Change the name shown in the top bar, member lists and audit logs."""
    form = NameForm()
    if form.validate_on_submit():
        try:
            accounts.rename(current_user, form.name.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Your name has been saved."))
            return redirect(url_for("auth.profile"), 303)
    return _profile_page(form, ChangePasswordForm(formdata=None))


@bp.post("/profile/password")
@login_required
@limiter.limit(_login_limit)
@limiter.limit(_login_limit, key_func=_user_key)
def change_password():
    """Change the password, given the current one; this session stays, every other one ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session carries the new password's digest
            flash(_("Your password has been changed. Your other sessions have been logged out."))
            return redirect(url_for("auth.profile"), 303)
    return _profile_page(NameForm(formdata=None, name=current_user.name), form)
