"""One family of application errors, mapped to form errors on pages and to
``{"message", "fields"}`` with a 4xx status in the API."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status_code = 400
    default_message = _("The request could not be processed.")

    def __init__(self, message: str | None = None, fields: dict[str, list[str]] | None = None):
        self.message = str(message or self.default_message)
        self.fields = fields or {}
        super().__init__(self.message)

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> ApplicationError:
        if hasattr(error, "error_dict"):
            fields = {
                ("non_field_errors" if name == NON_FIELD_ERRORS else name): [str(m) for m in msgs]
                for name, msgs in error.message_dict.items()
            }
            first = next(iter(fields.values()))[0]
            return cls(first, fields)
        return cls(error.messages[0], {"non_field_errors": [str(m) for m in error.messages]})


class InvalidInput(ApplicationError):
    """Input that breaks a rule; nothing was stored."""

    default_message = _("Some fields need correcting.")

    @classmethod
    def on(cls, field: str, message: str) -> InvalidInput:
        """One field refused with one message, which is also the error's message."""
        return cls(message, {field: [message]})


class Conflict(ApplicationError):
    status_code = 409
    default_message = _("The request conflicts with the current state.")


class NotFound(ApplicationError):
    """Does not exist, or is not visible to the caller: the two are answered the same."""

    status_code = 404
    default_message = _("Not found.")
