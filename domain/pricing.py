"""Prices (R1, R3, R4): licenses x months x list price, the reseller discount, VAT, gross.

Every flow that charges money (Create, Top Up, renewals) takes its figures from ``quote``, so the
price shown while typing is the price ordered and invoiced. A quote is immutable.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_number, lazy_ngettext, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from domain.errors import DomainError
from domain.labels import per_language
from domain.money import BASIS_POINTS, percent, round_half_up, share
from domain.periods import add_months
from domain.vat import VatDecision

MAX_LICENSES = 10_000


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int
    months: int
    unit_price_minor: int  # per license per month
    amount_minor: int  # signed: the discount line is negative
    vat_rate_bp: int
    kind: str  # "licenses" or "discount"


@dataclass(frozen=True)
class VatTotal:
    rate_bp: int
    category: str
    taxable_minor: int
    vat_minor: int


@dataclass(frozen=True)
class Quote:
    currency: str
    licenses: int
    months: int
    list_unit_minor: int
    discount_bp: int
    lines: tuple[Line, ...]
    vat: VatDecision
    vat_totals: tuple[VatTotal, ...]
    net_minor: int
    vat_minor: int
    gross_minor: int

    @property
    def list_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines if line.kind == "licenses")

    @property
    def discount_minor(self) -> int:
        return -sum(line.amount_minor for line in self.lines if line.kind == "discount")

    @property
    def unit_after_discount(self) -> Decimal:
        """The monthly price of one license after the discount, in minor units (may have decimals)."""
        return Decimal(self.list_unit_minor) * (BASIS_POINTS - self.discount_bp) / BASIS_POINTS

    @property
    def unit_after_discount_minor(self) -> int:
        """The same, rounded half up to a minor unit, for display."""
        return round_half_up(self.unit_after_discount)


SUBSCRIPTION = _l("Business subscription")  # what a line of the one product reads, in the reader's language


@per_language
def term_label(months: int) -> str:
    """``1 month``, ``12 months``, in the current language."""
    return ngettext("%(num)s month", "%(num)s months", months)


def lazy_term(months: int) -> LazyString:
    """The same, in the language current when it is read (for descriptions written in the customer's)."""
    return lazy_ngettext("%(num)s month", "%(num)s months", months)


def vat_totals(lines: tuple[Line, ...] | list[Line], category: str) -> tuple[VatTotal, ...]:
    """VAT per rate, computed on the total taxable amount of each rate, never summed per line (BR-CO-17)."""
    taxable: dict[int, int] = {}
    for line in lines:
        taxable[line.vat_rate_bp] = taxable.get(line.vat_rate_bp, 0) + line.amount_minor
    return tuple(VatTotal(rate, category, amount, share(amount, rate)) for rate, amount in sorted(taxable.items()))


def quote(*, licenses: int, months: int, list_unit_minor: int, currency: str, discount_bp: int,
          vat: VatDecision, description: str | LazyString = SUBSCRIPTION) -> Quote:
    """Price ``licenses`` for ``months`` at ``list_unit_minor`` a month each, less ``discount_bp``, plus VAT."""
    if not 1 <= licenses <= MAX_LICENSES:
        raise DomainError(_("Choose between 1 and %(max)s licenses.", max=format_number(MAX_LICENSES)),
                          field="licenses")
    if not 1 <= months <= 12:
        raise DomainError(_("A purchase covers 1 to 12 months."), field="months")
    if list_unit_minor < 0 or not 0 <= discount_bp <= 10_000:
        raise DomainError(_("The price list is not valid."))
    list_amount = licenses * months * list_unit_minor
    lines = [Line(description, licenses, months, list_unit_minor, list_amount, vat.rate_bp, "licenses")]
    if discount_bp:
        lines.append(Line(_l("Reseller discount %(rate)s %%", rate=LazyString(percent, discount_bp)), 1, months, 0,
                          -share(list_amount, discount_bp), vat.rate_bp, "discount"))
    totals = vat_totals(lines, vat.category)
    net = sum(line.amount_minor for line in lines)
    vat_amount = sum(total.vat_minor for total in totals)
    return Quote(currency, licenses, months, list_unit_minor, discount_bp, tuple(lines), vat, totals, net,
                 vat_amount, net + vat_amount)


def remaining_months(period_start: date, period_end: date, on: date) -> int:
    """Months left of the period [period_start, period_end) on day ``on``, rounded up to whole months (R4).

    Months are counted on the period's own calendar: its monthly anniversaries are
    ``add_months(period_start, k)`` (a period from 31 January has them on 28/29 February, 31 March,
    30 April ...). A month already begun counts whole: 50 days left is 2 months, 1 day left is 1,
    the first day of a yearly period is 12. Never more than the term.
    """
    if not period_start <= on < period_end:
        raise DomainError(_("The subscription period is not running on that day."))
    term = 0
    while add_months(period_start, term) < period_end:
        term += 1
    elapsed = 0
    while elapsed + 1 < term and add_months(period_start, elapsed + 1) <= on:
        elapsed += 1
    return term - elapsed


def price(*, reseller_discount_bp: int, country: str, vat_number: str | None, licenses: int, months: int,
          on: date, customer_id: int | None = None,
          description: str | LazyString = SUBSCRIPTION) -> Quote:
    """Quote a sale to a customer in ``country`` at the vendor's current price list and VAT rules.

    ``vat_number`` must be normalised already. With the vendor's VIES check on, reverse charge also
    needs VIES to confirm the number.
    """
    from domain import seller, vat

    settings = seller.settings()
    confirmed = None
    if settings.vies_enabled and vat_number and country != settings.country and vat.is_eu(country):
        confirmed = vat.check_vies(vat_number)
    decision = vat.decide(seller_country=settings.country, customer_country=country, vat_number=vat_number, on=on,
                          vies_confirmed=confirmed)
    return quote(licenses=licenses, months=months, list_unit_minor=settings.list_price_minor,
                 currency=settings.currency, discount_bp=discount_for(customer_id, reseller_discount_bp),
                 vat=decision, description=description)


def discount_for(customer_id: int | None, reseller_discount_bp: int) -> int:
    """The reseller discount applies while the customer has no administrator of its own (R3)."""
    if customer_id is None:
        return reseller_discount_bp
    from app import db
    from domain.models import CustomerAdmin

    has_admin = db.session.scalar(sa.select(CustomerAdmin.id).where(CustomerAdmin.customer_id == customer_id)
                                  .limit(1))
    return 0 if has_admin else reseller_discount_bp
