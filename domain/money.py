"""Amounts: integer minor units at rest, Decimal in arithmetic, ROUND_HALF_UP to the currency's unit."""

from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel.numbers import get_currency_precision
from flask_babel import format_currency, format_decimal

BASIS_POINTS = Decimal(10000)


def exponent(currency: str) -> int:
    """Digits after the decimal point of ``currency`` (EUR 2, JPY 0, BHD 3)."""
    return get_currency_precision(currency)


def to_decimal(amount_minor: int, currency: str) -> Decimal:
    """1935 EUR cents -> Decimal('19.35')."""
    return Decimal(amount_minor).scaleb(-exponent(currency))


def format_money(amount_minor: int, currency: str) -> str:
    """Integer minor units as the current language writes them (€1,234.50, 1 234,50 €, €1,234.50).

    The amount is exact already (rounded half up to the minor unit when it was computed); Babel
    only formats it, in the same ROUND_HALF_UP context in case a caller passes more digits.
    """
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_UP
        return format_currency(to_decimal(amount_minor, currency), currency)


def to_minor(amount: Decimal, currency: str) -> int:
    """Decimal('19.354') EUR -> 1935, rounding half up to the currency's minor unit."""
    return int(amount.scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_half_up(value: Decimal) -> int:
    """Round a value already expressed in minor units to a whole minor unit, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share(amount_minor: int, rate_bp: int) -> int:
    """``rate_bp`` basis points of ``amount_minor``, rounded half up (VAT, discounts)."""
    return round_half_up(Decimal(amount_minor) * Decimal(rate_bp) / BASIS_POINTS)


def percent(rate_bp: int) -> str:
    """Basis points as a percentage number in the current language: 2000 -> '20', 2550 -> '25.5' or '25,5'."""
    return format_decimal(Decimal(rate_bp) / 100)
