"""Command-line tools: ``flask --app app seed-demo``, ``create-operator``, ``outbox send``."""

import click
from flask import Flask, url_for

from app import db


def init_app(app: Flask) -> None:
    """Register the commands on ``app``."""
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_operator)
    app.cli.add_command(outbox_group)
    app.cli.add_command(invoices_group)
    app.cli.add_command(billing_group)


@click.command("seed-demo")
def seed_demo():
    """Load demo data once (running it again changes nothing) and print the demo logins."""
    from flask import current_app

    from domain import accounts, demo

    logins = demo.seed()
    if logins is None:
        click.echo("Demo data is already loaded.")
        logins = {"vendor operator": demo.OPERATOR, "reseller admin (Northwind IT)": demo.RESELLER_A_ADMIN,
                  "reseller admin (Baltic Reseller)": demo.RESELLER_B_ADMIN,
                  "customer admin (Acme)": demo.CUSTOMER_ADMIN, "member (Acme)": demo.MEMBER}
    invited = logins.pop("invited, not yet active", None)
    db.session.commit()
    click.echo(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
    for role, email in logins.items():
        click.echo(f"  {role:34} {email}")
    if invited is not None:
        with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
            link = url_for("auth.activate", token=accounts.make_link_token(invited, "activate"), _external=True)
        click.echo(f"  invited member {invited.email} activates at:\n    {link}")


@click.command("create-operator")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_operator(email: str, password: str):
    """Create a vendor operator account that can log in at once."""
    from domain import accounts
    from domain.clock import utcnow
    from domain.errors import DomainError
    from domain.models import User, VendorOperator

    try:
        accounts.check_password_strength(password)
    except DomainError as error:
        raise click.BadParameter(str(error), param_hint="--password") from error
    if accounts.user_by_email(email) is not None:
        raise click.BadParameter("An account with this e-mail already exists.", param_hint="EMAIL")
    user = User(email=accounts.normalise_email(email), password_hash=accounts.hash_password(password),
                activated_at=utcnow())
    db.session.add_all([user, VendorOperator(user=user)])
    db.session.commit()
    click.echo(f"Vendor operator {user.email} created.")


@click.group("outbox")
def outbox_group():
    """The e-mail outbox."""


@outbox_group.command("send")
def outbox_send():
    """Deliver queued e-mails over SMTP (MAIL_SERVER); without one they stay in the outbox."""
    from flask import current_app

    from domain import outbox

    if not current_app.config["MAIL_SERVER"]:
        click.echo("MAIL_SERVER is not set: messages stay readable in the outbox.")
        return
    sent, failed = outbox.send_pending()
    click.echo(f"{sent} sent, {failed} failed (kept for a later attempt).")


@click.group("invoices")
def invoices_group():
    """Issued invoices and credit notes."""


@invoices_group.command("verify")
def invoices_verify():
    """Re-hash every stored PDF and report any whose bytes changed since issue."""
    from invoices import issuing

    mismatches = issuing.verify()
    if mismatches:
        raise click.ClickException(f"{len(mismatches)} stored PDF(s) do not match their SHA-256: "
                                   + ", ".join(mismatches))
    click.echo("Every stored PDF matches its SHA-256.")


@click.group("billing")
def billing_group():
    """The subscriptions' daily life."""


@billing_group.command("run-daily")
def billing_run_daily():
    """Do today's billing work: renewal notices, invoices and charges, renewals, expiries, lapses,
    payment reminders and suspensions.

    Safe to run twice a day and to miss a day (see domain/renewals.py).
    """
    from domain import dunning, renewals, subscriptions
    from domain.clock import today

    report = renewals.run()
    lapsed = subscriptions.lapse_unpaid_card_orders()
    db.session.commit()
    for what, count in dunning.run(today()).items():
        report.done[what] = report.done.get(what, 0) + count
    db.session.commit()
    for what, count in sorted(report.done.items()):
        click.echo(f"{what}: {count}")
    click.echo(f"{lapsed} unpaid card order(s) lapsed.")
    for subscription_id, error in report.failed:
        click.echo(f"subscription {subscription_id} not brought up to date: {error}", err=True)
