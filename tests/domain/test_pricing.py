"""Quotes (R1, R3, R4) and money, with the vectors of billing-rules.md 7.5 that fit our rules."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import money, pricing, vat
from domain.errors import DomainError
from domain.periods import add_months

ON = date(2026, 11, 22)
DE_DOMESTIC = vat.decide(seller_country="DE", customer_country="DE", vat_number=None, on=ON)
FR_CONSUMER = vat.decide(seller_country="DE", customer_country="FR", vat_number=None, on=ON)
FR_REVERSE = vat.decide(seller_country="DE", customer_country="FR", vat_number="FR61954506077", on=ON)
US = vat.decide(seller_country="DE", customer_country="US", vat_number=None, on=ON)


def q(licenses=10, months=12, unit=1000, discount=2000, decision=DE_DOMESTIC):
    return pricing.quote(licenses=licenses, months=months, list_unit_minor=unit, currency="EUR",
                         discount_bp=discount, vat=decision)


def test_a_quote_lists_the_licenses_the_discount_and_the_vat():
    quote = q()
    assert [(line.kind, line.amount_minor) for line in quote.lines] == [("licenses", 120000), ("discount", -24000)]
    assert quote.lines[1].description == "Reseller discount 20 %"
    assert (quote.net_minor, quote.vat_minor, quote.gross_minor) == (96000, 18240, 114240)
    assert quote.vat.reason == "German VAT 19 %" and quote.unit_after_discount == Decimal(800)


def test_a_quote_cannot_be_changed():
    with pytest.raises(AttributeError):
        q().net_minor = 1


@pytest.mark.parametrize("net, decision, vat_minor, gross", [
    (1935, DE_DOMESTIC, 368, 2303),  # P2: 19.35 x 19 % = 3.6765 -> 3.68
    (1935, FR_CONSUMER, 387, 2322),  # P3
    (1935, FR_REVERSE, 0, 1935),  # P4
    (1935, US, 0, 1935),  # P5
])
def test_vat_on_the_billing_rules_vectors(net, decision, vat_minor, gross):
    line = pricing.Line("x", 1, 1, net, net, decision.rate_bp, "licenses")
    totals = pricing.vat_totals([line], decision.category)
    assert (totals[0].vat_minor, net + totals[0].vat_minor) == (vat_minor, gross)


def test_vat_is_computed_per_rate_on_the_total_not_per_line():
    """P7: two lines of 19.35 at 19 % give 7.35 (38.70 x 19 %), not 3.68 + 3.68."""
    lines = [pricing.Line("a", 1, 1, 1935, 1935, 1900, "licenses")] * 2
    assert [t.vat_minor for t in pricing.vat_totals(lines, "S")] == [735]


def test_nine_remaining_months_of_three_licenses_cost_216():
    """P10: list 10.00 a month, 20 % discount, 3 licenses for 9 months = 216.00 net."""
    assert q(licenses=3, months=9, decision=US).net_minor == 21600


@pytest.mark.parametrize("value, minor", [(Decimal("0.125"), 13), (Decimal("2.675"), 268), (Decimal("19.35"), 1935),
                                          (Decimal("1190.00"), 119000), (Decimal("19.354"), 1935)])
def test_amounts_round_half_up_to_minor_units(value, minor):
    """P12 and P13: half up, where floats and Babel's default (half even) would differ."""
    assert money.to_minor(value, "EUR") == minor
    assert money.to_decimal(minor, "EUR") == value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def test_currencies_keep_their_own_minor_unit():
    assert money.to_minor(Decimal("1234"), "JPY") == 1234 and money.to_minor(Decimal("1.2345"), "BHD") == 1235


@pytest.mark.parametrize("licenses, months", [(0, 12), (10_001, 12), (5, 0), (5, 13)])
def test_out_of_range_quantities_are_refused(licenses, months):
    with pytest.raises(DomainError):
        q(licenses=licenses, months=months)


# Proration (R4): remaining months of the period, on the period's own calendar, rounded up.
YEAR = (date(2026, 1, 1), date(2027, 1, 1))


@pytest.mark.parametrize("period, on, months", [
    (YEAR, date(2026, 11, 12), 2),  # 50 days left = 2 months (the seed's example)
    (YEAR, date(2026, 12, 31), 1),  # 1 day left = 1 month: the last day of the period
    (YEAR, date(2026, 12, 1), 1),
    (YEAR, date(2026, 11, 30), 2),
    (YEAR, date(2026, 1, 1), 12),  # the first day: the full term
    (YEAR, date(2026, 1, 2), 12),
    (YEAR, date(2026, 2, 1), 11),
    ((date(2026, 1, 31), date(2027, 1, 31)), date(2026, 2, 28), 11),  # 31st: Feb 28 is the first anniversary
    ((date(2026, 1, 31), date(2027, 1, 31)), date(2026, 2, 27), 12),
    ((date(2026, 1, 31), date(2027, 1, 31)), date(2026, 4, 30), 9),
    ((date(2026, 1, 31), date(2027, 1, 31)), date(2027, 1, 30), 1),
    ((date(2026, 3, 30), date(2027, 3, 30)), date(2027, 2, 28), 1),  # 30th through February
    ((date(2026, 3, 30), date(2027, 3, 30)), date(2027, 2, 27), 2),
    ((date(2027, 3, 29), date(2028, 3, 29)), date(2028, 2, 29), 1),  # leap year: Feb 29 2028 exists
    ((date(2027, 3, 29), date(2028, 3, 29)), date(2028, 2, 28), 2),
    ((date(2028, 2, 29), date(2029, 2, 28)), date(2028, 3, 29), 11),  # starts on a leap day
    ((date(2026, 1, 31), date(2026, 2, 28)), date(2026, 2, 27), 1),  # monthly term
    ((date(2026, 1, 31), date(2026, 2, 28)), date(2026, 1, 31), 1),
])
def test_remaining_months_round_up(period, on, months):
    assert pricing.remaining_months(*period, on) == months


@pytest.mark.parametrize("on", [date(2025, 12, 31), date(2027, 1, 1)])
def test_proration_refuses_a_day_outside_the_period(on):
    with pytest.raises(DomainError):
        pricing.remaining_months(*YEAR, on)


@given(start=st.dates(date(2020, 1, 1), date(2035, 12, 31)), term=st.sampled_from([1, 12]),
       offset=st.integers(0, 400))
def test_remaining_months_stay_between_one_and_the_term(start, term, offset):
    end = add_months(start, term)
    on = date.fromordinal(min(start.toordinal() + offset, end.toordinal() - 1))
    months = pricing.remaining_months(start, end, on)
    assert 1 <= months <= term
    assert add_months(start, term - months) <= on or months == term  # the months charged cover the time left


decisions = st.sampled_from([DE_DOMESTIC, FR_CONSUMER, FR_REVERSE, US,
                             vat.decide(seller_country="DE", customer_country="FI", vat_number=None, on=ON)])
quotes = st.builds(q, licenses=st.integers(1, 10_000), months=st.integers(1, 12), unit=st.integers(0, 100_000),
                   discount=st.integers(0, 10_000), decision=decisions)


@given(quotes)
def test_net_plus_vat_is_gross_and_nothing_is_negative(quote):
    assert quote.net_minor + quote.vat_minor == quote.gross_minor
    assert quote.net_minor >= 0 and quote.vat_minor >= 0 and quote.gross_minor >= 0
    assert sum(line.amount_minor for line in quote.lines) == quote.net_minor


@given(quotes)
def test_the_discount_never_exceeds_the_list_price(quote):
    assert 0 <= quote.discount_minor <= quote.list_minor


@given(st.integers(1, 9_999), st.integers(1, 12), st.integers(0, 100_000), st.integers(0, 10_000), decisions)
def test_more_licenses_never_cost_less(licenses, months, unit, discount, decision):
    fewer = q(licenses=licenses, months=months, unit=unit, discount=discount, decision=decision)
    more = q(licenses=licenses + 1, months=months, unit=unit, discount=discount, decision=decision)
    assert more.gross_minor >= fewer.gross_minor
