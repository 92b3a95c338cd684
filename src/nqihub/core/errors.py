"""Domain errors: one base class the API maps to 4xx and the HTML views show as a message."""


class DomainError(Exception):
    """A business rule refused the action. ``field`` names the input at fault, where there is one."""

    status = 409

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """Input is malformed: maps to 422, field-level."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field)


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    """The user may not do this (``core.policy``): maps to 403."""

    status = 403


class IllegalTransition(DomainError):
    """The record's state does not allow this action (a workflow refused it): maps to 409."""

    status = 409
