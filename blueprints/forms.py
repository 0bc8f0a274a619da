"""Forms shared by several pages."""

from functools import cache

from babel import Locale
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from blueprints.fields import EmailAddress
from domain import vat
from domain.errors import DomainError
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


def _required(label: str, length: int):
    return StringField(label, validators=[DataRequired(message="Required."), Length(max=length)],
                       filters=[lambda v: v.strip() if isinstance(v, str) else v])


class BusinessInfoForm(FlaskForm):
    """A customer's business information: what invoices print and where they are sent."""

    name = _required("Company name", 200)
    street = _required("Street", 200)
    postal_code = _required("Postal code", 20)
    city = _required("City", 100)
    country = SelectField("Country", choices=country_choices, validators=[DataRequired(message="Choose a country.")])
    contact_name = _required("Contact name", 200)
    contact_email = EmailField("Contact e-mail", validators=[DataRequired(message="Required."), Length(max=254),
                                                              EmailAddress()])
    billing_email = EmailField("Billing e-mail", validators=[DataRequired(message="Required."), Length(max=254),
                                                              EmailAddress()])
    vat_number = StringField("VAT number (optional, EU)", validators=[Optional(), Length(max=30)],
                             description="For VAT deduction within the EU: the customer's own VAT number.")
    po_reference = StringField("Purchase order reference (optional)", validators=[Optional(), Length(max=80)])

    def validate_vat_number(self, field):
        if self.country.data:
            try:
                field.data = vat.normalise_vat_number(field.data, self.country.data)
            except DomainError as error:
                raise ValidationError(str(error)) from error

    def business_info(self) -> BusinessInfo:
        return BusinessInfo(
            name=self.name.data, street=self.street.data, postal_code=self.postal_code.data, city=self.city.data,
            country=self.country.data, contact_name=self.contact_name.data, contact_email=self.contact_email.data,
            billing_email=self.billing_email.data, vat_number=self.vat_number.data or None,
            po_reference=(self.po_reference.data or "").strip() or None)
