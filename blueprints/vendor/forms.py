"""The vendor's billing forms: statements, payments by hand, assignments, dismissals, credit notes."""

from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, DecimalField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

MAX_AMOUNT = Decimal("10000000")


def _cents(form, field):
    if field.data is not None and field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError("At most two decimals.")


def amount_field(label: str, **kwargs) -> DecimalField:
    return DecimalField(label, places=2, validators=[
        InputRequired(message="Enter an amount."),
        NumberRange(min=Decimal("0.01"), max=MAX_AMOUNT, message="Between 0.01 and 10,000,000."), _cents], **kwargs)


class StatementForm(FlaskForm):
    statement = FileField("Bank statement (CAMT.053 XML or MT940)",
                          validators=[FileRequired(message="Choose the statement file.")])


class PaymentForm(FlaskForm):
    amount = amount_field("Amount received")
    received_on = DateField("Received on", validators=[InputRequired(message="Enter the date.")])
    reference = StringField("Reference", validators=[DataRequired(message="Say where the money came from."),
                                                     Length(max=140)])


class AssignForm(FlaskForm):
    invoice = StringField("Invoice number", validators=[DataRequired(message="Enter the invoice number."),
                                                        Length(max=20)])


class DismissForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(message="Say why the line is dismissed."),
                                               Length(max=300)])


class CreditForm(FlaskForm):
    amount = amount_field("Net amount to credit", description="VAT is added as on the invoice.")
    reason = StringField("Reason", validators=[DataRequired(message="Give the reason for the credit note."),
                                               Length(max=500)])
