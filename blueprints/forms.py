"""Forms shared by several pages."""

import uuid
from functools import cache

from babel import Locale
from flask_babel import format_number, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from blueprints.fields import EmailAddress, VatNumber
from domain.errors import DomainError
from domain.labels import LANGUAGES
from domain.models import PaymentMethod, RenewalMode
from domain.pricing import MAX_LICENSES, lazy_term
from domain.subscriptions import BusinessInfo

NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}


def country_choices() -> list[SelectChoice]:
    """ISO 3166 countries named in the reader's language (Babel's territories), for the country select."""
    return [SelectChoice("", _("Choose a country")), *_countries(str(get_locale() or "en"))]


@cache
def _countries(locale: str) -> list[SelectChoice]:
    names = Locale.parse(locale).territories
    countries = [(code, name) for code, name in names.items()
                 if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES]
    return [SelectChoice(code, name) for code, name in sorted(countries, key=lambda item: item[1])]


def country_field() -> SelectField:
    return SelectField(_l("Country"), choices=country_choices,
                       validators=[DataRequired(message=_l("Choose a country."))])


def show_error(form, error: DomainError) -> None:
    """Put a refused change's message next to the field it names, else at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    (field.errors if field is not None else form.form_errors).append(str(error))


def required_text(label: str, length: int) -> StringField:
    return StringField(label, validators=[DataRequired(message=_l("Required.")), Length(max=length)],
                       filters=[lambda v: v.strip() if isinstance(v, str) else v])


class BusinessInfoForm(FlaskForm):
    """A customer's business information: what invoices print and where they are sent."""

    name = required_text(_l("Company name"), 200)
    street = required_text(_l("Street"), 200)
    postal_code = required_text(_l("Postal code"), 20)
    city = required_text(_l("City"), 100)
    country = country_field()
    contact_name = required_text(_l("Contact name"), 200)
    contact_email = EmailField(_l("Contact e-mail"), validators=[DataRequired(message=_l("Required.")), Length(max=254),
                                                              EmailAddress()])
    billing_email = EmailField(_l("Billing e-mail"), validators=[DataRequired(message=_l("Required.")), Length(max=254),
                                                              EmailAddress()])
    vat_number = StringField(_l("VAT number (optional, EU)"), validators=[Optional(), Length(max=30), VatNumber()],
                             description=_l("For VAT deduction within the EU: the customer's own VAT number."))
    po_reference = StringField(_l("Purchase order reference (optional)"), validators=[Optional(), Length(max=80)])
    locale = SelectField(_l("Language of invoices and e-mails"),
                         choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
                         default=lambda: str(get_locale() or "en"),
                         description=_l("The billing contact receives invoices, legal mentions included, "
                                        "and e-mails in this language."))

    def business_info(self) -> BusinessInfo:
        return BusinessInfo(
            name=self.name.data, street=self.street.data, postal_code=self.postal_code.data, city=self.city.data,
            country=self.country.data, contact_name=self.contact_name.data, contact_email=self.contact_email.data,
            billing_email=self.billing_email.data, vat_number=self.vat_number.data or None,
            po_reference=(self.po_reference.data or "").strip() or None, locale=self.locale.data)


class LicenseCountField(IntegerField):
    """A number of licenses; anything but a whole number is refused with one clear message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Enter a whole number of licenses, for example 5.")) from error

    def post_validate(self, form, validation_stopped):
        if self.process_errors:
            self.errors = list(self.process_errors)  # the range check has nothing to add to that


def license_range() -> NumberRange:
    """Between 1 and MAX_LICENSES licenses, the limit written as the page's language writes numbers."""
    return NumberRange(1, MAX_LICENSES, message=_l("Choose between 1 and %(max)s licenses.",
                                                   max=LazyString(format_number, MAX_LICENSES)))


def license_count(label: str, default: int) -> LicenseCountField:
    """A number of licenses between 1 and MAX_LICENSES."""
    return LicenseCountField(label, default=default, validators=[
        InputRequired(message=_l("Enter a number of licenses.")), license_range()])


class OrderForm(FlaskForm):
    """What every purchase form carries: how to pay, and the key that makes a resubmission one order."""

    payment_method = RadioField(_l("Payment"), default=PaymentMethod.CARD.value,
                                choices=[SelectChoice(PaymentMethod.CARD.value, _l("Card")),
                                         SelectChoice(PaymentMethod.BANK_TRANSFER.value,
                                                      _l("Bank transfer (invoice)"))],
                                validators=[DataRequired(message=_l("Choose how to pay."))])
    # Never shown; labelled so that WTForms does not derive a label through its own catalogue, which
    # Flask-WTF reads from disk again on every request that asks it for a string.
    idempotency_key = HiddenField(label="", default=lambda: uuid.uuid4().hex,
                                  validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])


class TermOrderForm(OrderForm):
    """A purchase of a whole term (Create, a new start): 1 or 12 months, and how to pay."""

    term_months = RadioField(_l("Term"), coerce=int, default=12,
                             choices=[SelectChoice(1, lazy_term(1)), SelectChoice(12, lazy_term(12))],
                             validators=[InputRequired(message=_l("Choose 1 or 12 months."))])

    def fix_term_for_bank_transfer(self) -> bool:
        """Bank transfer is yearly (R2): set 12 months; True when that changed the choice."""
        if self.payment_method.data == PaymentMethod.BANK_TRANSFER.value and self.term_months.data != 12:
            self.term_months.data = 12
            return True
        return False


class RenewalForm(FlaskForm):
    """How the subscription renews at the end of its term (R5: fewer licenses only then)."""

    mode = RadioField(_l("At the end of the term"), default=RenewalMode.SAME.value, choices=[
        SelectChoice(RenewalMode.SAME.value, _l("Renew with the same number of licenses")),
        SelectChoice(RenewalMode.ASSIGNED.value, _l("Renew with the licenses actually assigned")),
        SelectChoice(RenewalMode.NUMBER.value, _l("Renew with this number of licenses:")),
        SelectChoice(RenewalMode.CANCEL.value, _l("Cancel at the end of the term")),
    ], validators=[InputRequired(message=_l("Choose how the subscription renews."))])
    renewal_licenses = IntegerField(_l("Licenses at renewal"), validators=[Optional(), license_range()])
