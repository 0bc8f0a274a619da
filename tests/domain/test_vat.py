"""VAT numbers, the decision table and the dated rates (R7), with the vectors of billing-rules.md 7.1."""

from datetime import date

import pytest

from domain import vat
from domain.errors import DomainError
from domain.seller import validate_bank_details

ON = date(2026, 11, 22)


@pytest.mark.parametrize("raw, country, expected", [
    ("DE136695976", "DE", "DE136695976"),
    ("DE 136,695 976", "DE", "DE136695976"),
    ("FR 61 954 506 077", "FR", "FR61954506077"),
    ("ATU 57194903", "AT", "ATU57194903"),
    ("BE697449992", "BE", "BE0697449992"),
    ("BE0897290877", "BE", "BE0897290877"),
    ("NL004495445B01", "NL", "NL004495445B01"),
    ("IT00743110157", "IT", "IT00743110157"),
    ("ESA78109592", "ES", "ESA78109592"),
    ("EL094501040", "GR", "EL094501040"),
    ("el 094 501 040", "GR", "EL094501040"),
    ("GR094501040", "GR", "EL094501040"),
    ("PL5261025421", "PL", "PL5261025421"),
    ("IE6433435F", "IE", "IE6433435F"),
    ("SE556043606401", "SE", "SE556043606401"),
    ("DK10150817", "DK", "DK10150817"),
])
def test_valid_vat_numbers_are_accepted_in_compact_form(raw, country, expected):
    assert vat.normalise_vat_number(raw, country) == expected


@pytest.mark.parametrize("raw, country, message", [
    ("DE136695978", "DE", "check digits"),
    ("DE125014855", "DE", "check digits"),
    ("FR04409414264", "FR", "check digits"),
    ("ATU15169209", "AT", "check digits"),
    ("BE697449982", "BE", "check digits"),
    ("DE011125440", "DE", "format of a German"),
    ("NL009122746B00", "NL", "format of a Dutch"),
    ("ATU 151592092", "AT", "format of a Austrian"),
    ("QQ124567", "DE", "EU member state"),
    ("GB980780684", "DE", "EU member state"),
    ("CHE-116.281.710 MWST", "DE", "EU member state"),
    ("EU372022452", "DE", "OSS registration"),
    ("FR61954506077", "DE", "French VAT number, but the customer is in DE"),
    ("DE136695976", "US", "Only customers in the EU"),
])
def test_invalid_vat_numbers_are_refused_with_a_reason(raw, country, message):
    with pytest.raises(DomainError, match=message) as error:
        vat.normalise_vat_number(raw, country)
    assert error.value.field == "vat_number"


def test_an_empty_vat_number_is_none():
    assert vat.normalise_vat_number("  ", "DE") is None and vat.normalise_vat_number(None, "DE") is None


@pytest.mark.parametrize("country, number, vies, treatment, rate, reason", [
    ("DE", "DE136695976", None, "domestic", 1900, "German VAT 19 %"),
    ("DE", None, None, "domestic", 1900, "German VAT 19 %"),
    ("FR", "FR61954506077", None, "reverse_charge", 0, "Reverse charge: valid French VAT number FR61954506077"),
    ("FR", "FR61954506077", True, "reverse_charge", 0, "Reverse charge"),
    ("FR", "FR61954506077", False, "destination", 2000, "French VAT 20 % (VAT number not confirmed by VIES)"),
    ("FR", None, None, "destination", 2000, "French VAT 20 %"),
    ("SE", None, None, "destination", 2500, "Swedish VAT 25 %"),
    ("FI", None, None, "destination", 2550, "Finnish VAT 25.5 %"),
    ("US", None, None, "outside_eu", 0, "Outside the EU: no VAT"),
    ("NO", None, None, "outside_eu", 0, "Outside the EU: no VAT"),
])
def test_the_decision_table_for_a_german_seller(country, number, vies, treatment, rate, reason):
    decision = vat.decide(seller_country="DE", customer_country=country, vat_number=number, on=ON,
                          vies_confirmed=vies)
    assert (decision.treatment, decision.rate_bp) == (treatment, rate)
    assert decision.reason.startswith(reason)
    assert decision.category == vat.CATEGORY[treatment]
    assert decision.mention == vat.MENTION.get(treatment)


def test_the_reverse_charge_decision_carries_the_legal_mention():
    decision = vat.decide(seller_country="DE", customer_country="FR", vat_number="FR61954506077", on=ON)
    assert "Reverse charge" in decision.mention and "Art. 196" in decision.mention


@pytest.mark.parametrize("country, day, rate", [
    ("FI", date(2024, 8, 31), 2400), ("FI", date(2024, 9, 1), 2550),
    ("SK", date(2024, 12, 31), 2000), ("SK", date(2025, 1, 1), 2300),
    ("EE", date(2025, 6, 30), 2200), ("EE", date(2025, 7, 1), 2400),
    ("RO", date(2025, 7, 31), 1900), ("RO", date(2025, 8, 1), 2100),
    ("DE", ON, 1900), ("HU", ON, 2700), ("LU", ON, 1700),
])
def test_rates_come_from_the_dated_file_and_change_on_their_day(country, day, rate):
    assert vat.standard_rate(country, day) == rate


def test_every_member_state_has_a_rate_and_a_vat_name():
    assert len(vat._rates()) == 27 and set(vat._rates()) == set(vat.VAT_NAMES)


@pytest.mark.parametrize("iban, bic", [("DE89 3704 0044 0532 0130 00", "COBADEFFXXX"),
                                       ("BE72000000001616", "GEBABEBB"), ("FR1420041010050500013M02606", "PSSTFRPP"),
                                       ("NL91ABNA0417164300", "ABNANL2A")])
def test_valid_bank_details_are_accepted(iban, bic):
    assert validate_bank_details(iban, bic) == (iban.replace(" ", ""), bic)


@pytest.mark.parametrize("iban, bic, field", [
    ("DE89370400440532013001", "COBADEFFXXX", "iban"), ("DX89370400440532013000", "COBADEFFXXX", "iban"),
    ("DE89370400440532013", "COBADEFFXXX", "iban"), ("DE89370400440532013000", "ABCDXX12", "bic"),
    ("DE89370400440532013000", "INVALID!", "bic"),
])
def test_invalid_bank_details_are_refused(iban, bic, field):
    with pytest.raises(DomainError) as error:
        validate_bank_details(iban, bic)
    assert error.value.field == field
