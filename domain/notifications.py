"""The e-mails the product sends, queued in the outbox in the caller's transaction, each in its reader's language.

A person with an account reads their saved language; a customer's billing contact reads the
customer's (its Business Information); anyone else the language the caller gives, else English.
Subjects are lazy strings, so they are written in the same language as the body.
"""

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from domain import accounts, links, outbox
from domain.models import Customer, Invoice, Order, OrderKind, Subscription, User
from domain.money import format_money
from invoices.payment import format_rf


def send(to_address: str, subject: LazyString | str, template: str, *, kind: str, locale: str | None = None,
         fallback: str | None = None, user: User | None = None, **context) -> None:
    """Queue one e-mail in ``locale``, else the recipient's saved language, else ``fallback``, else English.

    ``user`` is the recipient's account when the caller holds it (it is not looked up again); the template
    gets it as ``user``, or the account found for ``to_address``, or None."""
    user = user or accounts.user_by_email(to_address)
    chosen = locale or (user.locale if user else None) or fallback or "en"
    with force_locale(chosen):
        outbox.enqueue(to_address, str(subject), render_template(template, user=user, **context), kind=kind)


def amount(minor: int, currency: str) -> LazyString:
    """An amount written when the e-mail is, in its language."""
    return LazyString(format_money, minor, currency)


def payer_link(invoice: Invoice) -> str:
    """The signed link to the invoice's payer page: what is due, how to pay it, the PDF; no account needed."""
    return links.external_url("payer.invoice_page", token=links.sign("payer-invoice", invoice.id))


def invoice_issued(invoice: Invoice, *, to: str | None = None) -> None:
    """Send the invoice to the billing address it was issued to (or ``to``), with its payer link, in the invoice's
    language."""
    snap = invoice.snapshot
    send(to or snap["buyer"]["billing_email"],
         _l("Invoice %(number)s from %(seller)s", number=invoice.number, seller=snap["seller"]["name"]),
         "email/invoice_issued.txt", kind="invoice", locale=snap.get("locale"), invoice=invoice, snap=snap,
         link=payer_link(invoice), amount=amount(invoice.gross_minor, invoice.currency),
         rf=format_rf(invoice.rf_reference))


def password_changed(user: User) -> None:
    """Tell a person their password was changed while logged in, with a way back if it was not them."""
    send(user.email, _l("Your Seatdesk password has been changed"), "email/password_changed.txt",
         kind="password_changed", user=user, link=links.external_url("auth.forgot_password"))


def added_to_subscription(customer: Customer) -> None:
    """Tell the customer's contact that the organization now has a Business subscription."""
    send(customer.contact_email, _l("%(customer)s has been added to a Business subscription", customer=customer.name),
         "email/added_to_subscription.txt", kind="subscription_created", fallback=customer.locale, customer=customer,
         subscription=customer.subscription, reseller=customer.reseller)


def order_url(order: Order) -> str:
    return links.external_url("create.order", order_id=order.id)


def ordered_in_portal(order: Order, invoice: Invoice, by: User) -> None:
    """Tell the reseller's administrators, each in their language, what a customer's own administrator bought in
    the customer portal (a Top Up, a new start): the reseller answers for the customer, and sees the order there."""
    customer = order.customer
    if order.kind == OrderKind.TOP_UP:
        subject = _l("%(customer)s bought more licenses", customer=customer.name)
    else:
        subject = _l("%(customer)s started its subscription again", customer=customer.name)
    for admin in customer.reseller.users:
        send(admin.user.email, subject, "email/ordered_in_portal.txt", kind="ordered_in_portal", user=admin.user,
             order=order, invoice=invoice, by=by, customer=customer, link=order_url(order),
             amount=amount(invoice.gross_minor, invoice.currency))


def to_billing_and_reseller(subscription: Subscription, subject: LazyString, template: str, kind: str,
                            extra: list[str] = (), **context) -> None:
    """The customer's billing contact (in the customer's language), its reseller's administrators and ``extra``."""
    customer = subscription.customer
    send(customer.billing_email, subject, template, kind=kind, locale=customer.locale, customer=customer,
         subscription=subscription, **context)
    others = dict.fromkeys([*(u.user.email for u in customer.reseller.users), *extra])
    for address in others:
        if address != customer.billing_email:
            send(address, subject, template, kind=kind, fallback=customer.locale, customer=customer,
                 subscription=subscription, **context)


def renewal_notice(subscription: Subscription, licenses: int, *, invoice: Invoice | None, reminder: bool) -> None:
    """Say what happens at the end of the period: 30 days before (notice) and 3 days before (reminder)."""
    customer = subscription.customer
    ends = str(subscription.renewal_mode) == "cancel"
    on = LazyString(format_date, subscription.period_end, "medium")
    if ends:
        subject = (_l("Reminder: %(customer)s's subscription ends on %(date)s", customer=customer.name, date=on)
                   if reminder else
                   _l("%(customer)s's subscription ends on %(date)s", customer=customer.name, date=on))
    else:
        subject = (_l("Reminder: %(customer)s's subscription renews on %(date)s", customer=customer.name, date=on)
                   if reminder else
                   _l("%(customer)s's subscription renews on %(date)s", customer=customer.name, date=on))
    to_billing_and_reseller(subscription, subject, "email/renewal_notice.txt", "renewal_notice", licenses=licenses,
                            ends=ends, invoice=invoice, link=payer_link(invoice) if invoice else None)


def card_declined(subscription: Subscription, order: Order, link: str) -> None:
    """The saved card was refused for the renewal: pay through the link, or the subscription expires."""
    to_billing_and_reseller(subscription, _l("Renewal payment for %(customer)s failed",
                                             customer=subscription.customer.name),
                            "email/card_declined.txt", "card_declined", order=order, link=link,
                            amount=amount(order.gross_minor, order.currency))


def subscription_ended(subscription: Subscription, *, cancelled: bool) -> None:
    to_billing_and_reseller(subscription, _l("%(customer)s's subscription has ended",
                                             customer=subscription.customer.name),
                            "email/subscription_ended.txt", "subscription_ended", cancelled=cancelled)
