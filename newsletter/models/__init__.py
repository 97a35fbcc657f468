"""All models, importable from one place. One module per package that owns the tables
(``platform`` holds the admin accounts)."""

from .audience import (
    Branch,
    BulkAction,
    ConsentRecord,
    Contact,
    ContactChange,
    ContactStatus,
    LegalBasis,
    ListVisibility,
    MailingList,
    OptIn,
    Organization,
    Person,
    Subscription,
    SubscriptionStatus,
    Suppression,
)
from .base import Channel, utcnow
from .blocklist import BlocklistChannel, BlocklistEntry
from .campaigns import Campaign, CampaignStatus, Delivery, DeliveryState, campaign_list
from .content import CampaignAttachment, Theme, Upload
from .imports import ContactImport, ImportChunk, ImportIssue, ImportStatus
from .platform import ApiIdempotency, ApiKey, Role, User
from .sending import SenderIdentity
from .tracking import Click, Link

__all__ = [
    "ApiIdempotency",
    "ApiKey",
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
    "Role",
    "SenderIdentity",
    "Subscription",
    "SubscriptionStatus",
    "Suppression",
    "Theme",
    "Upload",
    "User",
    "campaign_list",
    "utcnow",
]
