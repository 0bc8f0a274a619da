"""Form validators shared by the blueprints; they call the domain's own checks."""

from wtforms.validators import ValidationError

from domain import vat
from domain.accounts import validate_address
from domain.errors import DomainError


class EmailAddress:
    """Validate and normalise an e-mail address in place (syntax only, no DNS lookup)."""

    def __call__(self, form, field):
        try:
            field.data = validate_address(field.data or "")
        except DomainError as error:
            raise ValidationError(str(error)) from error


class VatNumber:
    """Check and normalise an EU VAT number in place against the form's ``country`` field (python-stdnum)."""

    def __call__(self, form, field):
        if form.country.data and field.data:
            try:
                field.data = vat.normalise_vat_number(field.data, form.country.data)
            except DomainError as error:
                raise ValidationError(str(error)) from error
