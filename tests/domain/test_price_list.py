"""pricing.price(): the vendor's price list, the R3 discount rule and the optional VIES check together."""

from datetime import date

import pytest

from app import db
from domain import pricing, vat
from domain.errors import DomainError

ON = date(2026, 11, 22)


def price(customer_id=None, country="FR", vat_number="FR61954506077", licenses=5, months=12):
    return pricing.price(reseller_discount_bp=2000, country=country, vat_number=vat_number, licenses=licenses,
                         months=months, on=ON, customer_id=customer_id)


def test_a_new_installation_without_a_price_list_says_so(app):
    with pytest.raises(DomainError, match="not set its prices"):
        price()


def test_the_reseller_discount_applies_until_the_customer_has_its_own_administrator(make):
    make.seller()
    customer = make.customer(make.reseller(discount_bp=2000))
    assert price(customer.id).discount_bp == 2000
    admin = make.customer_admin(customer)
    assert price(customer.id).discount_bp == 0 and price(customer.id).net_minor == 5 * 12 * 1000
    from domain.models import CustomerAdmin

    db.session.delete(db.session.query(CustomerAdmin).filter_by(user_id=admin.id).one())
    db.session.commit()
    assert price(customer.id).discount_bp == 2000


def test_with_vies_off_the_offline_check_is_enough_for_reverse_charge(make, monkeypatch):
    make.seller(vies_enabled=False)
    monkeypatch.setattr(vat, "check_vies", lambda number: pytest.fail("VIES must not be asked"))
    assert price().vat.treatment == "reverse_charge"


@pytest.mark.parametrize("vies_answer, treatment, vat_minor", [(True, "reverse_charge", 0),
                                                                (False, "destination", 9600)])
def test_with_vies_on_reverse_charge_needs_its_confirmation(make, monkeypatch, vies_answer, treatment, vat_minor):
    make.seller(vies_enabled=True)
    asked = []
    monkeypatch.setattr(vat, "check_vies", lambda number: asked.append(number) or vies_answer)
    quote = price()
    assert asked == ["FR61954506077"]
    assert (quote.vat.treatment, quote.vat_minor) == (treatment, vat_minor)


def test_vies_is_not_asked_for_a_domestic_sale_or_without_a_number(make, monkeypatch):
    make.seller(vies_enabled=True)
    monkeypatch.setattr(vat, "check_vies", lambda number: pytest.fail("VIES must not be asked"))
    assert price(country="DE", vat_number="DE136695976").vat.treatment == "domestic"
    assert price(vat_number=None).vat.treatment == "destination"


def test_an_unreachable_vies_does_not_confirm(monkeypatch):
    from stdnum.eu import vat as eu_vat

    def down(number, timeout):
        raise OSError("network unreachable")

    monkeypatch.setattr(eu_vat, "check_vies", down)
    assert vat.check_vies("FR61954506077") is False
