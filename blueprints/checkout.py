"""Placing an order from a form, shared by Create and Top Up: one idempotency rule, one payment path."""

from collections.abc import Callable

from flask import redirect, session, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app import db
from blueprints.access import ACTING_ON
from domain import payments
from domain.access import visible_orders
from domain.errors import DomainError
from domain.models import Order, PaymentMethod


def order_with_key(key: str | None) -> Order | None:
    """The order a form with this idempotency key already placed, if the user may see it."""
    if not key:
        return None
    return db.session.scalar(visible_orders(current_user).where(Order.idempotency_key == key))


def order_page(order: Order):
    return redirect(url_for("create.order", order_id=order.id), 303)


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
            here = url_for("create.order", order_id=order.id, _external=True)
            checkout_url = payments.start_checkout(order, description=description, success_url=here, cancel_url=here)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        field = getattr(form, error.field, None) if error.field else None
        (field.errors if field is not None else form.form_errors).append(str(error))
        return None
    except IntegrityError:
        db.session.rollback()  # the same form submitted twice at once: the other request won
        existing = order_with_key(form.idempotency_key.data)
        if existing is None:
            raise
        return order_page(existing)
    session[ACTING_ON] = order.customer_id
    return redirect(checkout_url, 303) if checkout_url else order_page(order)
