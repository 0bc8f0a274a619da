"""Form validators shared by the blueprints; they call the domain's own checks."""

from wtforms.validators import ValidationError

from domain.accounts import validate_address
from domain.errors import DomainError


class EmailAddress:
    """Validate and normalise an e-mail address in place (syntax only, no DNS lookup)."""

    def __call__(self, form, field):
        try:
            field.data = validate_address(field.data or "")
        except DomainError as error:
            raise ValidationError(str(error)) from error
