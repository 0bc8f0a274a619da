"""A subscription's life: created by a reseller, paid by bank transfer or card, lapsed if a card never pays.

Bank transfer (R9): the invoice is issued at once and the subscription is active at once; the term
is always 12 months (R2). Card (R10): the subscription waits until the provider's signed webhook
confirms payment; then its period starts, and the invoice is issued, paid. A card order left unpaid
for CARD_ORDER_LAPSE_HOURS lapses.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app import db
from domain import audit, notifications, orders, pricing, renewals
from domain.clock import utcnow
from domain.errors import DomainError
from domain.models import (
    Customer,
    Invoice,
    Order,
    OrderKind,
    OrderStatus,
    PaymentMethod,
    RenewalMode,
    Reseller,
    Subscription,
    SubscriptionStatus,
    User,
)
from domain.periods import add_months

BANK_TRANSFER_TERM = 12


@dataclass(frozen=True)
class BusinessInfo:
    """A customer's business information, as entered on Create or Business Information."""

    name: str
    street: str
    postal_code: str
    city: str
    country: str
    contact_name: str
    contact_email: str
    billing_email: str
    vat_number: str | None  # normalised by vat.normalise_vat_number
    po_reference: str | None
    locale: str = "en"  # the language of its invoices and of the e-mails to its billing contact


def organizations_left(reseller: Reseller) -> int | None:
    """How many more customers the reseller may create (R11); None when unlimited."""
    if reseller.allowed_organizations is None:
        return None
    used = db.session.scalar(sa.select(sa.func.count()).select_from(Customer)
                             .where(Customer.reseller_id == reseller.id))
    return max(0, reseller.allowed_organizations - used)


def _lock_subscription(customer: Customer) -> Subscription:
    """Lock the customer's subscription row: its licenses and state change under one order at a time."""
    return db.session.scalar(sa.select(Subscription).where(Subscription.id == customer.subscription.id)
                             .with_for_update())


def _check_term(payment_method: PaymentMethod, term_months: int) -> None:
    """Bank transfer is yearly (R2)."""
    if payment_method == PaymentMethod.BANK_TRANSFER and term_months != BANK_TRANSFER_TERM:
        raise DomainError(_("Bank transfer is yearly: a subscription paid by bank transfer runs 12 months."),
                          field="term_months")


def _lock(reseller: Reseller) -> Reseller:
    """Lock the reseller's row so two creations cannot both take its last allowed organization."""
    return db.session.scalar(sa.select(Reseller).where(Reseller.id == reseller.id).with_for_update())


def create(reseller: Reseller, info: BusinessInfo, *, licenses: int, term_months: int,
           payment_method: PaymentMethod, idempotency_key: str, actor: User, now: datetime | None = None) -> Order:
    """Create a customer, its subscription and the order paying for it; the caller commits.

    With bank transfer the invoice is issued and e-mailed at once and the subscription is active.
    With card the subscription is pending until ``confirm_card_payment``.
    """
    now = now or utcnow()
    reseller = _lock(reseller)
    if organizations_left(reseller) == 0:
        raise DomainError(_("You have reached your limit of %(num)s organizations. Ask the vendor to raise your "
                            "Allowed Organizations.", num=reseller.allowed_organizations))
    _check_term(payment_method, term_months)
    start = now.date()
    end = add_months(start, term_months)
    quote = pricing.price(reseller_discount_bp=reseller.discount_bp, country=info.country,
                          vat_number=info.vat_number, licenses=licenses, months=term_months, on=start,
                          description=_l("Business subscription, %(term)s", term=pricing.lazy_term(term_months)))
    bank = payment_method == PaymentMethod.BANK_TRANSFER
    customer = Customer(reseller_id=reseller.id, **asdict(info))
    customer.subscription = Subscription(
        term_months=term_months, licenses=licenses, payment_method=payment_method,
        period_start=start if bank else None, period_end=end if bank else None,
        status=SubscriptionStatus.ACTIVE if bank else SubscriptionStatus.PENDING)
    db.session.add(customer)
    db.session.flush()
    order = orders.record(customer, quote, kind=OrderKind.CREATE, payment_method=payment_method,
                          idempotency_key=idempotency_key, supply_start=start, supply_end=end, placed_by=actor,
                          status=OrderStatus.INVOICED if bank else OrderStatus.AWAITING_PAYMENT)
    audit.record(actor, "customer.created", customer, acting_on=customer, after=asdict(info))
    audit.record(actor, "order.placed", order, acting_on=customer,
                 after={"licenses": licenses, "term_months": term_months, "payment_method": str(payment_method),
                        "gross_minor": order.gross_minor, "currency": order.currency})
    if bank:
        _issue_and_notify(order, customer, actor)
    return order


def _issue_and_notify(order: Order, customer: Customer, actor: User | None) -> Invoice:
    from invoices import issuing

    invoice = issuing.issue(order, on=order.supply_start, actor=actor)
    notifications.invoice_issued(invoice)
    if order.kind == OrderKind.CREATE:
        notifications.added_to_subscription(customer)
    placed_by = db.session.get(User, order.placed_by_id) if order.placed_by_id else None
    if placed_by is not None and placed_by.reseller_id is None:  # the customer's own administrator, in the portal
        notifications.ordered_in_portal(order, invoice, placed_by)
    return invoice


@dataclass(frozen=True)
class TopUpTerms:
    """What a top-up bought today costs: the months left of the period, rounded up (R4)."""

    days_left: int
    months: int
    period_end: date


def top_up_terms(subscription: Subscription, on: date) -> TopUpTerms:
    if subscription.status == SubscriptionStatus.SUSPENDED:
        raise DomainError(_("Licenses can be added once the subscription is active again: it is suspended until "
                            "its overdue invoice is paid."))
    if subscription.status == SubscriptionStatus.PENDING:
        raise DomainError(_("Licenses can be added once the subscription's card payment is confirmed."))
    if subscription.status != SubscriptionStatus.ACTIVE or subscription.period_end is None:
        raise DomainError(_("Licenses can be added while the subscription is active."))
    return TopUpTerms((subscription.period_end - on).days,
                      pricing.remaining_months(subscription.period_start, subscription.period_end, on),
                      subscription.period_end)


def price_top_up(customer: Customer, licenses: int, on: date) -> pricing.Quote:
    """The price of ``licenses`` more for the rest of the period, with the discount only if R3 allows it."""
    terms = top_up_terms(customer.subscription, on)
    return _price_for(customer, licenses, terms.months, on, _l(
        "Top Up: additional licenses for the %(term)s left of the period", term=pricing.lazy_term(terms.months)))


def _price_for(customer: Customer, licenses: int, months: int, on: date, description) -> pricing.Quote:
    """A sale to an existing customer: its country and VAT number, its reseller's discount if R3 allows it."""
    return pricing.price(reseller_discount_bp=customer.reseller.discount_bp, country=customer.country,
                         vat_number=customer.vat_number, licenses=licenses, months=months, on=on,
                         customer_id=customer.id, description=description)


def top_up(customer: Customer, *, licenses: int, payment_method: PaymentMethod, idempotency_key: str, actor: User,
           now: datetime | None = None) -> Order:
    """Buy more licenses ending with the current period; the caller commits.

    By bank transfer they are usable at once and the invoice is issued; by card once paid.
    """
    now = now or utcnow()
    subscription = _lock_subscription(customer)
    quote = price_top_up(customer, licenses, now.date())
    return _place_on(subscription, quote, OrderKind.TOP_UP, payment_method, idempotency_key, actor,
                     supply=(now.date(), subscription.period_end), apply=_add_licenses,
                     placed={"licenses": licenses, "months": quote.months})


def _place_on(subscription: Subscription, quote: pricing.Quote, kind: OrderKind, payment_method: PaymentMethod,
              idempotency_key: str, actor: User, *, supply: tuple[date, date],
              apply: Callable[[Subscription, Order, User | None], None], placed: dict) -> Order:
    """An order on an existing subscription: by bank transfer ``apply`` gives what it bought at once and its
    invoice is issued; by card both wait for ``confirm_card_payment``."""
    customer = subscription.customer
    bank = payment_method == PaymentMethod.BANK_TRANSFER
    order = orders.record(customer, quote, kind=kind, payment_method=payment_method, idempotency_key=idempotency_key,
                          supply_start=supply[0], supply_end=supply[1], placed_by=actor,
                          status=OrderStatus.INVOICED if bank else OrderStatus.AWAITING_PAYMENT,
                          licenses_before=subscription.licenses)
    audit.record(actor, "order.placed", order, acting_on=customer,
                 after={"kind": str(kind), **placed, "payment_method": str(payment_method),
                        "gross_minor": order.gross_minor, "currency": order.currency})
    if bank:
        apply(subscription, order, actor)
        _issue_and_notify(order, customer, actor)
    return order


def _add_licenses(subscription: Subscription, order: Order, actor: User | None) -> None:
    before = subscription.licenses
    subscription.licenses += order.licenses_added
    audit.record(actor, "subscription.licenses_added", subscription, acting_on=subscription.customer,
                 before={"licenses": before}, after={"licenses": subscription.licenses})


ENDED = (SubscriptionStatus.EXPIRED, SubscriptionStatus.LAPSED)


@dataclass(frozen=True)
class RestartCheck:
    """Whether an ended subscription can start again now: only an ended one can, one card order at a time, and
    not while an invoice of the customer is overdue. ``refusal`` says why not; ``pending`` is the card order
    under way, ``overdue`` the invoices to settle first."""

    refusal: str | None = None
    pending: Order | None = None
    overdue: tuple[Invoice, ...] = ()


def restart_check(subscription: Subscription) -> RestartCheck:
    from invoices.reconciliation import overdue_invoices

    if subscription.status not in ENDED:
        return RestartCheck(_("Only a subscription that has ended can be started again."))
    pending = db.session.scalar(sa.select(Order).where(
        Order.subscription_id == subscription.id, Order.kind == OrderKind.RESTART,
        Order.status == OrderStatus.AWAITING_PAYMENT))
    if pending is not None:
        return RestartCheck(_("A card payment to start this subscription again is under way. Once it is confirmed "
                              "the subscription is active; unpaid, it lapses after 24 hours and can be placed "
                              "again."), pending=pending)
    overdue = tuple(overdue_invoices(subscription.customer_id, utcnow().date(), 1))
    if overdue:
        return RestartCheck(_("An invoice of this customer is overdue: once it is paid, or credited by the vendor, "
                              "the subscription can start again."), overdue=overdue)
    return RestartCheck()


def price_restart(customer: Customer, licenses: int, term_months: int, on: date) -> pricing.Quote:
    """A new term of ``licenses`` from ``on``, with the discount only if R3 allows it (the customer exists)."""
    return _price_for(customer, licenses, term_months, on,
                      _l("Business subscription, %(term)s", term=pricing.lazy_term(term_months)))


def restart(customer: Customer, *, licenses: int, term_months: int, payment_method: PaymentMethod,
            idempotency_key: str, actor: User, now: datetime | None = None) -> Order:
    """Start an ended subscription (expired, or lapsed before its first payment) again for a new term from
    today; the caller commits.

    Its members, kept when it ended, hold their licenses again, so the new term has at least as many
    licenses as members. By bank transfer the subscription is active at once and the invoice issued; by
    card once paid (until then it stays ended, and an unpaid order lapses as any card order does).
    """
    now = now or utcnow()
    subscription = _lock_subscription(customer)
    refusal = restart_check(subscription).refusal
    if refusal:
        raise DomainError(refusal)
    _check_term(payment_method, term_months)
    if licenses < subscription.assigned:
        raise DomainError(ngettext(
            "%(num)s member holds a license: start with at least %(num)s, or remove members under Manage first.",
            "%(num)s members hold a license: start with at least %(num)s, or remove members under Manage first.",
            subscription.assigned), field="licenses")
    start = now.date()
    return _place_on(subscription, price_restart(customer, licenses, term_months, start), OrderKind.RESTART,
                     payment_method, idempotency_key, actor, supply=(start, add_months(start, term_months)),
                     apply=_start_again, placed={"licenses": licenses, "term_months": term_months})


def _start_again(subscription: Subscription, order: Order, actor: User | None) -> None:
    """The new term ``order`` paid for: its licenses, term and payment method; renewal settings as new."""
    before = {"status": str(subscription.status), "licenses": subscription.licenses,
              "term_months": subscription.term_months}
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.licenses, subscription.term_months = order.licenses_added, order.months_charged
    subscription.payment_method = order.payment_method
    subscription.period_start, subscription.period_end = order.supply_start, order.supply_end
    subscription.renewal_mode, subscription.renewal_licenses = RenewalMode.SAME, None
    subscription.renewal_notices_sent, subscription.suspended_reason = 0, None
    audit.record(actor, "subscription.restarted", subscription, acting_on=subscription.customer, before=before,
                 after={"status": "active", "licenses": subscription.licenses,
                        "term_months": subscription.term_months, "period_end": subscription.period_end.isoformat()})


def confirm_card_payment(order: Order, *, paid_at: datetime) -> Invoice | None:
    """Activate what a confirmed card payment bought; a second confirmation changes nothing."""
    order = db.session.scalar(sa.select(Order).where(Order.id == order.id).with_for_update())
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return None
    customer = db.session.get(Customer, order.customer_id)
    subscription = customer.subscription
    order.status, order.paid_at = OrderStatus.PAID, paid_at
    audit.record(None, "order.paid", order, acting_on=customer, after={"provider": order.provider})
    if order.kind == OrderKind.TOP_UP:
        _add_licenses(subscription, order, None)
        return _issue_and_notify(order, customer, None)
    if order.kind == OrderKind.RENEWAL:
        renewals.roll_over(subscription, order)
        return _issue_and_notify(order, customer, None)
    start = paid_at.date()
    order.supply_start, order.supply_end = start, add_months(start, order.months_charged)
    if order.kind == OrderKind.RESTART:
        _start_again(subscription, order, None)
        return _issue_and_notify(order, customer, None)
    before = {"status": str(subscription.status)}
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.period_start, subscription.period_end = order.supply_start, order.supply_end
    audit.record(None, "subscription.activated", subscription, acting_on=customer, before=before,
                 after={"status": "active", "period_end": subscription.period_end.isoformat()})
    return _issue_and_notify(order, customer, None)


def lapse_unpaid_card_orders(now: datetime | None = None) -> int:
    """Lapse card orders unpaid for CARD_ORDER_LAPSE_HOURS, and the subscriptions they would have started.

    An unpaid renewal ends its subscription: it expires on the day the order lapses.
    """
    now = now or utcnow()
    cutoff = now - timedelta(hours=current_app.config["CARD_ORDER_LAPSE_HOURS"])
    stale = db.session.scalars(sa.select(Order).where(Order.status == OrderStatus.AWAITING_PAYMENT,
                                                      Order.created_at <= cutoff).with_for_update()).all()
    for order in stale:
        order.status = OrderStatus.LAPSED
        customer = db.session.get(Customer, order.customer_id)
        audit.record(None, "order.lapsed", order, acting_on=customer, before={"status": "awaiting_payment"},
                     after={"status": "lapsed"})
        subscription = customer.subscription
        if order.kind == OrderKind.CREATE and subscription.status == SubscriptionStatus.PENDING:
            subscription.status = SubscriptionStatus.LAPSED
            audit.record(None, "subscription.lapsed", subscription, acting_on=customer,
                         before={"status": "pending"}, after={"status": "lapsed"})
        elif order.kind == OrderKind.RENEWAL and subscription.status == SubscriptionStatus.ACTIVE:
            renewals.end(subscription, OrderKind.EXPIRY, now.date())
    db.session.flush()
    return len(stale)
