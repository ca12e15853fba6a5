"""Typed domain errors; the web layer maps each to one HTTP status in web/errors.py."""


class DomainError(Exception):
    """Base of every foreseeable refusal; its message is safe to show (no PHI)."""

    code = "error"


class InvalidInput(DomainError):
    """Input that is malformed or names something unknown."""

    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """Absent, or not yours: the same answer (ASVS 8.2.2)."""

    code = "not_found"


class Conflict(DomainError):
    """The request clashes with what is stored (for example a taken username)."""

    code = "conflict"


class Forbidden(DomainError):
    """The actor may not do this."""

    code = "forbidden"


class AuthenticationFailed(DomainError):
    """Credentials did not prove who the person is."""

    code = "authentication_failed"


class Throttled(DomainError):
    """Too many failed attempts; try again after `retry_after` seconds."""

    code = "throttled"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuditUnavailable(DomainError):
    """The access log could not record the request, so nothing is done and no data leaves."""

    code = "audit_unavailable"


class Gone(DomainError):
    """The client's records were destroyed at the end of their retention period (crypto-shredded)."""

    code = "shredded"


class TooLarge(DomainError):
    """An upload is over the size limit."""

    code = "too_large"


class UnsupportedType(DomainError):
    """An upload is not a PDF, PNG or JPEG."""

    code = "unsupported_type"


class IntegrityFailure(DomainError):
    """Stored ciphertext failed to verify; the event is logged and nothing is shown (security.md A11)."""

    code = "integrity_failure"


class Defective(DomainError):
    """A request the rules refuse, with every problem (rule id, field, plain sentence)."""

    code = "defective"

    def __init__(self, message: str, problems: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.problems = problems


class DisclosureRefused(DomainError):
    """A disclosure the decision does not permit; carries the reasons."""

    code = "disclosure_refused"

    def __init__(self, message: str, problems: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.problems = problems


class RuleConflict(Conflict):
    """A step the request's state does not allow (409), with the rule it breaks (rule id, field, sentence)."""

    def __init__(self, message: str, problems: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.problems = problems
