"""Placing an order from a form, shared by Create, Top Up and a new start: one idempotency rule, one payment
path, and one way back to a card payment left unfinished."""

from collections.abc import Callable

import sqlalchemy as sa
from flask import flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app import db
from blueprints.access import ACTING_ON
from blueprints.forms import show_error
from blueprints.htmx import render
from domain import payments
from domain.access import visible_orders
from domain.errors import DomainError
from domain.models import Invoice, Order, OrderStatus, PaymentMethod
from invoices import issuing
from invoices.payment import transfer_details


def order_with_key(key: str | None) -> Order | None:
    """The order a form with this idempotency key already placed, if the user may see it."""
    if not key:
        return None
    return db.session.scalar(visible_orders(current_user).where(Order.idempotency_key == key))


def order_url(order: Order, **values) -> str:
    """Where the person who placed ``order`` follows it: the console for resellers, else the customer portal."""
    if current_user.reseller_id is not None:
        return url_for("create.order", order_id=order.id, **values)
    return url_for("portal.order", customer_id=order.customer_id, order_id=order.id, **values)


def payment_url(order: Order) -> str:
    """Where the person who placed ``order`` goes back to its card payment (``back_to_payment``)."""
    if current_user.reseller_id is not None:
        return url_for("create.payment", order_id=order.id)
    return url_for("portal.order_payment", customer_id=order.customer_id, order_id=order.id)


def back_to_payment(order: Order, *, order_page_url: str):
    """Back to the provider's checkout of ``order`` (its page closed, a card declined): while the order waits for
    its payment and the checkout is open; else back to the order's page, saying why when it is not paid."""
    try:
        url = payments.checkout_url(order)
    except DomainError as error:
        flash(str(error))
        return redirect(order_page_url, 303)
    if url is None:
        if order.status == OrderStatus.AWAITING_PAYMENT:
            flash(_("The payment page of this order has closed. Unpaid, the order lapses 24 hours after it was "
                    "placed; then it can be placed again."))
        return redirect(order_page_url, 303)
    return redirect(url, 303)


def order_status(order: Order, *, layout: str, status_url: str, payment_url: str, members_url: str,
                 restart_url: str, invoice_endpoint: str):
    """The page following an order: waiting for the card, lapsed (a new subscription's or a new start's leads to
    ``restart_url``, where it can be placed again), or done (with the bank details to pay).

    Once a card payment is confirmed the person is sent on to the members, with what the order bought.
    """
    if order.status == OrderStatus.PAID:
        flash(_("Payment confirmed: %(customer)s has %(num)s licenses. Add its members here.",
                customer=order.customer.name, num=order.customer.subscription.licenses))
        return redirect(members_url, 303)
    invoice = db.session.scalar(sa.select(Invoice).where(Invoice.order_id == order.id))
    transfer = None
    if invoice is not None and issuing.amount_due(invoice) > 0:
        transfer = transfer_details(invoice.snapshot, amount_minor=issuing.amount_due(invoice),
                                    currency=invoice.currency)
    return render("create/order.html", "order_status", order=order, invoice=invoice, transfer=transfer,
                  layout=layout, status_url=status_url, members_url=members_url, payment_url=payment_url,
                  restart_url=restart_url,
                  invoice_url=url_for(invoice_endpoint, invoice_id=invoice.id) if invoice else None)


def order_page(order: Order):
    return redirect(order_url(order), 303)


def place(form, place_order: Callable[[], Order], *, description: str):
    """Validate ``form`` and place its order once; return the redirect, or None with the errors on the form.

    A form submitted again (double click, reload, second tab, even at the same moment) is sent to
    the order it already placed. Card orders go on to the provider's checkout.
    """
    existing = order_with_key(form.idempotency_key.data)
    if existing is not None:
        return order_page(existing)
    if not form.validate_on_submit():
        return None
    try:
        order = place_order()
        checkout_url = None
        if order.payment_method == PaymentMethod.CARD:
            here = order_url(order, _external=True)
            checkout_url = payments.start_checkout(order, description=description, success_url=here, cancel_url=here)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    except IntegrityError:
        db.session.rollback()  # the same form submitted twice at once: the other request won
        existing = order_with_key(form.idempotency_key.data)
        if existing is None:
            raise
        return order_page(existing)
    session[ACTING_ON] = order.customer_id
    return redirect(checkout_url, 303) if checkout_url else order_page(order)
