"""All models, importable from one place."""

from .accounts import Role, User
from .audience import (
    Branch,
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
from .campaigns import (
    Campaign,
    CampaignStatus,
    Click,
    Delivery,
    DeliveryState,
    Link,
    SenderIdentity,
    campaign_list,
)
from .content import CampaignAttachment, Theme, Upload
from .imports import BulkAction, ContactImport, ImportChunk, ImportIssue, ImportStatus

__all__ = [
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
