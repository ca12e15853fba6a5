"""Plain names for the codes the product stores (actions, categories, kinds), for every page people read."""

from __future__ import annotations

from wtforms import SelectChoice

from roi_tracker.domain.audit_vocab import Action

# Access-log actions a person recognises; an action not named here reads as its code's words.
ACTION_NAMES: dict[str, str] = {
    Action.SIGNIN_SUCCEEDED: "Signed in",
    Action.SIGNIN_FAILED: "Sign-in failed",
    Action.SIGNIN_THROTTLED: "Sign-in slowed after failures",
    Action.MFA_SUCCEEDED: "Second factor accepted",
    Action.MFA_FAILED: "Second factor refused",
    Action.MFA_ENROLLED: "Second factor set up",
    Action.RECOVERY_CODE_USED: "Recovery code used",
    Action.SIGNOUT: "Signed out",
    Action.SESSION_EXPIRED: "Session expired",
    Action.PASSWORD_CHANGED: "Password changed",
    Action.PASSWORD_RESET: "Password reset",
    Action.USER_CREATED: "User created",
    Action.ACCESS_DENIED: "Access denied",
    Action.CLIENT_RECORD_READ: "Client record read",
    Action.CLIENT_RECORD_WRITTEN: "Client record written",
    Action.CLIENT_SEARCHED: "Clients searched",
    Action.DOCUMENT_UPLOADED: "Document uploaded",
    Action.DOCUMENT_READ: "Document read",
    Action.RECIPIENT_CREATED: "Recipient added",
    Action.AUTHORIZATION_RECORDED: "Authorization recorded",
    Action.AUTHORIZATION_READ: "Authorization read",
    Action.AUTHORIZATION_REVOKED: "Authorization revoked",
    Action.AUTHORIZATION_EXPIRY_EVENT: "Authorization ended by its event",
    Action.DISCLOSURE_RECORDED: "Disclosure recorded",
    Action.PACKET_DOWNLOADED: "Release packet downloaded",
    Action.STEP_UP_FAILED: "Password confirmation failed",
    Action.EXCEPTION_RECORDED: "Exception recorded",
    Action.EXCEPTION_READ: "Exception read",
    Action.EXCEPTION_REVIEWED: "Exception reviewed",
    Action.EMERGENCY_STARTED: "Emergency access started",
    Action.EMERGENCY_ENDED: "Emergency access ended",
    Action.EMERGENCY_REVIEWED: "Emergency access reviewed",
    Action.ACCOUNTING_PRODUCED: "Accounting produced",
    Action.ACCOUNTING_REQUESTED: "Accounting requested",
    Action.DISCLOSURE_CHECK: "Disclosure checked",
    Action.AUDIT_READ: "Access log read",
    Action.AUDIT_EXPORTED: "Access log exported",
    Action.AUDIT_VERIFIED: "Access log verified",
    Action.DISCLOSURE_PAST_RECORDED: "Earlier disclosure entered",
    Action.DISCLOSURE_FLAGGED: "Disclosure flagged impermissible",
    Action.CASELOAD_CHANGED: "Caseload changed",
}
# Codes other than actions that reach a page or a PDF.
WORDS: dict[str, str] = {
    "part2": "Part 2",
    "part2_tpo": "Part 2 (treatment, payment and operations)",
    "part2_medical_emergency": "Part 2 medical emergency",
    "sud_counseling_notes": "SUD counseling notes",
    "hipaa": "HIPAA",
    "front_desk": "front desk",
}


def words(code: object) -> str:
    """Return a code in plain words ("exception:danger_to_others" reads "exception: danger to others")."""
    text = str(code or "")
    if text in ACTION_NAMES:
        return ACTION_NAMES[text]
    if text in WORDS:
        return WORDS[text]
    head, _, rest = text.partition(":")
    if rest:
        return f"{words(head)}: {words(rest)}"
    return text.replace("_", " ")


def action_choices() -> list[SelectChoice]:
    """Every action of the vocabulary as a choice by its plain name, sorted by that name."""
    named = sorted(((words(a.value), a.value) for a in Action), key=lambda pair: pair[0].lower())
    return [SelectChoice("", "Any"), *(SelectChoice(value, label) for label, value in named)]
