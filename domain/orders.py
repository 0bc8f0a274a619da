"""Orders: a quote turned into a purchase, with its lines frozen."""

from datetime import date

from flask_babel import force_locale

from app import db
from domain import seller
from domain.models import Customer, Order, OrderKind, OrderLine, OrderStatus, PaymentMethod, Subscription, User
from domain.pricing import Quote


def record(customer: Customer, quote: Quote, *, kind: OrderKind, payment_method: PaymentMethod,
           idempotency_key: str, supply_start: date, supply_end: date, placed_by: User | None,
           status: OrderStatus, licenses_before: int = 0) -> Order:
    """Record an order priced by ``quote``; the caller commits (the idempotency key is unique).

    Its lines and VAT reason are written in the customer's language, as its invoice will be."""
    with force_locale(customer.locale or "en"):
        order = Order(
            idempotency_key=idempotency_key, customer_id=customer.id, reseller_id=customer.reseller_id,
            subscription_id=customer.subscription.id if customer.subscription else None, kind=kind, status=status,
            payment_method=payment_method, licenses_before=licenses_before, licenses_added=quote.licenses,
            months_charged=quote.months, supply_start=supply_start, supply_end=supply_end, currency=quote.currency,
            net_minor=quote.net_minor, vat_minor=quote.vat_minor, gross_minor=quote.gross_minor,
            vat_treatment=quote.vat.treatment, vat_reason=quote.vat.reason, po_reference=customer.po_reference,
            placed_by_id=placed_by.id if placed_by else None,
            lines=[OrderLine(position=n, description=str(line.description), quantity=line.quantity,
                             months=line.months, unit_price_minor=line.unit_price_minor,
                             amount_minor=line.amount_minor, vat_rate_bp=line.vat_rate_bp)
                   for n, line in enumerate(quote.lines)],
        )
    db.session.add(order)
    db.session.flush()
    return order


def record_ending(subscription: Subscription, kind: OrderKind, on: date) -> Order:
    """A line in the order history for a subscription that ended (cancelled or expired): no charge."""
    customer = subscription.customer
    order = Order(
        idempotency_key=f"{kind}-{subscription.id}-{on.isoformat()}", customer_id=customer.id,
        reseller_id=customer.reseller_id, subscription_id=subscription.id, kind=kind, status=OrderStatus.NO_CHARGE,
        payment_method=subscription.payment_method, licenses_before=subscription.licenses, licenses_added=0,
        months_charged=0, supply_start=on, supply_end=on, currency=seller.settings().currency, net_minor=0, vat_minor=0,
        gross_minor=0, vat_treatment="none", vat_reason="Nothing charged", po_reference=customer.po_reference)
    db.session.add(order)
    db.session.flush()
    return order
