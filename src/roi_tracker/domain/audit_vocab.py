"""The access-log vocabulary: actions, outcomes, and the canonical form an entry's MAC covers."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Action(StrEnum):
    """What happened, from a fixed list; details are identifiers, never PHI (security.md B1)."""

    SIGNIN_SUCCEEDED = "auth:signin:succeeded"
    SIGNIN_FAILED = "auth:signin:failed"
    SIGNIN_THROTTLED = "auth:signin:throttled"
    MFA_SUCCEEDED = "auth:mfa:succeeded"
    MFA_FAILED = "auth:mfa:failed"
    MFA_ENROLLED = "auth:mfa:enrolled"
    RECOVERY_CODE_USED = "auth:recovery_code:used"
    SIGNOUT = "auth:signout"
    SESSION_EXPIRED = "auth:session:expired"
    TOKEN_REJECTED = "auth:token:rejected"  # nosec B105  # an action name, not a password
    PASSWORD_CHANGED = "user:password:changed"  # nosec B105  # an action name, not a password
    PASSWORD_RESET = "user:password:reset"  # nosec B105  # an action name, not a password
    USER_CREATED = "user:created"
    USER_ROLE_CHANGED = "user:role:changed"
    USER_DISABLED = "user:disabled"
    USER_ENABLED = "user:enabled"
    USER_MFA_RESET = "user:mfa:reset"
    TOKEN_ISSUED = "user:token:issued"  # nosec B105  # an action name, not a password
    ACCESS_DENIED = "access:denied"
    CLIENT_RECORD_READ = "client:record:read"
    CLIENT_RECORD_WRITTEN = "client:record:written"
    CLIENT_SEARCHED = "client:search"
    CLIENT_SHREDDED = "client:shredded"
    DOCUMENT_UPLOADED = "document:uploaded"
    DOCUMENT_READ = "document:read"
    KEYS_RETIRED = "keys:retired"
    RECIPIENT_CREATED = "recipient:created"
    AUTHORIZATION_RECORDED = "authorization:recorded"
    AUTHORIZATION_READ = "authorization:read"
    AUTHORIZATION_REVOKED = "authorization:revoked"
    AUTHORIZATION_EXPIRY_EVENT = "authorization:expiry_event"
    DISCLOSURE_RECORDED = "disclosure:recorded"
    PACKET_DOWNLOADED = "disclosure:packet:downloaded"
    STEP_UP_FAILED = "auth:stepup:failed"
    EXCEPTION_RECORDED = "exception:recorded"
    EXCEPTION_READ = "exception:read"
    EXCEPTION_REVIEWED = "exception:reviewed"
    EMERGENCY_STARTED = "emergency:access:started"
    EMERGENCY_ENDED = "emergency:access:ended"
    EMERGENCY_REVIEWED = "emergency:access:reviewed"
    ACCOUNTING_PRODUCED = "accounting:produced"
    ACCOUNTING_REQUESTED = "accounting:requested"
    ACCOUNTING_EXTENDED = "accounting:extended"
    ACCOUNTING_DELIVERED = "accounting:delivered"
    ACCOUNTING_SUSPENDED = "accounting:suspended"
    FHIR_EXPORTED = "fhir:exported"
    DISCLOSURE_CHECK = "disclosure:check"
    KEYS_ROTATED = "keys:rotated"
    AUDIT_READ = "audit:read"
    AUDIT_EXPORTED = "audit:exported"
    AUDIT_VERIFIED = "audit:verified"
    AUDIT_CHECKPOINT = "audit:checkpoint"
    AUDIT_REVIEWED = "audit:reviewed"
    MAINTENANCE_RUN = "maintenance:run"
    BACKUP_CREATED = "backup:created"
    BACKUP_RESTORED = "backup:restored"
    KEYS_EXPORTED = "keys:exported"
    DISCLOSURE_PAST_RECORDED = "disclosure:past:recorded"
    DISCLOSURE_FLAGGED = "disclosure:flagged:impermissible"
    CLIENT_PART2_CHANGED = "client:part2:changed"
    CASELOAD_CHANGED = "client:caseload:changed"
    REMINDER_SENT = "reminder:sent"
    USER_EMAIL_CHANGED = "user:email:changed"
    USER_REMINDERS_CHANGED = "user:reminders:changed"
    FORM_TEMPLATE_CREATED = "form_template:created"
    RELEASE_FORM_READ = "authorization:form:read"
    SIGNING_ENDED = "authorization:signing:ended"
    INCIDENT_REPORTED = "incident:reported"
    INCIDENT_READ = "incident:read"
    INCIDENT_ASSESSED = "incident:assessed"
    INCIDENT_NOTICE_PRODUCED = "incident:notice:produced"
    INCIDENT_NOTICE_SENT = "incident:notice:sent"
    INCIDENT_LOG_EXPORTED = "incident:hhs_log:exported"
    RECIPIENT_UPDATED = "recipient:updated"
    RECIPIENT_MERGED = "recipient:merged"
    RECIPIENT_ARCHIVED = "recipient:archived"
    ACCOUNTING_GIVEN_READ = "accounting:given:read"
    # The request desk: the contract names these `request.*` (interface.md, requests for records).
    REQUEST_RECEIVED = "request.received"
    REQUEST_LISTED = "request.listed"
    REQUEST_READ = "request.read"
    REQUEST_EXTENDED = "request.extended"
    REQUEST_FULFILLED = "request.fulfilled"
    REQUEST_DENIED = "request.denied"
    REQUEST_REVIEWED = "request.reviewed"
    REQUEST_WITHDRAWN = "request.withdrawn"
    REQUEST_LETTER_READ = "request.letter.read"
    REQUEST_FEE_RECORDED = "request.fee.recorded"
    REQUEST_QA_CONFIRMED = "request.qa.confirmed"


class Outcome(StrEnum):
    """How the request ended."""

    ALLOWED = "allowed"
    REFUSED = "refused"
    ERROR = "error"
    INTEGRITY_FAILURE = "integrity_failure"


GENESIS_MAC = bytes(32)


@dataclass(frozen=True, slots=True)
class Entry:
    """One access-log entry as the chain sees it."""

    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str
    client_id: str
    outcome: str
    basis: str
    request_id: str
    key_id: str


def canonical(entry: Entry) -> bytes:
    """Encode an entry deterministically: each field length-prefixed, so no two entries share bytes."""
    at = entry.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    parts = (
        str(entry.seq),
        at,
        entry.actor,
        entry.role,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.client_id,
        entry.outcome,
        entry.basis,
        entry.request_id,
        entry.key_id,
    )
    out = bytearray()
    for part in parts:
        raw = part.encode("utf-8")
        out += len(raw).to_bytes(4, "big")
        out += raw
    return bytes(out)
