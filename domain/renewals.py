"""The end of a period: renewal settings, notices, renewal orders, renewal and expiry.

``run(today)`` is what ``flask billing run-daily`` does for each active subscription. Every step
reads the subscription's state rather than the date, so running twice a day does nothing twice and
a missed day is caught up by the next run:

- **Notice, 30 days before the end** (yearly terms; a monthly term would get it every month): the
  billing contact and the reseller's administrators are told what will happen. For bank transfer
  the renewal order is placed and its invoice issued now, due in 30 days (R9); from then on the
  renewal settings are fixed.
- **Reminder, 3 days before the end** (every term). If both days were missed, one message is sent.
- **At the end**: a cancelled subscription expires. Bank transfer renews into the next period with
  the invoiced quantity. Card places the renewal order and charges the saved card through the
  provider; the period rolls over when the payment is confirmed. A declined card gets a checkout
  link mailed to the reseller's administrators; left unpaid for CARD_ORDER_LAPSE_HOURS the order
  lapses and the subscription expires (``subscriptions.lapse_unpaid_card_orders``). Members keep
  their licenses during those hours.

A renewal keeps the term (R2) and is priced at the day's price list, VAT rules and discount (R3).
Fewer licenses only ever take effect here (R5), and never fewer than the members assigned then.
A subscription still suspended for non-payment (``dunning``) when its term ends expires.
Expired subscriptions keep their members and history; the members lose access.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import force_locale, format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import db
from domain import audit, notifications, orders, payments, pricing, seats
from domain.clock import utcnow
from domain.errors import DomainError
from domain.labels import status_label
from domain.models import (
    Order,
    OrderKind,
    OrderStatus,
    PaymentMethod,
    RenewalMode,
    Subscription,
    SubscriptionStatus,
    User,
)
from domain.periods import add_months

NOTICE_DAYS = 30
REMINDER_DAYS = 3
NOTICE, REMINDER = 1, 2  # Subscription.renewal_notices_sent: how far this period's messages have gone


def renewal_order(subscription: Subscription) -> Order | None:
    """The order renewing the current period, once placed (and not lapsed)."""
    if subscription.period_end is None:
        return None
    return db.session.scalar(sa.select(Order).where(
        Order.subscription_id == subscription.id, Order.kind == OrderKind.RENEWAL,
        Order.supply_start == subscription.period_end, Order.status != OrderStatus.LAPSED))


def renewal_quantity(subscription: Subscription) -> int:
    """How many licenses the renewal buys: as the setting says, never fewer than the members assigned."""
    assigned = seats.assigned_count(subscription)
    wanted = {RenewalMode.NUMBER: subscription.renewal_licenses or subscription.licenses,
              RenewalMode.ASSIGNED: assigned}.get(subscription.renewal_mode, subscription.licenses)
    return max(wanted, assigned, 1)


@dataclass(frozen=True)
class RenewalPlan:
    """What the Manage header says about the end of the period."""

    mode: RenewalMode
    on: date
    licenses: int | None  # None when the subscription ends
    changeable: bool
    current: int  # the licenses of the running period

    @property
    def reduces(self) -> bool:
        return self.licenses is not None and self.licenses < self.current


def plan(subscription: Subscription) -> RenewalPlan | None:
    if subscription.status != SubscriptionStatus.ACTIVE or subscription.period_end is None:
        return None
    order = renewal_order(subscription)
    if order is not None:
        return RenewalPlan(subscription.renewal_mode, subscription.period_end, order.licenses_added, False,
                           subscription.licenses)
    ends = subscription.renewal_mode == RenewalMode.CANCEL
    return RenewalPlan(subscription.renewal_mode, subscription.period_end,
                       None if ends else renewal_quantity(subscription), True, subscription.licenses)


def change_settings(subscription: Subscription, mode: RenewalMode, licenses: int | None, *, actor: User) -> None:
    """Choose how the subscription renews; the caller commits.

    Changeable while the subscription is active and until the renewal order is placed (for bank
    transfer that is when the renewal invoice is issued, 30 days before the end).
    """
    subscription = db.session.scalar(sa.select(Subscription).where(Subscription.id == subscription.id)
                                     .with_for_update())
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise DomainError(_("The renewal can be changed while the subscription is active; it is %(status)s.",
                            status=status_label(subscription.status)))
    if renewal_order(subscription) is not None:
        raise DomainError(_("The renewal has been invoiced already, so its settings can no longer change."))
    if mode == RenewalMode.NUMBER:
        assigned = seats.assigned_count(subscription)
        if licenses is None or licenses < 1:
            raise DomainError(_("Enter the number of licenses to renew."), field="renewal_licenses")
        if licenses < assigned:
            raise DomainError(ngettext("%(num)s member is assigned: renew at least %(num)s license, or remove members "
                                       "first.", "%(num)s members are assigned: renew at least %(num)s licenses, or "
                                       "remove members first.", assigned), field="renewal_licenses")
        if licenses > pricing.MAX_LICENSES:
            raise DomainError(_("At most %(max)s licenses.", max=format_number(pricing.MAX_LICENSES)),
                              field="renewal_licenses")
    else:
        licenses = None
    before = {"renewal_mode": str(subscription.renewal_mode), "renewal_licenses": subscription.renewal_licenses}
    subscription.renewal_mode, subscription.renewal_licenses = mode, licenses
    audit.record(actor, "subscription.renewal_changed", subscription, acting_on=subscription.customer,
                 before=before, after={"renewal_mode": str(mode), "renewal_licenses": licenses})


def place(subscription: Subscription, on: date, status: OrderStatus) -> Order:
    """Place the order renewing the current period for its next term, priced on ``on``; the caller commits."""
    customer = subscription.customer
    start = subscription.period_end
    end = add_months(start, subscription.term_months)
    quote = pricing.price(reseller_discount_bp=customer.reseller.discount_bp, country=customer.country,
                          vat_number=customer.vat_number, licenses=renewal_quantity(subscription),
                          months=subscription.term_months, on=on, customer_id=customer.id,
                          description=_l("Renewal: Business subscription, %(term)s",
                                         term=pricing.lazy_term(subscription.term_months)))
    order = orders.record(customer, quote, kind=OrderKind.RENEWAL, payment_method=subscription.payment_method,
                          idempotency_key=f"renewal-{subscription.id}-{start.isoformat()}", supply_start=start,
                          supply_end=end, placed_by=None, status=status, licenses_before=subscription.licenses)
    audit.record(None, "order.placed", order, acting_on=customer,
                 after={"kind": "renewal", "licenses": quote.licenses, "months": quote.months,
                        "payment_method": str(subscription.payment_method), "gross_minor": order.gross_minor,
                        "currency": order.currency})
    return order


def roll_over(subscription: Subscription, order: Order) -> None:
    """Start the period ``order`` paid for, with its quantity; a scheduled reduction is then done."""
    before = {"period_end": subscription.period_end.isoformat(), "licenses": subscription.licenses}
    subscription.period_start, subscription.period_end = order.supply_start, order.supply_end
    subscription.licenses = order.licenses_added
    subscription.renewal_notices_sent = 0
    if subscription.renewal_mode == RenewalMode.NUMBER:
        subscription.renewal_mode, subscription.renewal_licenses = RenewalMode.SAME, None
    audit.record(None, "subscription.renewed", subscription, acting_on=subscription.customer, before=before,
                 after={"period_end": subscription.period_end.isoformat(), "licenses": subscription.licenses})


def end(subscription: Subscription, kind: OrderKind, on: date) -> None:
    """Expire the subscription (cancelled at its term's end, or its renewal unpaid); members lose access."""
    before = {"status": str(subscription.status)}
    subscription.status = SubscriptionStatus.EXPIRED
    orders.record_ending(subscription, kind, on)
    audit.record(None, "subscription.expired", subscription, acting_on=subscription.customer, before=before,
                 after={"status": "expired", "reason": "cancelled" if kind == OrderKind.CANCELLATION else "unpaid"})
    notifications.subscription_ended(subscription, cancelled=kind == OrderKind.CANCELLATION)


def _notice_due(subscription: Subscription, on: date) -> int:
    days_left = (subscription.period_end - on).days
    if days_left <= REMINDER_DAYS:
        return REMINDER
    if days_left <= NOTICE_DAYS and subscription.term_months == 12:
        return NOTICE
    return 0


def _charge(subscription: Subscription, order: Order, now: datetime) -> str:
    from domain import subscriptions

    outcome = payments.charge_saved_card(order, subscription.card_ref)
    if outcome == payments.SUCCEEDED:
        subscriptions.confirm_card_payment(order, paid_at=now)
    elif outcome == payments.DECLINED:
        with force_locale(subscription.customer.locale or "en"):  # the payer reads the checkout page
            description = _("Renewal of %(customer)s", customer=subscription.customer.name)
        link = payments.start_checkout(order, description=description, success_url=notifications.order_url(order),
                                       cancel_url=notifications.order_url(order))
        notifications.card_declined(subscription, order, link)
    return outcome


def step(subscription: Subscription, today: date, now: datetime) -> list[str]:
    """Bring one subscription up to date on ``today``; return what was done. The caller commits."""
    done = []
    if subscription.status == SubscriptionStatus.SUSPENDED and subscription.period_end <= today:
        end(subscription, OrderKind.EXPIRY, subscription.period_end)  # still unpaid at the end of its term
        return ["expired"]
    for _period in range(24):  # catch up on as many periods as were missed, within reason
        if subscription.status != SubscriptionStatus.ACTIVE or subscription.period_end is None:
            return done
        cancelled = subscription.renewal_mode == RenewalMode.CANCEL
        bank = subscription.payment_method == PaymentMethod.BANK_TRANSFER
        if today < subscription.period_end:
            due = _notice_due(subscription, today)
            if due > subscription.renewal_notices_sent:
                invoice = None
                if bank and not cancelled and renewal_order(subscription) is None:
                    order = place(subscription, today, OrderStatus.INVOICED)
                    invoice = _issue(order, today)
                    done.append("invoiced")
                notifications.renewal_notice(subscription, renewal_quantity(subscription), invoice=invoice,
                                             reminder=due == REMINDER)
                subscription.renewal_notices_sent = due
                done.append("reminded" if due == REMINDER else "noticed")
            return done
        if cancelled:
            end(subscription, OrderKind.CANCELLATION, subscription.period_end)
            done.append("cancelled")
            return done
        order = renewal_order(subscription)
        if bank:
            if order is None:
                order = place(subscription, today, OrderStatus.INVOICED)
                _issue(order, today)
                done.append("invoiced")
            roll_over(subscription, order)
            done.append("renewed")
            continue
        if order is not None:  # a card renewal waiting for its payment, or its lapse
            return done
        order = place(subscription, today, OrderStatus.AWAITING_PAYMENT)
        outcome = _charge(subscription, order, now)
        done.append(f"charged: {outcome}")
        if outcome != payments.SUCCEEDED:
            return done
        done.append("renewed")
    return done


def _issue(order: Order, on: date):
    from invoices import issuing

    invoice = issuing.issue(order, on=on)
    notifications.invoice_issued(invoice)
    return invoice


@dataclass
class Report:
    done: dict[str, int] = field(default_factory=dict)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def count(self, what: str) -> None:
        self.done[what] = self.done.get(what, 0) + 1


def run(now: datetime | None = None) -> Report:
    """Bring every active subscription up to date, committing each on its own.

    One subscription that fails (an unreachable provider, say) is rolled back and reported; the
    others go on, and the next run tries it again.
    """
    now = now or utcnow()
    report = Report()
    running = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)
    ids = db.session.scalars(sa.select(Subscription.id).where(Subscription.status.in_(running))
                             .order_by(Subscription.id)).all()
    for subscription_id in ids:
        subscription = db.session.scalar(sa.select(Subscription).where(Subscription.id == subscription_id)
                                         .with_for_update())
        try:
            done = step(subscription, now.date(), now)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            report.failed.append((subscription_id, str(error)))
            continue
        for what in done:
            report.count(what)
    return report
