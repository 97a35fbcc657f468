"""All models, importable from one place. One module per package that owns the tables
(``platform`` holds the admin accounts)."""

from .audience import (
    Branch,
    BulkAction,
    ConsentRecord,
    Contact,
    ContactChange,
    ContactPhone,
    ContactStatus,
    LegalBasis,
    ListVisibility,
    MailingList,
    OptIn,
    Organization,
    Person,
    PhoneKind,
    Subscription,
    SubscriptionStatus,
    Suppression,
)
from .automation import RecurringRun, RecurringSeries, RunOutcome, Segment
from .base import Channel, utcnow
from .blocklist import BlocklistChannel, BlocklistEntry
from .campaigns import (
    AbMetric,
    AbTest,
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryState,
    campaign_list,
)
from .compliance import CampaignReview, ReviewCategory, ReviewState, SenderCheck
from .content import CampaignAttachment, SavedTemplate, Theme, Upload
from .imports import ContactImport, ImportChunk, ImportIssue, ImportStatus
from .platform import ApiIdempotency, ApiKey, AuditEntry, PlanLimit, Role, User
from .sending import SenderIdentity
from .sequences import (
    Enrolment,
    EnrolmentState,
    Sequence,
    SequenceStatus,
    SequenceStep,
    SequenceTrigger,
    StepCampaign,
)
from .servers import MailServer, SenderServer, SmsGatewayAccount
from .sms import QuotaMovementKind, SmsAccount, SmsQuotaMovement
from .tracking import Click, Link
from .transactional import TransactionalMessage, TransactionalState
from .webhooks import WebhookAttempt, WebhookDelivery, WebhookDeliveryState, WebhookEndpoint

__all__ = [
    "AbMetric",
    "AbTest",
    "ApiIdempotency",
    "ApiKey",
    "MailServer",
    "SenderServer",
    "SmsGatewayAccount",
    "AuditEntry",
    "CampaignReview",
    "ReviewCategory",
    "SavedTemplate",
    "ReviewState",
    "BlocklistChannel",
    "BlocklistEntry",
    "Branch",
    "BulkAction",
    "Campaign",
    "CampaignAttachment",
    "CampaignStatus",
    "Channel",
    "Click",
    "ConsentRecord",
    "Contact",
    "ContactChange",
    "ContactPhone",
    "ContactImport",
    "ContactStatus",
    "Delivery",
    "DeliveryState",
    "ImportChunk",
    "ImportIssue",
    "ImportStatus",
    "LegalBasis",
    "Link",
    "ListVisibility",
    "MailingList",
    "OptIn",
    "Organization",
    "Person",
    "PlanLimit",
    "PhoneKind",
    "QuotaMovementKind",
    "RecurringRun",
    "RecurringSeries",
    "RunOutcome",
    "Segment",
    "Role",
    "SenderCheck",
    "Enrolment",
    "EnrolmentState",
    "Sequence",
    "SequenceStatus",
    "SequenceStep",
    "SequenceTrigger",
    "StepCampaign",
    "SenderIdentity",
    "SmsAccount",
    "SmsQuotaMovement",
    "Subscription",
    "SubscriptionStatus",
    "Suppression",
    "Theme",
    "TransactionalMessage",
    "TransactionalState",
    "Upload",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookDeliveryState",
    "WebhookEndpoint",
    "campaign_list",
    "utcnow",
]
