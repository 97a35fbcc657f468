"""The refusal of a transactional request, naming the field at fault."""

from newsletter.errors import DomainError


class TransactionalError(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
