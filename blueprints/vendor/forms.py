"""The vendor's billing forms: statements, payments by hand, assignments, dismissals, credit notes."""

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from blueprints.fields import EmailAddress, VatNumber
from blueprints.forms import country_field, required_text
from domain.models import Reseller
from domain.resellers import ResellerTerms

MAX_AMOUNT = Decimal("10000000")


def _cents(form, field):
    """At most two decimals, checked on a value the field's range accepted (1e309 cannot be rounded to cents)."""
    if field.data is not None and not field.errors and field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError(_("At most two decimals."))


def amount_field(label: str, **kwargs) -> DecimalField:
    return DecimalField(label, places=2, validators=[
        InputRequired(message=_l("Enter an amount.")),
        NumberRange(min=Decimal("0.01"), max=MAX_AMOUNT, message=_l("Between 0.01 and 10,000,000.")), _cents], **kwargs)


class StatementForm(FlaskForm):
    statement = FileField(_l("Bank statement (CAMT.053 XML or MT940)"),
                          validators=[FileRequired(message=_l("Choose the statement file."))])


class PaymentForm(FlaskForm):
    amount = amount_field(_l("Amount received"))
    received_on = DateField(_l("Received on"), validators=[InputRequired(message=_l("Enter the date."))])
    reference = StringField(_l("Reference"), validators=[DataRequired(message=_l("Say where the money came from.")),
                                                     Length(max=140)])


class AssignForm(FlaskForm):
    invoice = StringField(_l("Invoice number"), validators=[DataRequired(message=_l("Enter the invoice number.")),
                                                        Length(max=20)])


class DismissForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(message=_l("Say why the line is dismissed.")),
                                               Length(max=300)])


class CreditForm(FlaskForm):
    amount = amount_field(_l("Net amount to credit"), description=_l("VAT is added as on the invoice."))
    reason = StringField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason for the credit note.")),
                                               Length(max=500)])


def _limit(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=10_000_000,
                                                                   message=_l("A whole number from 0, or empty."))],
                        description=_l("Empty: unlimited."))


class ResellerForm(FlaskForm):
    """A reseller's company data, discount and limits (seed 003: Allowed Organizations, Allowed Users)."""

    name = required_text(_l("Company name"), 200)
    street = required_text(_l("Street"), 200)
    postal_code = required_text(_l("Postal code"), 20)
    city = required_text(_l("City"), 100)
    country = country_field()
    vat_number = StringField(_l("VAT number (optional, EU)"), validators=[Optional(), Length(max=30), VatNumber()])
    contact_email = EmailField(_l("Contact e-mail"), validators=[DataRequired(message=_l("Required.")), EmailAddress()])
    billing_email = EmailField(_l("Billing e-mail"), validators=[DataRequired(message=_l("Required.")), EmailAddress()])
    discount = DecimalField(_l("Discount (%)"), places=2, default=Decimal("0"), validators=[
        InputRequired(message=_l("Enter a discount, 0 for none.")),
        NumberRange(min=0, max=100, message=_l("Between 0 and 100 %%.")), _cents],
        description=_l("Applies to purchases made after the change."))
    allowed_organizations = _limit(_l("Allowed Organizations"))
    allowed_users = _limit(_l("Allowed Users"))

    def terms(self) -> ResellerTerms:
        return ResellerTerms(
            name=self.name.data, street=self.street.data, postal_code=self.postal_code.data, city=self.city.data,
            country=self.country.data, vat_number=self.vat_number.data or None, contact_email=self.contact_email.data,
            billing_email=self.billing_email.data, discount_bp=int(self.discount.data * 100),
            allowed_organizations=self.allowed_organizations.data, allowed_users=self.allowed_users.data)

    @classmethod
    def of(cls, reseller: Reseller) -> "ResellerForm":
        return cls(formdata=None, obj=reseller, discount=Decimal(reseller.discount_bp) / 100)

    def show_usage(self, usage: dict) -> None:
        """Under each limit, what is in use now (``customers.reseller_usage``): a limit is set knowing what it
        would refuse."""
        for field, used in ((self.allowed_organizations, usage["organizations"]), (self.allowed_users, usage["users"])):
            field.description = _("In use now: %(num)s. Empty: unlimited.", num=used)


class NewResellerForm(ResellerForm):
    first_admin = EmailField(_l("First administrator's e-mail"), validators=[DataRequired(message=_l("Required.")),
                                                                         EmailAddress()],
                             description=_l("Receives an invitation to activate the account (valid 7 days)."))


class InviteAdminForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(message=_l("Required.")), EmailAddress()])


class SellerForm(FlaskForm):
    """The price list and the seller details every invoice prints (R1, art. 226)."""

    list_price = DecimalField(_l("List price per license per month"), places=2, validators=[
        InputRequired(message=_l("Enter the price.")), NumberRange(min=Decimal("0.01"), max=Decimal("100000"),
                                                               message=_l("Between 0.01 and 100,000.")), _cents])
    currency = SelectField(_l("Currency"), choices=[SelectChoice("EUR", _l("EUR (euro)"))],
                           description=_l("Bank transfers use SEPA, so invoices are in euros."))
    legal_name = required_text(_l("Legal name"), 200)
    street = required_text(_l("Street"), 200)
    postal_code = required_text(_l("Postal code"), 20)
    city = required_text(_l("City"), 100)
    country = country_field()
    vat_number = StringField(_l("VAT number"), validators=[DataRequired(message=_l("Required on every invoice.")),
                                                       Length(max=30), VatNumber()])
    iban = StringField(_l("IBAN"), validators=[DataRequired(message=_l("Required.")), Length(max=42)])
    bic = StringField(_l("BIC"), validators=[DataRequired(message=_l("Required.")), Length(max=11)])
    invoice_footer = TextAreaField(_l("Invoice footer"), validators=[Optional(), Length(max=1000)],
                                   description=_l("Register, court, managing directors: what invoices must show."))
    logo = FileField(_l("Logo (SVG, optional)"),
                     description=_l("Printed at the top of invoices. Leave empty to keep the current one."))
    vies_enabled = BooleanField(_l("Check EU VAT numbers with VIES before granting reverse charge"))
