"""Forms shared by several pages."""

import uuid
from functools import cache

from babel import Locale
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from blueprints.fields import EmailAddress, VatNumber
from domain.errors import DomainError
from domain.models import PaymentMethod, RenewalMode
from domain.pricing import MAX_LICENSES
from domain.subscriptions import BusinessInfo

NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}


@cache
def country_choices() -> list[SelectChoice]:
    """ISO 3166 countries by English name (Babel's territories), for the country select."""
    names = Locale("en").territories
    countries = [(code, name) for code, name in names.items()
                 if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES]
    return [SelectChoice("", "Choose a country")] + [SelectChoice(code, name)
                                                     for code, name in sorted(countries, key=lambda item: item[1])]


def show_error(form, error: DomainError) -> None:
    """Put a refused change's message next to the field it names, else at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    (field.errors if field is not None else form.form_errors).append(str(error))


def required_text(label: str, length: int) -> StringField:
    return StringField(label, validators=[DataRequired(message="Required."), Length(max=length)],
                       filters=[lambda v: v.strip() if isinstance(v, str) else v])


class BusinessInfoForm(FlaskForm):
    """A customer's business information: what invoices print and where they are sent."""

    name = required_text("Company name", 200)
    street = required_text("Street", 200)
    postal_code = required_text("Postal code", 20)
    city = required_text("City", 100)
    country = SelectField("Country", choices=country_choices, validators=[DataRequired(message="Choose a country.")])
    contact_name = required_text("Contact name", 200)
    contact_email = EmailField("Contact e-mail", validators=[DataRequired(message="Required."), Length(max=254),
                                                              EmailAddress()])
    billing_email = EmailField("Billing e-mail", validators=[DataRequired(message="Required."), Length(max=254),
                                                              EmailAddress()])
    vat_number = StringField("VAT number (optional, EU)", validators=[Optional(), Length(max=30), VatNumber()],
                             description="For VAT deduction within the EU: the customer's own VAT number.")
    po_reference = StringField("Purchase order reference (optional)", validators=[Optional(), Length(max=80)])

    def business_info(self) -> BusinessInfo:
        return BusinessInfo(
            name=self.name.data, street=self.street.data, postal_code=self.postal_code.data, city=self.city.data,
            country=self.country.data, contact_name=self.contact_name.data, contact_email=self.contact_email.data,
            billing_email=self.billing_email.data, vat_number=self.vat_number.data or None,
            po_reference=(self.po_reference.data or "").strip() or None)


class LicenseCountField(IntegerField):
    """A number of licenses; anything but a whole number is refused with one clear message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a whole number of licenses, for example 5.") from error

    def post_validate(self, form, validation_stopped):
        if self.process_errors:
            self.errors = list(self.process_errors)  # the range check has nothing to add to that


def license_count(label: str, default: int) -> LicenseCountField:
    """A number of licenses between 1 and MAX_LICENSES."""
    return LicenseCountField(label, default=default, validators=[
        InputRequired(message="Enter a number of licenses."),
        NumberRange(1, MAX_LICENSES, message=f"Choose between 1 and {MAX_LICENSES:,} licenses.")])


class OrderForm(FlaskForm):
    """What every purchase form carries: how to pay, and the key that makes a resubmission one order."""

    payment_method = RadioField("Payment", default=PaymentMethod.CARD.value,
                                choices=[SelectChoice(PaymentMethod.CARD.value, "Card"),
                                         SelectChoice(PaymentMethod.BANK_TRANSFER.value, "Bank transfer (invoice)")],
                                validators=[DataRequired(message="Choose how to pay.")])
    idempotency_key = HiddenField(default=lambda: uuid.uuid4().hex,
                                  validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])


class RenewalForm(FlaskForm):
    """How the subscription renews at the end of its term (R5: fewer licenses only then)."""

    mode = RadioField("At the end of the term", default=RenewalMode.SAME.value, choices=[
        SelectChoice(RenewalMode.SAME.value, "Renew with the same number of licenses"),
        SelectChoice(RenewalMode.ASSIGNED.value, "Renew with the licenses actually assigned"),
        SelectChoice(RenewalMode.NUMBER.value, "Renew with this number of licenses:"),
        SelectChoice(RenewalMode.CANCEL.value, "Cancel at the end of the term"),
    ], validators=[InputRequired(message="Choose how the subscription renews.")])
    renewal_licenses = IntegerField("Licenses at renewal", validators=[
        Optional(), NumberRange(min=1, max=MAX_LICENSES, message=f"Between 1 and {MAX_LICENSES}.")])
