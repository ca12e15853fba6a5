"""Roles, the permission vocabulary and the one table that grants permissions to roles."""

from enum import StrEnum


class Role(StrEnum):
    """The four kinds of user; each user has exactly one."""

    CLINICIAN = "clinician"
    FRONT_DESK = "front_desk"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Permission(StrEnum):
    """What a route or use case needs, named `resource:action`."""

    HOME_VIEW = "home:view"
    ACCOUNT_MANAGE = "account:manage"
    USER_LIST = "user:list"
    USER_CREATE = "user:create"
    USER_UPDATE = "user:update"
    USER_DISABLE = "user:disable"
    AUDIT_READ = "audit:read"
    AUDIT_EXPORT = "audit:export"
    AUDIT_VERIFY = "audit:verify"
    AUDIT_REVIEW = "audit:review"
    CLIENT_CREATE = "client:create"
    CLIENT_SEARCH = "client:search"
    CLIENT_READ = "client:record:read"
    CLIENT_UPDATE = "client:record:update"
    CLIENT_DISCHARGE = "client:discharge"
    DOCUMENT_UPLOAD = "document:upload"
    DOCUMENT_READ = "document:read"
    RECIPIENT_CREATE = "recipient:create"
    RECIPIENT_READ = "recipient:read"
    RECIPIENT_UPDATE = "recipient:update"
    CLIENT_MINOR_CONSENT_UPDATE = "client:minor_consent:update"
    AUTHORIZATION_RECORD = "authorization:record"
    AUTHORIZATION_READ = "authorization:read"
    AUTHORIZATION_REVOKE = "authorization:revoke"
    DISCLOSURE_CHECK = "disclosure:check"
    DISCLOSURE_RECORD = "disclosure:record"
    DISCLOSURE_TO_CLIENT = "disclosure:to_client:record"
    PACKET_READ = "disclosure:packet:read"
    EXCEPTION_RECORD = "exception:record"
    EXCEPTION_READ = "exception:read"
    EXCEPTION_REVIEW = "exception:review"
    EMERGENCY_ACCESS = "emergency:access"
    ACCOUNTING_PRODUCE = "accounting:produce"
    ACCOUNTING_MANAGE = "accounting:manage"
    FHIR_EXPORT = "fhir:export"
    DISCLOSURE_RECORD_PAST = "disclosure:past:record"
    CLIENT_PART2_UPDATE = "client:part2:update"
    CLIENT_CASELOAD_UPDATE = "client:caseload:update"
    FORM_TEMPLATE_READ = "form_template:read"
    FORM_TEMPLATE_MANAGE = "form_template:manage"
    INCIDENT_READ = "incident:read"
    INCIDENT_ASSESS = "incident:assess"
    INCIDENT_NOTIFY = "incident:notify"
    REQUEST_CREATE = "request:create"
    REQUEST_READ = "request:read"
    REQUEST_ANSWER = "request:answer"
    REQUEST_REVIEW = "request:review"


class Access(StrEnum):
    """Route markers for what needs no permission: public pages and any signed-in person."""

    PUBLIC = "public"
    SIGNED_IN = "signed_in"


_EVERYONE = frozenset({Permission.HOME_VIEW, Permission.ACCOUNT_MANAGE})

# The one grant table. What is not listed here is denied (deny by default, ASVS 8.2.1).
_CLIENTS = frozenset(
    {
        Permission.CLIENT_CREATE,
        Permission.CLIENT_SEARCH,
        Permission.CLIENT_READ,
        Permission.CLIENT_UPDATE,
        Permission.RECIPIENT_CREATE,
        Permission.RECIPIENT_READ,
        Permission.RECIPIENT_UPDATE,
        Permission.AUTHORIZATION_READ,
        Permission.DISCLOSURE_CHECK,
        Permission.DISCLOSURE_RECORD,
        Permission.PACKET_READ,
        Permission.DISCLOSURE_RECORD_PAST,
        # The request desk (issue 18): the front desk's home; clinicians only for their caseload.
        Permission.REQUEST_CREATE,
        Permission.REQUEST_READ,
        Permission.REQUEST_ANSWER,
    }
)

GRANTS: dict[Role, frozenset[Permission]] = {
    # Clinicians: only their caseload, checked in the service (a client not theirs reads as missing).
    Role.CLINICIAN: _EVERYONE
    | _CLIENTS
    | {
        Permission.CLIENT_DISCHARGE,
        Permission.DOCUMENT_UPLOAD,
        Permission.DOCUMENT_READ,
        Permission.AUTHORIZATION_RECORD,
        Permission.AUTHORIZATION_REVOKE,
        Permission.DISCLOSURE_TO_CLIENT,
        Permission.EXCEPTION_RECORD,
        Permission.EMERGENCY_ACCESS,
        Permission.ACCOUNTING_PRODUCE,
        Permission.FHIR_EXPORT,
        # A client's Part 2 status and caseload are clinical acts, never the front desk's (issue 15 item 2).
        Permission.CLIENT_PART2_UPDATE,
        Permission.CLIENT_MINOR_CONSENT_UPDATE,
        Permission.CLIENT_CASELOAD_UPDATE,
        Permission.FORM_TEMPLATE_READ,
        # A denial's review goes to a licensed professional who took no part in it (H-A9).
        Permission.REQUEST_REVIEW,
    },
    # The front desk: demographics of any client, never clinical content or documents.
    Role.FRONT_DESK: _EVERYONE | _CLIENTS,
    Role.AUDITOR: _EVERYONE
    | {
        Permission.AUDIT_READ,
        Permission.AUDIT_EXPORT,
        Permission.AUDIT_VERIFY,
        Permission.AUDIT_REVIEW,
        Permission.EXCEPTION_READ,
        Permission.EXCEPTION_REVIEW,
        Permission.ACCOUNTING_PRODUCE,
        Permission.ACCOUNTING_MANAGE,
        Permission.FHIR_EXPORT,
        # The privacy officer assesses incidents and sends the notices (H-B3, H-B4); anyone may report one.
        Permission.INCIDENT_READ,
        Permission.INCIDENT_ASSESS,
        Permission.INCIDENT_NOTIFY,
        Permission.REQUEST_READ,
    },
    Role.ADMIN: _EVERYONE
    | {Permission.USER_LIST, Permission.USER_CREATE, Permission.USER_UPDATE, Permission.USER_DISABLE}
    # The practice's form wording is an administrator's (issue 20); it holds no client data.
    | {Permission.FORM_TEMPLATE_READ, Permission.FORM_TEMPLATE_MANAGE},
}


def parse_role(value: str) -> Role:
    """Return the role named by `value`, refusing anything unknown."""
    try:
        return Role(value)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise UnknownRoleError(f"unknown role {value!r}; expected one of {known}") from None


def is_granted(role: str, permission: Permission) -> bool:
    """Tell whether `role` holds `permission`; an unknown role holds nothing."""
    try:
        known = Role(role)
    except ValueError:
        return False
    return permission in GRANTS[known]


class UnknownRoleError(ValueError):
    """A role name outside the vocabulary."""
