"""Typed ORM rows. Rows hold ciphertext and identifiers only; nothing here decrypts."""

from roi_tracker.models.accounting import AccountingGiven
from roi_tracker.models.accounting import AccountingRequest
from roi_tracker.models.accounting import AccountingSuspension
from roi_tracker.models.clients import CaseloadAssignment
from roi_tracker.models.clients import Client
from roi_tracker.models.clients import ClientKey
from roi_tracker.models.clients import ClientSearchTerm
from roi_tracker.models.clients import Document
from roi_tracker.models.clients import DocumentBlob
from roi_tracker.models.exceptions import ConfidentialityException
from roi_tracker.models.exceptions import EmergencyAccess
from roi_tracker.models.exceptions import Notification
from roi_tracker.models.exceptions import Review
from roi_tracker.models.impermissible import ImpermissibleDisclosure
from roi_tracker.models.incidents import Incident
from roi_tracker.models.incidents import IncidentAssessment
from roi_tracker.models.incidents import IncidentClient
from roi_tracker.models.incidents import IncidentNotice
from roi_tracker.models.log import AuditCheckpoint
from roi_tracker.models.log import AuditEntry
from roi_tracker.models.log import AuditReview
from roi_tracker.models.log import AuditVerification
from roi_tracker.models.part2 import Part2Change
from roi_tracker.models.people import ApiToken
from roi_tracker.models.people import KeyCanary
from roi_tracker.models.people import RecoveryCode
from roi_tracker.models.people import SigninThrottle
from roi_tracker.models.people import User
from roi_tracker.models.people import WebSession
from roi_tracker.models.releases import Authorization
from roi_tracker.models.releases import Disclosure
from roi_tracker.models.releases import Recipient
from roi_tracker.models.reminders import ReminderOptOut
from roi_tracker.models.reminders import ReminderSent
from roi_tracker.models.requests import RecordRequest
from roi_tracker.models.requests import RequestEvent
from roi_tracker.models.requests import RequestLetter
from roi_tracker.models.signing import AuthorizationSignature
from roi_tracker.models.signing import FormTemplate

__all__ = [
    "User",
    "RecoveryCode",
    "ApiToken",
    "WebSession",
    "SigninThrottle",
    "KeyCanary",
    "AuditEntry",
    "AuditCheckpoint",
    "AuditVerification",
    "AuditReview",
    "Client",
    "ClientKey",
    "ClientSearchTerm",
    "CaseloadAssignment",
    "Document",
    "DocumentBlob",
    "Authorization",
    "Disclosure",
    "Recipient",
    "ConfidentialityException",
    "EmergencyAccess",
    "Notification",
    "Review",
    "AccountingGiven",
    "AccountingRequest",
    "AccountingSuspension",
    "ImpermissibleDisclosure",
    "Part2Change",
    "ReminderOptOut",
    "ReminderSent",
    "FormTemplate",
    "AuthorizationSignature",
    "Incident",
    "IncidentClient",
    "IncidentAssessment",
    "IncidentNotice",
    "RecordRequest",
    "RequestEvent",
    "RequestLetter",
]
