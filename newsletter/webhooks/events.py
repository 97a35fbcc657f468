"""The events an endpoint can subscribe to, with what each means (shown in the admin and
the API reference)."""

from flask_babel import lazy_gettext

SUBSCRIBED = "subscribed"
CONFIRMED = "confirmed"
UNSUBSCRIBED = "unsubscribed"
BOUNCED = "bounced"
COMPLAINED = "complained"
CLICKED = "clicked"
CAMPAIGN_STARTED = "campaign.started"
CAMPAIGN_FINISHED = "campaign.finished"
SMS_DELIVERED = "sms.delivered"
#: sent by the "send a test event" button, whatever the endpoint subscribed to
TEST = "test"

EVENTS = {
    SUBSCRIBED: lazy_gettext("An address signed up for a list (data.status: confirmed, or "
                             "pending until the double opt-in link is opened)."),
    CONFIRMED: lazy_gettext("An address opened its double opt-in link; the subscription "
                            "counts."),
    UNSUBSCRIBED: lazy_gettext("A subscription ended (unsubscribe link, profile, SMS STOP)."),
    BOUNCED: lazy_gettext("A message bounced for good; the address is suppressed."),
    COMPLAINED: lazy_gettext("A recipient reported a message as spam (a feedback-loop "
                             "report); the address is suppressed and unsubscribed."),
    CLICKED: lazy_gettext("Links were clicked: one request per recorded batch, data.clicks "
                          "lists them."),
    CAMPAIGN_STARTED: lazy_gettext("A campaign started sending (data.recipients: deliveries "
                                   "created)."),
    CAMPAIGN_FINISHED: lazy_gettext("A campaign has nothing left to send (data.counts per "
                                    "state)."),
    SMS_DELIVERED: lazy_gettext("An SMS gateway (SMPP) reported an SMS delivered to a "
                                "number."),
}
